"""Who is calling: the roles of the OCOP procedure and the scope each one acts in.

The roles follow Decision 26/2026 Art. 6–9 (``shared/domain/roles.md``). A caller's
identity enters at the gateway as the claims of a verified OIDC token, travels with every
RPC call as nameko context data (``CONTEXT_KEY``) and is written into the audit trail.

Token claims read here (Keycloak realm roles and user-attribute mappers, see
``deploy/keycloak``): ``sub``; ``realm_access.roles``; ``province`` and ``commune`` (unit
codes); ``producers`` (the producer ids a producer account acts for); ``councils`` (the
councils a member sits on: ``central`` or ``province-<code>``); ``preferred_username``.

This module imports no framework: the gateway's policy and the services' audit use it.
"""
import json
from dataclasses import dataclass, replace

PRODUCER = "producer"
COMMUNE_OFFICER = "commune_officer"
PROVINCE_OFFICER = "province_officer"
PROVINCE_AUTHORITY = "province_authority"
COUNCIL_MEMBER = "council_member"
ADVISORY_MEMBER = "advisory_member"
CENTRAL_OFFICER = "central_officer"
CENTRAL_AUTHORITY = "central_authority"
AGENCY = "agency"
ADMIN = "admin"

ROLES = {
    PRODUCER: "Chủ thể OCOP / Producer",
    COMMUNE_OFFICER: "Cán bộ OCOP cấp xã / Commune OCOP officer",
    PROVINCE_OFFICER: "Cơ quan tham mưu OCOP cấp tỉnh / Provincial OCOP office",
    PROVINCE_AUTHORITY: "Chủ tịch UBND cấp tỉnh / Provincial chair",
    COUNCIL_MEMBER: "Thành viên hội đồng / Council member",
    ADVISORY_MEMBER: "Thành viên tổ tư vấn / Advisory group member",
    CENTRAL_OFFICER: "Cơ quan tham mưu OCOP của Bộ / The ministry's OCOP office",
    CENTRAL_AUTHORITY: "Bộ trưởng Bộ NN&MT / The minister",
    AGENCY: "Cơ quan nhà nước khác / Other state agency",
    ADMIN: "Quản trị hệ thống / Platform operator",
}

# The key under which the caller travels in nameko context data (AMQP headers
# ``nameko.ocop_identity``): a JSON text, since header values must be plain.
CONTEXT_KEY = "ocop_identity"
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Identity:
    """A verified caller: its subject (the token's ``sub``) and the roles and scopes its
    token grants."""

    subject: str
    roles: frozenset = frozenset()
    province: str | None = None
    commune: str | None = None
    producers: frozenset = frozenset()
    councils: frozenset = frozenset()
    name: str | None = None
    address: str | None = None  # the client's IP address, as the gateway saw it

    @classmethod
    def anonymous(cls, address):
        """A caller without a token, on the few commands open to anyone."""
        return cls(subject=ANONYMOUS, address=address)

    def at(self, address):
        return replace(self, address=address)

    @classmethod
    def from_claims(cls, claims):
        """The identity a verified token's claims give; unknown roles are ignored."""
        realm_access = claims.get("realm_access")
        roles = _strings(realm_access.get("roles")) if isinstance(realm_access, dict) else []
        return cls(
            subject=str(claims["sub"]),
            roles=frozenset(r for r in roles if r in ROLES),
            province=_code(claims.get("province")), commune=_code(claims.get("commune")),
            producers=frozenset(_strings(claims.get("producers"))),
            councils=frozenset(_strings(claims.get("councils"))),
            name=claims.get("preferred_username"))

    def to_context(self):
        return json.dumps({
            "subject": self.subject, "roles": sorted(self.roles), "province": self.province,
            "commune": self.commune, "producers": sorted(self.producers),
            "councils": sorted(self.councils), "name": self.name, "address": self.address},
            ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_context(cls, text):
        """The identity carried in context data, or None when there is none."""
        if not text:
            return None
        data = json.loads(text)
        return cls(subject=data["subject"], roles=frozenset(data["roles"]),
                   province=data["province"], commune=data["commune"],
                   producers=frozenset(data["producers"]),
                   councils=frozenset(data["councils"]), name=data.get("name"),
                   address=data.get("address"))

    def as_actor(self):
        """Who did it, as the audit trail records it."""
        return {"subject": self.subject, "roles": sorted(self.roles), "name": self.name,
                "address": self.address}


@dataclass(frozen=True)
class Target:
    """What a call acts on, as far as permissions go: whose it is and where it sits."""

    object: str
    producer_id: str | None = None
    province: str | None = None
    commune: str | None = None
    national: bool = False
    council: str | None = None
    members: frozenset = frozenset()
    advisory_group: frozenset = frozenset()
    chairs: frozenset = frozenset()  # the chair and the secretary
    chair: str | None = None  # the chair alone
    agency: str | None = None  # the agency it belongs to (a webhook endpoint, an inbox)
    events: bool = False  # the events shared with agencies (feed, subscriptions)
    private: bool = True  # whether its very existence is hidden from those out of scope

    def to_context(self):
        return json.dumps({"object": self.object, "province": self.province},
                          separators=(",", ":"))


def in_scope(identity, role, target):
    """Whether ``identity`` acting as ``role`` may act on ``target``: the one place that
    says what each role's scope is (roles.md, column "scope")."""
    if role not in identity.roles:
        return False
    if role == ADMIN:
        return True
    if role == PRODUCER:
        return target.producer_id is not None and target.producer_id in identity.producers
    if role == COMMUNE_OFFICER:
        return (identity.commune is not None and identity.province == target.province
                and identity.commune == target.commune)
    if role in (PROVINCE_OFFICER, PROVINCE_AUTHORITY):
        return identity.province is not None and identity.province == target.province
    if role in (CENTRAL_OFFICER, CENTRAL_AUTHORITY):
        return target.national
    if role == COUNCIL_MEMBER:  # the secretary sits with the council without scoring
        return (target.council in identity.councils
                and identity.subject in target.members | target.chairs)
    if role == ADVISORY_MEMBER:
        return target.council in identity.councils and identity.subject in target.advisory_group
    if role == AGENCY:
        # What belongs to it (its webhook endpoints, its inbox), and the events of the
        # province its token grants, or of every province when the token names none.
        if target.agency is not None:
            return target.agency == identity.subject
        return target.events and identity.province in (None, target.province)
    return False


def _code(value):
    return value if isinstance(value, str) and value else None


def _strings(value):
    """A claim's strings: one string, or the strings of a list; nothing from other shapes."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []
