"""The provinces' OpenID Connect provider: the Keycloak realm in deploy/keycloak, compose's
Keycloak, the gateway's OIDC_* settings in compose and Kubernetes, and what the realm's
tokens make of each example user once the gateway reads them (chassis.identity)."""
from __future__ import annotations

import json
import re
import subprocess
from urllib.parse import urlsplit

import pytest

from chassis.identity import (
    ADMIN, ADVISORY_MEMBER, AGENCY, CENTRAL_AUTHORITY, CENTRAL_OFFICER, COMMUNE_OFFICER,
    COUNCIL_MEMBER, PRODUCER, PROVINCE_AUTHORITY, PROVINCE_OFFICER, ROLES, Identity, Target,
    in_scope)
from chassis.provinces import PROVINCES

from .conftest import ROOT, of_kind
from .test_compose import _resolve, _services

REALM_FILE = ROOT / "deploy/keycloak/ocop-realm.json"
REALM_IMPORT_DIR = "/opt/keycloak/data/import/"
API_AUDIENCE = "ocop-api"
SIGN_IN_CLIENTS = ("ocop-web", "ocop-cli")
SCOPE_ATTRIBUTES = {"province": False, "commune": False, "producers": True, "councils": True}

PRODUCER_IDS = {"0b6f3c52-91a0-4d2e-8a51-000000000001", "0b6f3c52-91a0-4d2e-8a51-000000000002"}
# What the gateway must make of each example user's token (roles.md: role and scope).
EXPECTED = {
    "ag-producer": {"roles": {PRODUCER}, "producers": PRODUCER_IDS},
    "ag-commune": {"roles": {COMMUNE_OFFICER}, "province": "91", "commune": "30313"},
    "ag-province": {"roles": {PROVINCE_OFFICER}, "province": "91"},
    "ag-chair": {"roles": {PROVINCE_AUTHORITY}, "province": "91"},
    "ag-council": {"roles": {COUNCIL_MEMBER}, "councils": {"province-91"}},
    "ag-advisor": {"roles": {ADVISORY_MEMBER}, "councils": {"province-91"}},
    "central-officer": {"roles": {CENTRAL_OFFICER}},
    "central-minister": {"roles": {CENTRAL_AUTHORITY}},
    "agency-market": {"roles": {AGENCY}},
    "ocop-admin": {"roles": {ADMIN}},
}
# Keycloak gives every user the realm's default roles too; the gateway must ignore them.
KEYCLOAK_DEFAULT_ROLES = ("default-roles-ocop", "offline_access", "uma_authorization")


@pytest.fixture(scope="module")
def realm():
    return json.loads(REALM_FILE.read_text(encoding="utf-8"))


def _client(realm, client_id):
    found = [c for c in realm["clients"] if c["clientId"] == client_id]
    assert len(found) == 1, f"one client {client_id}"
    return found[0]


def _user(realm, username):
    return next(u for u in realm["users"] if u["username"] == username)


def _user_profile(realm):
    providers = realm["components"]["org.keycloak.userprofile.UserProfileProvider"]
    assert [p["providerId"] for p in providers] == ["declarative-user-profile"]
    (text,) = providers[0]["config"]["kc.user.profile.config"]
    return json.loads(text)


def _flag(config, key):
    return config.get(key) == "true"


def access_token_claims(realm, client_id, user):
    """The access token Keycloak issues to ``user`` through ``client_id``, as far as the gateway
    reads it: ``sub`` (built-in ``basic`` scope), ``preferred_username`` (``profile``),
    ``realm_access.roles`` (``roles``), then the client's own protocol mappers."""
    claims = {"sub": f"id-of-{user['username']}", "preferred_username": user["username"],
              "realm_access": {"roles": [*user.get("realmRoles", []), *KEYCLOAK_DEFAULT_ROLES]},
              "aud": []}
    attributes = user.get("attributes", {})
    for mapper in _client(realm, client_id).get("protocolMappers", []):
        config = mapper["config"]
        if not _flag(config, "access.token.claim"):
            continue
        kind = mapper["protocolMapper"]
        if kind == "oidc-audience-mapper":
            claims["aud"].append(config["included.client.audience"])
        elif kind == "oidc-usermodel-attribute-mapper":
            assert config["jsonType.label"] == "String", mapper["name"]
            assert "." not in config["claim.name"], "a dot would nest the claim"
            values = attributes.get(config["user.attribute"])
            if values:
                claims[config["claim.name"]] = (list(values) if _flag(config, "multivalued")
                                                else values[0])
        else:
            pytest.fail(f"{mapper['name']}: {kind} is not emulated here; teach this test")
    return claims


