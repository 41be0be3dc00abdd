"""Tax codes (mã số thuế, MST) of producers: Circular 105/2020/TT-BTC, Art. 5.

A tax code is ten digits N1…N10, where N10 is a check digit over N1…N9, or, for a
dependent unit (a branch, a representative office), the parent's ten digits followed by
"-" and three digits N11–N13 (001–999). The check digit: the weighted sum of N1…N9 with
the weights 31, 29, 23, 19, 17, 13, 7, 5, 3, taken modulo 11, subtracted from 10; a prefix
whose sum is a multiple of 11 would need "10" and is never issued. Verified against
published codes, e.g. Viettel 0100109106, Vinamilk 0300588569, FPT 0101248141.
"""
import re

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
SHAPE = re.compile(r"^(\d{10})(?:-(\d{3}))?$")


class InvalidTaxCode(ValueError):
    """Why a tax code is refused, in Vietnamese and in English."""

    def __init__(self, vietnamese, english):
        super().__init__(f"{vietnamese} / {english}")
        self.vietnamese, self.english = vietnamese, english


def check_digit(prefix):
    """The tenth digit of the tax code that starts with the nine digits ``prefix``; None
    for a prefix no valid tax code has."""
    digit = 10 - sum(int(d) * w for d, w in zip(prefix, WEIGHTS)) % 11
    return None if digit == 10 else digit


def checked(tax_code):
    """``tax_code`` if valid; else InvalidTaxCode with the reason."""
    shape = SHAPE.match(tax_code)
    if shape is None:
        raise InvalidTaxCode(
            "Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu '-' và 3 chữ số của đơn vị phụ "
            "thuộc", "A tax code is 10 digits, or 10 digits, '-' and a 3-digit branch number")
    main, branch = shape.groups()
    expected = check_digit(main[:9])
    if expected is None:
        raise InvalidTaxCode(f"Không có mã số thuế nào bắt đầu bằng {main[:9]}",
                             f"No tax code starts with {main[:9]}")
    if int(main[9]) != expected:
        raise InvalidTaxCode(
            f"Chữ số kiểm tra sai: với {main[:9]} chữ số thứ 10 phải là {expected}, "
            f"không phải {main[9]}",
            f"Wrong check digit: after {main[:9]} the 10th digit must be {expected}, "
            f"not {main[9]}")
    if branch == "000":
        raise InvalidTaxCode("Số thứ tự đơn vị phụ thuộc từ 001 đến 999",
                             "A branch number is 001 to 999")
    return tax_code
