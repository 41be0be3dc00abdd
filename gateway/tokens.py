"""Development tokens: a signing key of this machine's own, its JWKS, and signed tokens for
any role and scope, so that the API can be called without an identity provider.

    python -m gateway.tokens --role province_officer --province 91
    python -m gateway.tokens --role producer --producer <producer id>
    python -m gateway.tokens --role council_member --council province-91 --subject chair

prints one token. ``make run`` points the gateway at this key's JWKS (``OIDC_JWKS_FILE``)
and issuer ``DEV_ISSUER``; a real installation uses its provider instead (docs/operations.md).
The key (ES256) is made on first use under ``var/identity/`` and never leaves the machine.
"""
import argparse
import json
import time
import uuid
from hashlib import sha256
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.utils import base64url_encode

from chassis.identity import ROLES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRECTORY = ROOT / "var" / "identity"
DEV_ISSUER = "urn:ocop:dev-identity"
AUDIENCE = "ocop-api"
KEY_FILE, JWKS_FILE = "dev-signing-key.pem", "jwks.json"


class DevelopmentIssuer:
    """The development key in ``directory``: made there on first use."""

    def __init__(self, directory=DEFAULT_DIRECTORY):
        self.directory = Path(directory)
        key_path = self.directory / KEY_FILE
        if not key_path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            key = ec.generate_private_key(ec.SECP256R1())
            key_path.write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))
            key_path.chmod(0o600)
        self.key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        self.kid = _thumbprint(public)
        self.jwks_path = self.directory / JWKS_FILE
        jwks = json.dumps({"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "ES256"}]})
        if not self.jwks_path.exists() or self.jwks_path.read_text() != jwks:
            self.jwks_path.write_text(jwks)

    def token(self, roles, subject=None, province=None, commune=None, producers=(),
              councils=(), minutes=60, **extra):
        now = int(time.time())
        claims = {"iss": DEV_ISSUER, "aud": AUDIENCE, "sub": subject or str(uuid.uuid4()),
                  "iat": now, "nbf": now, "exp": now + 60 * minutes,
                  "realm_access": {"roles": list(roles)}, **extra}
        for name, value in (("province", province), ("commune", commune)):
            if value:
                claims[name] = value
        for name, values in (("producers", producers), ("councils", councils)):
            if values:
                claims[name] = list(values)
        return jwt.encode(claims, self.key, algorithm="ES256", headers={"kid": self.kid})

    def gateway_settings(self):
        """The gateway's environment for tokens of this issuer."""
        return {"OIDC_ISSUER": DEV_ISSUER, "OIDC_AUDIENCE": AUDIENCE,
                "OIDC_JWKS_FILE": str(self.jwks_path)}


def _thumbprint(jwk):
    """RFC 7638 thumbprint of an EC key: its ``kid``."""
    members = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")},
                         separators=(",", ":"), sort_keys=True)
    return base64url_encode(sha256(members.encode()).digest()).decode()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gateway.tokens", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", action="append", required=True, choices=sorted(ROLES),
                        help="a realm role; repeat for several")
    parser.add_argument("--subject", help="the token's sub (default: a new UUID); a council "
                                          "member's subject is their member id")
    parser.add_argument("--province", help="province code, e.g. 91")
    parser.add_argument("--commune", help="commune code, e.g. 30406")
    parser.add_argument("--producer", action="append", default=[], help="a producer id")
    parser.add_argument("--council", action="append", default=[],
                        help="central or province-<code>")
    parser.add_argument("--minutes", type=int, default=60, help="lifetime (default 60)")
    parser.add_argument("--directory", default=DEFAULT_DIRECTORY, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    print(DevelopmentIssuer(args.directory).token(
        args.role, args.subject, args.province, args.commune, args.producer, args.council,
        args.minutes))


if __name__ == "__main__":
    main()
