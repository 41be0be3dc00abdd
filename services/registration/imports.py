"""Import of what a province already has: the OCOP products it certified before using this
platform, from its own spreadsheet (CSV or XLSX), one product per row.

A row names the producer and its tax code, the product, its criteria set (01–26, Annex I
of Decision 26/2026), stars, score, the certificate's number, the date of the recognition
decision, and the province, district and commune as written then (before or after the
units were reorganised on 1 July 2025). Every row is checked before anything is written;
one bad row refuses the whole file, with every bad row and its reason. The units written
are mapped to current codes where the data allows (``units.placed``) and kept as written.

The certificate stays valid 36 months from its decision (Decision 26/2026 Art. 4.3; the
same under the earlier decisions); only 3★ and above had certificates (Art. 4.1.a); a
score gives its band of stars (Art. 3.3): the two must agree.

    python -m services.registration.imports FILE --province 91 [--by NAME]

runs the same import from the command line, against the registration database
(``MONGO_URI``, ``MONGO_DB``); the registration service publishes its events.
"""
import base64
import binascii
import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from chassis.errors import InvalidInput
from chassis.events import utc_now
from chassis.names import folded
from chassis.provinces import PROVINCES
from services.registration import producers, tax_codes, units

MAX_ROWS = 20_000  # one import document holds its validated rows: well under 16 MB
MAX_REPORTED = 100  # bad rows listed in a refusal (and counted beyond that)
VALIDITY = relativedelta(months=36)
PROGRAMME_START = date(2018, 5, 7)  # Decision 490/QĐ-TTg: OCOP began
BANDS = ((90, 5), (70, 4), (50, 3), (30, 2), (0, 1))  # Art. 3.3: minimum score → stars

# Column → the headings it may have (compared folded: accents, case and spacing ignored).
COLUMNS = {
    "producer": ("chu the", "ten chu the", "producer"),
    "tax_code": ("ma so thue", "mst", "tax code"),
    "kind": ("loai chu the", "loai hinh", "kind"),
    "product": ("san pham", "ten san pham", "product"),
    "category": ("bo san pham", "ma bo san pham", "category"),
    "stars": ("hang sao", "so sao", "stars"),
    "score": ("diem", "tong diem", "score"),
    "certificate_number": ("so giay chung nhan", "so chung nhan", "certificate number"),
    "decided_on": ("ngay quyet dinh", "ngay cong nhan", "decision date"),
    "province": ("tinh", "tinh thanh pho", "province"),
    "district": ("huyen", "quan huyen", "district"),
    "commune": ("xa", "xa phuong", "commune"),
}
REQUIRED = ("producer", "tax_code", "product", "category", "stars", "certificate_number",
            "decided_on", "province")
HEADING = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}


def refused(vietnamese, english, pointer="/content"):
    """A file refused as a whole (InvalidInput; one refused row by row names each row)."""
    return InvalidInput(vietnamese, english, [{"pointer": pointer,
                                               "detail": f"{vietnamese} / {english}"}])


def decoded(content):
    """The file's bytes from the base64 an API client sends."""
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise refused("Nội dung không phải base64", "The content is not base64") from None


def sheet_rows(data):
    """The rows of a spreadsheet as lists of cells: XLSX (a zip, told from its first bytes,
    whatever the file is called) or CSV in UTF-8, comma- or semicolon-separated."""
    if data[:4] == b"PK\x03\x04":
        import openpyxl  # only an XLSX needs it
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise refused("Tệp XLSX hỏng", "The XLSX file is damaged") from None
        rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refused("Tệp CSV phải mã hóa UTF-8 (hoặc gửi XLSX)",
                      "A CSV file must be UTF-8 (or send XLSX)") from None
    heading = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=heading.count)  # what separates the headings
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def columns_of(heading_row):
    """Column → position, from the heading row; a file without a required column or with
    one twice is refused."""
    positions = {}
    for position, heading in enumerate(heading_row):
        column = HEADING.get(folded(str(heading or "")).replace("_", " "))
        if column in positions:
            raise refused(f"Cột {heading} có hai lần", f"The column {heading} appears twice")
        if column:
            positions[column] = position
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise refused("Thiếu cột: " + ", ".join(missing),
                      "Missing columns: " + ", ".join(missing) +
                      " (headings: " + "; ".join(COLUMNS[c][0] for c in missing) + ")")
    return positions


