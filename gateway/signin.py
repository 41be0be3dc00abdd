"""Sign-in: the bearer token of an OpenID Connect provider, verified with PyJWT.

Only asymmetric signatures are accepted (RS256, ES256): a token whose header says
``none`` or an HMAC algorithm is refused before any key is looked at, so a public key can
never be used as an HMAC secret. The issuer, audience, expiry and not-before are checked,
and every token must carry them (``exp``, ``iat`` and ``sub`` too).

Keys come from one of (configuration):
- ``OIDC_JWKS_URL``: the provider's JWKS endpoint; the token's ``kid`` picks the key, and an
  unknown ``kid`` makes PyJWT fetch the set again (rotation);
- ``OIDC_JWKS_FILE``: a JWKS document on disk (the development key of ``gateway.tokens``);
- ``OIDC_PUBLIC_KEYS``: one or more PEM public keys; each is tried in turn.
"""
import re
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt import PyJWKClient, PyJWKSet
from nameko.extensions import DependencyProvider

from chassis.identity import Identity
from gateway.problems import Problem

KEY_TYPES = {"RS256": RSAPublicKey, "ES256": EllipticCurvePublicKey}
ALGORITHMS = tuple(KEY_TYPES)
REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat", "sub")
LEEWAY_SECONDS = 30
PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)


class SignInRefused(Problem):
    """No usable identity in the request: 401 with a ``WWW-Authenticate`` challenge
    (RFC 6750: no error code when no token was sent at all)."""

    def __init__(self, detail_vi, detail_en, error="invalid_token"):
        challenge = 'Bearer realm="ocop"'
        if error:
            description = detail_en.replace('"', "'")
            challenge += f', error="{error}", error_description="{description}"'
        super().__init__(401, "Chưa xác thực / Unauthenticated", f"{detail_vi} / {detail_en}",
                         headers={"WWW-Authenticate": challenge})


class SignIn(DependencyProvider):
    """The gateway's token verifier, made once from its configuration."""

    def setup(self):
        self.verifier = TokenVerifier.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.verifier


class TokenVerifier:
    def __init__(self, issuer, audience, jwks_url="", jwks_file="", public_keys=""):
        if not issuer:
            raise ValueError("OIDC_ISSUER is not set: the gateway cannot verify tokens")
        self.issuer, self.audience = issuer, audience
        self.jwks_client = (PyJWKClient(jwks_url, cooldown_duration=10, timeout=5)
                            if jwks_url else None)
        self.keys = []
        if jwks_file:
            self.keys = [key.key for key in PyJWKSet.from_json(Path(jwks_file).read_text()).keys]
        self.keys += [load_pem_public_key(pem.encode())
                      for pem in PEM_BLOCK.findall(public_keys or "")]
        if not self.jwks_client and not self.keys:
            raise ValueError("Set OIDC_JWKS_URL, OIDC_JWKS_FILE or OIDC_PUBLIC_KEYS")

    @classmethod
    def from_config(cls, config):
        return cls(config.get("OIDC_ISSUER", ""), config.get("OIDC_AUDIENCE", "ocop-api"),
                   config.get("OIDC_JWKS_URL", ""), config.get("OIDC_JWKS_FILE", ""),
                   config.get("OIDC_PUBLIC_KEYS", ""))

    def identity(self, authorization):
        """The caller named by an ``Authorization`` header; None when there is none."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise SignInRefused("Cần mã truy cập dạng Bearer",
                                "A Bearer access token is required", "invalid_request")
        return Identity.from_claims(self.claims(token.strip()))

    def claims(self, token):
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise SignInRefused("Mã truy cập không đọc được", "The token is malformed") from None
        if header.get("alg") not in ALGORITHMS:
            raise SignInRefused("Thuật toán ký không được chấp nhận",
                                f"Signature algorithm must be one of {', '.join(ALGORITHMS)}")
        errors = []
        for key in self.candidate_keys(header):
            try:
                return jwt.decode(token, key, algorithms=list(ALGORITHMS),
                                  audience=self.audience, issuer=self.issuer,
                                  leeway=LEEWAY_SECONDS,
                                  options={"require": list(REQUIRED_CLAIMS)})
            except jwt.InvalidSignatureError as exc:
                errors.append(exc)  # another key may have signed it
            except jwt.ExpiredSignatureError:
                raise SignInRefused("Mã truy cập đã hết hạn", "The token has expired") from None
            except jwt.ImmatureSignatureError:
                raise SignInRefused("Mã truy cập chưa có hiệu lực",
                                    "The token is not valid yet") from None
            except jwt.InvalidIssuerError:
                raise SignInRefused("Mã truy cập do nơi khác cấp",
                                    "The token was issued by another issuer") from None
            except jwt.InvalidAudienceError:
                raise SignInRefused("Mã truy cập không dành cho API này",
                                    "The token is not meant for this API") from None
            except jwt.InvalidTokenError as exc:
                raise SignInRefused("Mã truy cập không hợp lệ",
                                    f"The token is invalid: {exc}") from None
        raise SignInRefused("Chữ ký của mã truy cập không hợp lệ",
                            "The token's signature does not verify")

    def candidate_keys(self, header):
        kind = KEY_TYPES[header["alg"]]
        if self.jwks_client is not None:
            try:
                key = self.jwks_client.get_signing_key(header.get("kid")).key
            except jwt.PyJWKClientConnectionError:
                raise Problem(503, "Tạm thời không sẵn sàng / Service unavailable",
                              "Không lấy được khóa của nơi cấp mã truy cập / "
                              "The identity provider's keys are unreachable") from None
            except jwt.PyJWKClientError:
                raise SignInRefused("Không có khóa ký tương ứng",
                                    "No signing key matches the token") from None
            return [key] if isinstance(key, kind) else []  # a kid naming a key of another kind
        return [key for key in self.keys if isinstance(key, kind)]
