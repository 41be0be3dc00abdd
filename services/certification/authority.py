"""Which authority decides on a certificate (Decision 26/2026 Art. 4.1, 7.3.e, 7.4.e, 8.2):
the province's People's Committee chair (``province_authority`` of its own province)
recognises and revokes 3★/4★ — also a central result below 5★ handed back to it (Art.
7.4.g) — and the minister (``central_authority``) recognises and revokes 5★."""
from chassis.errors import Forbidden
from chassis.identity import CENTRAL_AUTHORITY, PROVINCE_AUTHORITY, ROLES, Target, in_scope


def role_for(level):
    return CENTRAL_AUTHORITY if level == "central" else PROVINCE_AUTHORITY


def target(what, level, province_code):
    """The object as the authorities' scopes see it: a central one is national and no
    province's, so a province's chair never decides on it."""
    central = level == "central"
    return Target(what, province=None if central else province_code, national=central,
                  private=False)


def check(identity, what, level, province_code):
    role = role_for(level)
    if not in_scope(identity, role, target(what, level, province_code)):
        raise Forbidden(f"Chỉ {ROLES[role].split(' / ')[0]} có thẩm quyền quyết định về {what}",
                        f"Only {ROLES[role].split(' / ')[1]} decides on {what}")