@dataclass
class RowError(Exception):
    column: str
    vietnamese: str
    english: str


def text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number a spreadsheet stored as float
    return str(value).strip()


def whole_number(value, column, low, high):
    try:
        number = float(text(value).replace(",", "."))
    except ValueError:
        raise RowError(column, "Không phải số", "Not a number") from None
    if not number.is_integer() or not low <= number <= high:
        raise RowError(column, f"Phải là số nguyên từ {low} đến {high}",
                       f"Must be a whole number from {low} to {high}")
    return int(number)


def score_of(value, stars):
    if not text(value):
        return None
    try:
        score = float(text(value).replace(",", "."))
    except ValueError:
        raise RowError("score", "Không phải số", "Not a number") from None
    if not 0 <= score <= 100:
        raise RowError("score", "Điểm từ 0 đến 100", "A score is 0 to 100")
    band = next(s for minimum, s in BANDS if score >= minimum)
    if band != stars:
        raise RowError("score", f"{score:g} điểm là hạng {band} sao, không phải {stars} sao "
                                "(Điều 3.3)",
                       f"{score:g} points is {band} stars, not {stars} (Art. 3.3)")
    return score


def day_of(value, today):
    """A date as spreadsheets hold them: a date cell, dd/mm/yyyy (as written in Vietnam)
    or yyyy-mm-dd."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        written = text(value)
        day = None
        for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
            try:
                day = datetime.strptime(written, pattern).date()
                break
            except ValueError:
                continue
        if day is None:
            raise RowError("decided_on", "Ngày phải viết dd/mm/yyyy",
                           "A date is written dd/mm/yyyy")
    if not PROGRAMME_START <= day <= today:
        raise RowError("decided_on", "Ngày quyết định phải từ 07/05/2018 (Quyết định 490) "
                                     "đến hôm nay",
                       "The decision date must be from 7 May 2018 (Decision 490) to today")
    return day


def checked_row(cells, today, province_code):
    """One row's product, or RowError naming its first bad column."""
    producer = text(cells["producer"])
    if not 2 <= len(producer) <= 200:
        raise RowError("producer", "Tên chủ thể từ 2 đến 200 ký tự",
                       "A producer's name is 2 to 200 characters")
    try:
        tax_code = tax_codes.checked(text(cells["tax_code"]))
    except tax_codes.InvalidTaxCode as invalid:
        raise RowError("tax_code", invalid.vietnamese, invalid.english) from None
    kind = text(cells.get("kind"))
    if kind and kind not in producers.KINDS:
        kind = producers.kind_in_name(kind)  # written in Vietnamese: "Hợp tác xã", …
        if kind is None:
            raise RowError("kind", "Loại chủ thể không có trong Điều 2.3",
                           "Not a kind of producer of Art. 2.3")
    kind = kind or producers.kind_in_name(producer)
    product = text(cells["product"])
    if not 2 <= len(product) <= 200:
        raise RowError("product", "Tên sản phẩm từ 2 đến 200 ký tự",
                       "A product's name is 2 to 200 characters")
    category = text(cells["category"]).zfill(2)
    if category not in producers.CATEGORIES:
        raise RowError("category", "Bộ sản phẩm từ 01 đến 26 (Phụ lục I)",
                       "A criteria set is 01 to 26 (Annex I)")
    if not producers.may_register(kind, category):
        raise RowError("category", "Hội, hiệp hội, trung tâm điều hành: chỉ bộ 26",
                       "Associations and operating centres: set 26 only")
    stars = whole_number(cells["stars"], "stars", 3, 5)
    score = score_of(cells.get("score"), stars)
    certificate = text(cells["certificate_number"])
    if not 1 <= len(certificate) <= 100:
        raise RowError("certificate_number", "Thiếu số giấy chứng nhận",
                       "The certificate number is missing")
    decided_on = day_of(cells["decided_on"], today)
    placement = units.placed(text(cells["province"]), text(cells.get("district")) or None,
                             text(cells.get("commune")) or None)
    if placement.province_code is None:
        raise RowError("province", "Không nhận ra tỉnh (kể cả tên trước 01/7/2025)",
                       "Province not recognised (names before 1 July 2025 included)")
    if placement.province_code != province_code:
        raise RowError("province", f"Thuộc {PROVINCES[placement.province_code]}, không phải "
                                   f"tỉnh đang nhập", f"In {PROVINCES[placement.province_code]}, "
                                   "not the importing province")
    return {"producer": producer, "tax_code": tax_code, "kind": kind, "product": product,
            "category": category, "stars": stars, "score": score,
            "certificate_number": certificate, "decided_on": decided_on.isoformat(),
            "expires_on": (decided_on + VALIDITY).isoformat(),
            "province_code": placement.province_code, "commune_code": placement.commune_code,
            "written": placement.written}


