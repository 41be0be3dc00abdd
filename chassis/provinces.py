"""Vietnam's provincial units since 1 July 2025 (34, from the ``vietnam-provinces`` data),
keyed by their two-digit code: reference data every service checks codes against."""
from vietnam_provinces import Province

PROVINCES = {f"{p.code.value:02d}": p.name for p in Province.iter_all()}
