"""Sign-in as an attacker would try it: unsigned tokens, HS/RS confusion, expired, early,
foreign issuer or audience, an unknown key; and key rotation through a real JWKS endpoint."""
import hashlib
import hmac
import json
import subprocess
import sys
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.signin import SignInRefused, TokenVerifier
from gateway.tokens import AUDIENCE, DEV_ISSUER, DevelopmentIssuer
from scripts import devstack


@pytest.fixture(scope="module")
def issuer(tmp_path_factory):
    return DevelopmentIssuer(tmp_path_factory.mktemp("identity"))


@pytest.fixture(scope="module")
def verifier(issuer):
    return TokenVerifier.from_config(issuer.gateway_settings())


def claims(**changes):
    now = int(time.time())
    return {"iss": DEV_ISSUER, "aud": AUDIENCE, "sub": "someone", "iat": now, "nbf": now,
            "exp": now + 300, "realm_access": {"roles": ["province_officer"]},
            "province": "91", **changes}


def refused(verifier, token, error="invalid_token"):
    with pytest.raises(SignInRefused) as refusal:
        verifier.identity(f"Bearer {token}")
    assert refusal.value.status == 401
    challenge = refusal.value.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="ocop"') and f'error="{error}"' in challenge
    return refusal.value


def test_a_token_of_the_provider_gives_its_identity(issuer, verifier):
    identity = verifier.identity("Bearer " + issuer.token(
        ["producer", "not-a-role"], subject="u1", producers=["p1", "p2"]))
    assert identity.subject == "u1" and identity.roles == {"producer"}
    assert identity.producers == {"p1", "p2"}


def test_no_header_is_no_identity_and_another_scheme_is_refused(verifier):
    assert verifier.identity(None) is None
    with pytest.raises(SignInRefused) as refusal:
        verifier.identity("Basic dXNlcjpwYXNz")
    assert 'error="invalid_request"' in refusal.value.headers["WWW-Authenticate"]


def test_an_unsigned_token_is_refused(verifier):
    refused(verifier, jwt.encode(claims(), None, algorithm="none"))


def test_the_public_key_used_as_an_hmac_secret_is_refused(issuer, verifier):
    public_pem = issuer.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS256", "typ": "JWT", "kid": issuer.kid}
    forged = ".".join([jwt.utils.base64url_encode(json.dumps(header).encode()).decode(),
                       jwt.utils.base64url_encode(json.dumps(claims()).encode()).decode()])
    signature = hmac.new(public_pem, forged.encode(), hashlib.sha256).digest()
    refused(verifier, forged + "." + jwt.utils.base64url_encode(signature).decode())


def test_expired_early_foreign_and_misaddressed_tokens_are_refused(issuer, verifier):
    sign = lambda **changes: jwt.encode(claims(**changes), issuer.key, algorithm="ES256",
                                        headers={"kid": issuer.kid})
    now = int(time.time())
    assert "expired" in refused(verifier, sign(exp=now - 120)).detail
    assert "not valid yet" in refused(verifier, sign(nbf=now + 600)).detail
    assert "another issuer" in refused(verifier, sign(iss="https://evil.example")).detail
    assert "not meant" in refused(verifier, sign(aud="another-api")).detail
    without_expiry = claims()
    del without_expiry["exp"]
    refused(verifier, jwt.encode(without_expiry, issuer.key, algorithm="ES256"))


def test_a_token_signed_by_another_key_is_refused(verifier):
    stranger = ec.generate_private_key(ec.SECP256R1())
    refused(verifier, jwt.encode(claims(), stranger, algorithm="ES256"))
    refused(verifier, "not.a.token")


def test_pem_keys_in_configuration_each_tried(issuer):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pems = "\n".join(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        for key in (other, issuer.key))
    verifier = TokenVerifier(DEV_ISSUER, AUDIENCE, public_keys=pems)
    assert verifier.identity("Bearer " + issuer.token(["admin"])).roles == {"admin"}
    rs256 = jwt.encode(claims(), other, algorithm="RS256")
    assert verifier.identity(f"Bearer {rs256}").province == "91"


def public_jwk(key, kid):
    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": kid,
            "use": "sig", "alg": "RS256"}


@pytest.fixture
def provider(tmp_path):
    """A JWKS endpoint in a process of its own: ``publish(keys)`` changes what it serves."""
    port = devstack.free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                               str(port), "--directory", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    publish = lambda keys: (tmp_path / "certs").write_text(json.dumps({"keys": keys}))
    publish([])
    devstack.wait_for(lambda: devstack.port_open("127.0.0.1", port), 10, "the JWKS server")
    yield f"http://127.0.0.1:{port}/certs", publish
    server.terminate()
    server.wait()


def test_keys_rotate_through_the_providers_jwks_by_kid(provider):
    url, publish = provider
    old, new = (rsa.generate_private_key(public_exponent=65537, key_size=2048)
                for _ in range(2))
    publish([public_jwk(old, "2026-01")])
    verifier = TokenVerifier(DEV_ISSUER, AUDIENCE, jwks_url=url)
    verifier.jwks_client.cooldown_duration = 0  # the test need not wait between fetches
    sign = lambda key, kid, alg="RS256": jwt.encode(claims(), key, algorithm=alg,
                                                    headers={"kid": kid})
    assert verifier.identity("Bearer " + sign(old, "2026-01")).subject == "someone"
    publish([public_jwk(old, "2026-01"), public_jwk(new, "2026-07")])
    assert verifier.identity("Bearer " + sign(new, "2026-07")).subject == "someone"  # fetched
    # A kid names its key: no other is tried, and a key of another kind is no key at all.
    assert "does not verify" in refused(verifier, sign(new, "2026-01")).detail
    assert "No signing key" in refused(verifier, sign(new, "unknown")).detail
    ec_key = ec.generate_private_key(ec.SECP256R1())
    assert "does not verify" in refused(verifier, sign(ec_key, "2026-01", "ES256")).detail
