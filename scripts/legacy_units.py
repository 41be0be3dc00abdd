"""Builds ``services/registration/data/legacy-units.json``: Vietnam's administrative units
before 1 July 2025 (63 provinces, their districts and communes) and the current province
and commune each one became, for spreadsheets and addresses written before the reform.

The source is the open dataset of ``vietnamadminunits`` 1.0.4 (MIT licence, © 2025 Tran
Ngoc Minh Hieu; its legacy units and its 2025 conversion table). Only its data files are
read, from the wheel, without installing it (its code pulls in geocoding libraries the
services have no use for). Every current code is checked against ``vietnam-provinces``,
the reference the services validate codes with.

    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vau
    python -m scripts.legacy_units /tmp/vau/vietnamadminunits-1.0.4-py3-none-any.whl
"""
import argparse
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from chassis.names import folded
from chassis.provinces import COMMUNES, PROVINCES

TARGET = Path(__file__).resolve().parent.parent / "services" / "registration" / "data" / \
    "legacy-units.json"
SOURCE = "vietnamadminunits 1.0.4 (MIT licence, (c) 2025 Tran Ngoc Minh Hieu)"


def read_wheel(wheel):
    with zipfile.ZipFile(wheel) as archive, tempfile.TemporaryDirectory() as scratch:
        conversion = json.loads(archive.read("vietnamadminunits/data/converter_2025.json"))
        database = Path(scratch) / "dataset.db"
        database.write_bytes(archive.read("vietnamadminunits/data/dataset.db"))
        with sqlite3.connect(database) as connection:
            legacy = connection.execute(
                "select province, provinceCode, provinceKey, district, districtCode, "
                "districtKey, ward, wardCode, wardKey from admin_units_legacy").fetchall()
            current = connection.execute(
                "select provinceKey, provinceCode, wardKey, ward from admin_units").fetchall()
    return conversion, legacy, current


def build(conversion, legacy, current):
    """The dataset's own codes of current communes differ from the statistics office's for
    about a hundred communes: current communes are matched by province and name instead,
    and given the code ``vietnam-provinces`` has."""
    code_of_name = {(province, folded(name)): code
                    for code, (name, province) in COMMUNES.items()}
    province_of_key = {key: code for key, code, _, _ in current}
    commune_of_key = {(key, ward_key): code_of_name[(code, folded(name))]
                      for key, code, ward_key, name in current}
    becomes = {}  # legacy "province_district_ward" key → current commune code (or None)
    for new_province, wards in conversion["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                becomes[old_key] = commune_of_key[(new_province, new_ward)]
    for splits in conversion["DICT_PROVINCE_WARD_DIVIDED"].values():
        for old_key in splits:
            becomes.setdefault(old_key, None)  # split between several current communes
    merged_into = {old: province_of_key[new]
                   for new, olds in conversion["DICT_PROVINCE"].items() for old in olds}
    provinces = {}
    for (province, province_code, province_key, district, district_code, district_key,
         ward, ward_code, ward_key) in legacy:
        current_province = merged_into[province_key]
        entry = provinces.setdefault(province_code, {
            "name": province, "current": current_province, "districts": {}})
        communes = entry["districts"].setdefault(district_code, {
            "name": district, "communes": {}})["communes"]
        if ward_code:
            commune = becomes.get(f"{province_key}_{district_key}_{ward_key}")
            communes[ward_code] = [ward, commune]
    check(provinces)
    return {"source": SOURCE, "provinces": provinces}


def check(provinces):
    """Every current code must be one the services accept, in the province it maps to."""
    assert len(provinces) == 63, len(provinces)
    for entry in provinces.values():
        assert entry["current"] in PROVINCES, entry
        for district in entry["districts"].values():
            for name, commune in district["communes"].values():
                assert commune is None or COMMUNES[commune][1] == entry["current"], name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path)
    arguments = parser.parse_args()
    data = build(*read_wheel(arguments.wheel))
    TARGET.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0) + "\n",
                      encoding="utf-8")
    communes = sum(len(d["communes"]) for p in data["provinces"].values()
                   for d in p["districts"].values())
    print(f"{TARGET}: {len(data['provinces'])} provinces, {communes} communes")


if __name__ == "__main__":
    main()