# ---------------------------------------------------------------- the realm
def test_realm_roles_are_the_platform_roles(realm):
    assert realm["realm"] == "ocop"
    assert {r["name"]: r["description"] for r in realm["roles"]["realm"]} == ROLES


def test_clients_and_their_flows(realm):
    assert {c["clientId"] for c in realm["clients"]} == {API_AUDIENCE, *SIGN_IN_CLIENTS}
    api = _client(realm, API_AUDIENCE)
    assert not api["publicClient"], "the audience client signs no one in"
    assert not any(api[f] for f in ("standardFlowEnabled", "implicitFlowEnabled",
                                    "directAccessGrantsEnabled", "serviceAccountsEnabled"))
    web = _client(realm, "ocop-web")
    assert web["publicClient"] and web["standardFlowEnabled"]
    assert not web["implicitFlowEnabled"] and not web["directAccessGrantsEnabled"]
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
    assert web["redirectUris"] and all("*" not in uri[:-1] for uri in web["redirectUris"])
    cli = _client(realm, "ocop-cli")
    assert cli["publicClient"] and cli["directAccessGrantsEnabled"]
    assert not cli["standardFlowEnabled"] and not cli["implicitFlowEnabled"]
    assert "development" in cli["description"].lower()


def test_tokens_are_rs256_and_short_lived(realm):
    assert realm["defaultSignatureAlgorithm"] == "RS256"
    for client_id in SIGN_IN_CLIENTS:
        assert _client(realm, client_id)["attributes"]["access.token.signed.response.alg"] == "RS256"
    assert 60 <= realm["accessTokenLifespan"] <= 300


def test_keycloak_builds_its_own_client_scopes(realm):
    """Declaring any `clientScopes` stops Keycloak from creating its built-in ones (`basic`
    carries `sub`, `profile` `preferred_username`, `roles` `realm_access`); the mappers the
    gateway needs beyond those sit on the clients themselves."""
    assert "clientScopes" not in realm
    for client in realm["clients"]:
        assert "defaultClientScopes" not in client and "optionalClientScopes" not in client


def test_both_sign_in_clients_map_the_same_claims(realm):
    web, cli = (_client(realm, c)["protocolMappers"] for c in SIGN_IN_CLIENTS)
    assert web == cli
    attribute_mappers = {m["config"]["claim.name"]: m["config"] for m in web
                         if m["protocolMapper"] == "oidc-usermodel-attribute-mapper"}
    assert {claim: _flag(config, "multivalued") for claim, config in attribute_mappers.items()} \
        == SCOPE_ATTRIBUTES
    for claim, config in attribute_mappers.items():
        assert config["user.attribute"] == claim


def test_the_access_token_is_for_the_api(realm):
    for client_id in SIGN_IN_CLIENTS:
        claims = access_token_claims(realm, client_id, _user(realm, "ag-province"))
        assert claims["aud"] == [API_AUDIENCE]
    audience = [m for m in _client(realm, "ocop-cli")["protocolMappers"]
                if m["protocolMapper"] == "oidc-audience-mapper"]
    assert len(audience) == 1 and not _flag(audience[0]["config"], "id.token.claim")


def test_user_profile_declares_the_scope_attributes_and_only_admins_set_them(realm):
    profile = _user_profile(realm)
    assert profile.get("unmanagedAttributePolicy", "DISABLED") in ("DISABLED", "ADMIN_VIEW")
    declared = {a["name"]: a for a in profile["attributes"]}
    assert {"username", "email", "firstName", "lastName"} <= set(declared)
    for name, multivalued in SCOPE_ATTRIBUTES.items():
        attribute = declared[name]
        assert attribute["multivalued"] is multivalued, name
        assert attribute["permissions"]["edit"] == ["admin"], f"users must not widen their own {name}"
        assert "required" not in attribute, name
    assert declared["province"]["validations"]["options"]["options"] == sorted(PROVINCES)


def _valid(validations, value):
    for kind, config in validations.items():
        if kind == "options" and value not in config["options"]:
            return False
        if kind == "pattern" and not re.search(config["pattern"], value):
            return False
    return True


