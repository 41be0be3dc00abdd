"""Vietnam's administrative units since 1 July 2025, from the ``vietnam-provinces`` data:
34 provincial units keyed by their two-digit code, and 3,321 communes and wards (cấp xã)
keyed by their five-digit code: reference data every service checks codes against."""
from vietnam_provinces import Province, Ward

PROVINCES = {f"{p.code.value:02d}": p.name for p in Province.iter_all()}
COMMUNES = {f"{w.code.value:05d}": (w.name, f"{w.province_code.value:02d}")
            for w in Ward.iter_all()}


def commune_in_province(commune_code, province_code):
    return COMMUNES.get(commune_code, (None, None))[1] == province_code
