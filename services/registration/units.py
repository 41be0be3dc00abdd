"""Where a producer is: current administrative units, and the legacy ones still written on
older records (OCOP.md §9; Decision 19/2025/QĐ-TTg for the unit codes).

Since 1 July 2025 Vietnam has 34 provinces and 3,321 communes and wards, and no districts
(``chassis.provinces``, from ``vietnam-provinces``). Spreadsheets and addresses from
before then name one of 63 provinces, a district and a commune. ``placed`` maps such
names to the current province and commune where the data allows: a legacy commune that
went whole into one current commune maps to it; one split between several, or a name
the data does not know, maps to the province alone. The names as written are always kept
beside the codes. The legacy data: ``data/legacy-units.json`` (``scripts/legacy_units``).
"""
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from chassis.names import folded
from chassis.provinces import COMMUNES, PROVINCES

LEGACY_UNITS = Path(__file__).parent / "data" / "legacy-units.json"
# Words naming the kind of unit, dropped when comparing names ("Tỉnh Kiên Giang",
# "TP. Rạch Giá", "Huyện Phú Quốc", "Xã Dương Tơ" → "kien giang", "rach gia", …).
UNIT_WORDS = ("thanh pho", "tp", "tinh", "huyen", "quan", "thi xa", "tx", "thi tran", "tt",
              "xa", "phuong", "p", "dac khu")


def unit_key(name):
    """A unit's name as compared: folded, without its kind, numbers without leading zeros
    ("Phường 01" and "P.1" are the same ward)."""
    key = folded(name or "")
    for word in UNIT_WORDS:
        if key.startswith(word + " ") and len(key) > len(word) + 1:
            key = key[len(word) + 1:]
            break
    return " ".join(w.lstrip("0") or "0" if w.isdigit() else w for w in key.split())


@dataclass(frozen=True)
class Placement:
    province_code: str | None
    commune_code: str | None
    written: dict = field(default_factory=dict)  # the names as written, unchanged


@dataclass
class _Index:
    current_provinces: dict  # key → province code
    current_communes: dict  # (province code, key) → commune code, or None when ambiguous
    legacy_provinces: dict  # key → legacy province entry
    legacy_districts: dict  # (legacy province code, key) → legacy district code
    legacy_communes: dict  # (legacy province code, district code or "", key) → code|None


def _unique(index, key, value):
    """Keep a value under ``key`` only while no other claims the same key."""
    index[key] = value if index.get(key, value) == value else None


@lru_cache(maxsize=1)
def _legacy_provinces():
    return json.loads(LEGACY_UNITS.read_text(encoding="utf-8"))["provinces"]


@lru_cache(maxsize=1)
def _index():
    data = _legacy_provinces()
    current_communes = {}
    for code, (name, province) in COMMUNES.items():
        _unique(current_communes, (province, unit_key(name)), code)
    legacy_provinces, legacy_districts, legacy_communes = {}, {}, {}
    for legacy_code, province in data.items():
        legacy_provinces[unit_key(province["name"])] = {**province, "code": legacy_code}
        for district_code, district in province["districts"].items():
            legacy_districts[(legacy_code, unit_key(district["name"]))] = district_code
            for name, current in district["communes"].values():
                key = unit_key(name)
                legacy_communes[(legacy_code, district_code, key)] = current
                _unique(legacy_communes, (legacy_code, "", key), current)
    return _Index({unit_key(name): code for code, name in PROVINCES.items()},
                  current_communes, legacy_provinces, legacy_districts, legacy_communes)


def current_province(name):
    """The current province a province's name (current or legacy) stands for, or None."""
    index = _index()
    key = unit_key(name)
    legacy = index.legacy_provinces.get(key)
    return index.current_provinces.get(key) or (legacy["current"] if legacy else None)


def placed(province, district=None, commune=None):
    """The current units that names written before or after 1 July 2025 stand for."""
    written = {"province": province, "district": district, "commune": commune}
    index = _index()
    province_code = current_province(province)
    if province_code is None:
        return Placement(None, None, written)
    commune_key = unit_key(commune)
    legacy = index.legacy_provinces.get(unit_key(province))
    commune_code = None
    if commune_key and legacy is not None:
        scope = index.legacy_districts.get((legacy["code"], unit_key(district)), "") \
            if district else ""
        commune_code = index.legacy_communes.get((legacy["code"], scope, commune_key))
    if commune_key and commune_code is None and not district:
        commune_code = index.current_communes.get((province_code, commune_key))
    return Placement(province_code, commune_code, written)


@dataclass(frozen=True)
class FormerDistricts:
    """The districts (huyện, thị xã, thành phố thuộc tỉnh) of a province before 1 July
    2025, for plans written then: ``names`` by district code, and ``district_of`` each
    current commune its communes went into — None for a current commune made from communes
    of several districts, which no district can claim alone."""
    province_code: str  # the current province it is part of
    names: dict
    district_of: dict


@lru_cache(maxsize=128)
def former_districts(province):
    """The districts of the former province named ``province`` (e.g. "Kiên Giang"); None
    when no former province has that name. A legacy commune split between several
    current communes is in no current commune (the data maps it to none)."""
    legacy = _index().legacy_provinces.get(unit_key(province))
    if legacy is None:
        return None
    district_of = {}
    for district_code, district in _legacy_provinces()[legacy["code"]]["districts"].items():
        for _, current in district["communes"].values():
            if current is not None:
                _unique(district_of, current, district_code)
    return FormerDistricts(legacy["current"], {
        code: district["name"] for code, district in legacy["districts"].items()},
        district_of)