def test_example_users_fit_the_user_profile(realm):
    """An imported user who misses a required attribute is asked for it at sign-in, and the
    CLI's password grant then fails ("Account is not fully set up")."""
    declared = {a["name"]: a for a in _user_profile(realm)["attributes"]}
    for user in realm["users"]:
        name = user["username"]
        assert user["enabled"] and user["emailVerified"], name
        for attribute in ("email", "firstName", "lastName"):
            assert user.get(attribute), f"{name}: no {attribute}"
        for attribute, values in user.get("attributes", {}).items():
            assert attribute in declared, f"{name}: {attribute} is not in the user profile"
            assert declared[attribute]["multivalued"] or len(values) == 1, f"{name}: {attribute}"
            for value in values:
                assert _valid(declared[attribute]["validations"], value), f"{name}: {attribute}={value}"


def test_example_passwords_are_marked_development_only(realm):
    assert "dev-only" in realm["displayName"]
    for user in realm["users"]:
        (credential,) = user["credentials"]
        assert credential["type"] == "password" and credential["value"].startswith("dev-only")
        assert credential["temporary"] is False, "a temporary password blocks the password grant"


# ---------------------------------------------------------------- what the gateway makes of it
def test_example_users_give_the_expected_identities(realm):
    assert {u["username"] for u in realm["users"]} == set(EXPECTED)
    assert set().union(*(e["roles"] for e in EXPECTED.values())) == set(ROLES), "a user per role"
    for username, expected in EXPECTED.items():
        claims = access_token_claims(realm, "ocop-web", _user(realm, username))
        for claim in ("province", "commune"):
            assert isinstance(claims.get(claim, ""), str), f"{username}: {claim} is a string"
        for claim in ("producers", "councils"):
            assert isinstance(claims.get(claim, []), list), f"{username}: {claim} is an array"
        identity = Identity.from_claims(json.loads(json.dumps(claims)))
        assert identity.subject == claims["sub"] and identity.name == username
        assert identity.roles == expected["roles"], username
        assert identity.province == expected.get("province"), username
        assert identity.commune == expected.get("commune"), username
        assert identity.producers == expected.get("producers", set()), username
        assert identity.councils == expected.get("councils", set()), username


def test_example_users_act_in_their_own_scope_only(realm):
    def identity(username):
        return Identity.from_claims(access_token_claims(realm, "ocop-cli", _user(realm, username)))

    def acts(username, target):
        person = identity(username)
        return in_scope(person, next(iter(person.roles)), target)

    producer_id = sorted(PRODUCER_IDS)[0]
    assert acts("ag-producer", Target("product", producer_id=producer_id))
    assert not acts("ag-producer", Target("product", producer_id="someone-else"))
    assert acts("ag-commune", Target("dossier", province="91", commune="30313"))
    assert not acts("ag-commune", Target("dossier", province="91", commune="30316"))
    for officer in ("ag-province", "ag-chair"):
        assert acts(officer, Target("round", province="91"))
        assert not acts(officer, Target("round", province="01"))
    for member, group in (("ag-council", "members"), ("ag-advisor", "advisory_group")):
        subject = identity(member).subject
        assert acts(member, Target("evaluation", council="province-91", **{group: frozenset({subject})}))
        assert not acts(member, Target("evaluation", council="central", **{group: frozenset({subject})}))
    for central in ("central-officer", "central-minister"):
        assert acts(central, Target("proposal", national=True))
        assert not acts(central, Target("proposal", province="91"))
    assert acts("ocop-admin", Target("anything"))


# ---------------------------------------------------------------- compose
def _keycloak():
    return _services()["keycloak"]


def test_compose_runs_keycloak_with_the_realm():
    keycloak = _keycloak()
    assert re.fullmatch(r"quay\.io/keycloak/keycloak:26(\.\d+)+", keycloak["image"])
    assert keycloak["command"][0] == "start-dev" and "--import-realm" in keycloak["command"]
    mounts = [v.split(":") for v in keycloak["volumes"]]
    assert [m for m in mounts if m[0] == "./deploy/keycloak/ocop-realm.json"
            and m[1].startswith(REALM_IMPORT_DIR) and m[1].endswith(".json") and m[2] == "ro"]
    assert all(str(p).startswith("127.0.0.1:") for p in keycloak["ports"])
    env = keycloak["environment"]
    assert env["KC_HEALTH_ENABLED"] == "true" and env["KC_HOSTNAME_BACKCHANNEL_DYNAMIC"] == "true"
    assert "/dev/tcp/127.0.0.1/9000" in keycloak["healthcheck"]["test"][-1]
    assert "/health/ready" in keycloak["healthcheck"]["test"][-1]