def certificate_key(number):
    """A certificate number as compared: "123/QĐ-UBND" and "123/qđ-ubnd " are one."""
    return re.sub(r"\s+", "", folded(number))


def validated(data, province_code, today=None):
    """Every row of the spreadsheet ``data``, checked; InvalidInput listing each bad row (by its
    line in the file) and the reason, when there is one."""
    today = today or utc_now().date()
    rows = [r for r in sheet_rows(data) if any(text(c) for c in r)]
    if not rows:
        raise refused("Tệp trống", "The file is empty")
    positions = columns_of(rows[0])
    if len(rows) - 1 > MAX_ROWS:
        raise refused(f"Tối đa {MAX_ROWS} dòng mỗi lần nhập",
                      f"At most {MAX_ROWS} rows per import")
    checked, errors, seen, names = [], [], {}, {}
    for line, row in enumerate(rows[1:], start=2):
        cells = {c: row[p] if p < len(row) else None for c, p in positions.items()}
        try:
            product = checked_row(cells, today, province_code)
            key = certificate_key(product["certificate_number"])
            if key in seen:
                raise RowError("certificate_number", f"Trùng với dòng {seen[key]}",
                               f"Same certificate as line {seen[key]}")
            name = names.setdefault(product["tax_code"], (folded(product["producer"]), line))
            if name[0] != folded(product["producer"]):
                raise RowError("producer", f"Mã số thuế này là của chủ thể khác ở dòng {name[1]}",
                               f"This tax code is another producer's on line {name[1]}")
        except RowError as bad:
            errors.append({"pointer": f"/rows/{line}/{bad.column}",
                           "detail": f"Dòng {line}: {bad.vietnamese} / "
                                     f"Line {line}: {bad.english}"})
            continue
        seen[key] = line
        checked.append({"line": line, **product})
    if errors:
        raise InvalidInput(f"{len(errors)} dòng không hợp lệ; không dòng nào được nhập",
                      f"{len(errors)} bad rows; nothing was imported",
                      errors[:MAX_REPORTED])
    if not checked:
        raise refused("Tệp không có dòng sản phẩm nào", "The file has no product rows")
    return checked


def fingerprint(data):
    return hashlib.sha256(data).hexdigest()


def main():
    """The command line: import FILE for --province, as a province office would."""
    import argparse
    import getpass
    import os
    import sys
    from pathlib import Path

    from pymongo import MongoClient

    from chassis.errors import OcopError
    from services.registration import store as registration_store, workflow

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--province", required=True, choices=sorted(PROVINCES))
    parser.add_argument("--by", default=getpass.getuser(),
                        help="who runs it, for the import's record")
    arguments = parser.parse_args()
    client = MongoClient(os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017"))
    database = client[os.environ.get("MONGO_DB", "ocop_registration")]
    registration_store.prepare(database)
    try:
        report = workflow.import_products(
            registration_store.RegistrationStore(database), arguments.province,
            arguments.file.name, arguments.file.read_bytes(), {"subject": f"cli:{arguments.by}"})
    except OcopError as error:
        print(error.detail, file=sys.stderr)
        for entry in error.errors or ():
            print("  " + entry["detail"], file=sys.stderr)
        sys.exit(1)
    finally:
        client.close()
    print(f"import {report['id']}: {report['rows']} rows, {report['products_created']} "
          f"products and {report['producers_created']} producers created, "
          f"{report['communes_mapped']} communes mapped")


if __name__ == "__main__":
    main()