def test_compose_gateway_trusts_the_compose_keycloak(realm):
    services = _services()
    gateway = services["gateway"]
    assert gateway["depends_on"]["keycloak"]["condition"] == "service_healthy"
    env = {k: _resolve(str(v)) for k, v in gateway["environment"].items()}
    keycloak_env = {k: _resolve(str(v)) for k, v in _keycloak()["environment"].items()}
    frontend = keycloak_env["KC_HOSTNAME"]
    # The issuer in tokens is the front-end address, which the published port serves.
    assert env["OIDC_ISSUER"] == f"{frontend}/realms/{realm['realm']}"
    (port,) = _keycloak()["ports"]
    _, host_port, container_port = _resolve(port).split(":")
    assert urlsplit(frontend).port == int(host_port)
    # The gateway fetches the keys over the compose network.
    jwks = urlsplit(env["OIDC_JWKS_URL"])
    assert (jwks.hostname, jwks.port) == ("keycloak", int(container_port))
    assert jwks.path == f"/realms/{realm['realm']}/protocol/openid-connect/certs"
    assert env["OIDC_AUDIENCE"] == API_AUDIENCE


# ---------------------------------------------------------------- Kubernetes
def _gateway_container(docs):
    (gateway,) = [d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == "gateway"]
    return gateway["spec"]["template"]["spec"]["containers"][0]


def test_k8s_gateway_reads_its_oidc_settings_from_a_configmap(rendered):
    name, docs = rendered
    configmaps = {c["metadata"]["name"]: c["data"] for c in of_kind(docs, "ConfigMap")}
    (source,) = _gateway_container(docs)["envFrom"]
    oidc = configmaps[source["configMapRef"]["name"]]
    assert set(oidc) == {"OIDC_ISSUER", "OIDC_JWKS_URL", "OIDC_AUDIENCE"}, name
    assert oidc["OIDC_AUDIENCE"] == API_AUDIENCE
    assert oidc["OIDC_JWKS_URL"].startswith(oidc["OIDC_ISSUER"] + "/")
    if name == "overlays/prod":
        assert oidc["OIDC_ISSUER"].startswith("https://")


def test_k8s_only_the_gateway_reaches_the_identity_provider(rendered):
    _, docs = rendered
    policies = of_kind(docs, "NetworkPolicy")

    def egress_ports(labels):
        ports = set()
        for policy in policies:
            selector = policy["spec"]["podSelector"].get("matchLabels", {})
            if "Egress" in policy["spec"]["policyTypes"] and selector.items() <= labels.items():
                ports |= {p["port"] for rule in policy["spec"].get("egress", [])
                          for p in rule.get("ports", [])}
        return ports

    for deployment in of_kind(docs, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        reaches = {443, 80} <= egress_ports(labels)
        assert reaches == (deployment["metadata"]["name"] == "gateway"), deployment["metadata"]["name"]


# ---------------------------------------------------------------- everywhere
def test_no_shared_hmac_secret_is_left():
    """Tokens are verified with the provider's public keys; a shared HMAC key would let
    whoever holds it mint tokens, and nothing reads one any more."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True,
                           timeout=30).stdout.decode().split("\0")
    leftovers = re.compile("JWT" + "_SECRET|jwt" + "-secret", re.IGNORECASE)
    found = [f for f in files if f and (ROOT / f).is_file()
             and leftovers.search((ROOT / f).read_text(encoding="utf-8", errors="replace"))]
    assert not found, f"still mentioned in {found}"


def test_operations_guide_describes_the_identity_provider(realm):
    guide = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
    start = re.search(r"^## \d+\. Identity provider$", guide, re.M).start()
    end = re.compile(r"^## ", re.M).search(guide, start + 1)
    section = guide[start:end.start() if end else None]
    for setting in ("OIDC_ISSUER", "OIDC_JWKS_URL", "OIDC_AUDIENCE", "OIDC_PUBLIC_KEYS", "kid"):
        assert setting in section, setting
    for role in ROLES:
        assert f"| `{role}` |" in section, f"roles table lacks {role}"
    for user in realm["users"]:
        assert f"`{user['username']}`" in section, user["username"]
    assert f"/realms/{realm['realm']}/protocol/openid-connect/token" in section
