"""Public routes and anonymous registration are rate-limited per client address and per
signed-in subject: 429 problem+json with Retry-After. A gateway of its own, with low limits
and one trusted proxy in front (so that X-Forwarded-For tells clients apart)."""
import pytest

from tests.conftest import Api, gateway_of_its_own
from tests.e2e.test_bad_input import assert_problem


@pytest.fixture(scope="module")
def limited(amqp_uri, mongo_uri, issuer, stack, tmp_path_factory):
    with gateway_of_its_own(amqp_uri, mongo_uri, tmp_path_factory.mktemp("logs"), {
            **issuer.gateway_settings(), "RATE_LIMIT_PUBLIC": "5/minute",
            "RATE_LIMIT_REGISTRATION": "2/hour", "TRUSTED_PROXY_HOPS": "1"}) as url:
        yield url


def from_address(api, address):
    api.http.headers["X-Forwarded-For"] = f"203.0.113.77, {address}"  # the first is a lie
    return api


def test_public_routes_are_limited_per_address(limited):
    client = from_address(Api(limited), "198.51.100.1")
    for _ in range(5):
        assert client.get("/categories").status_code == 200
    refused = client.get("/categories")
    assert_problem(refused, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert from_address(Api(limited), "198.51.100.2").get("/categories").status_code == 200


def test_a_signed_in_client_is_limited_whatever_its_address(limited, issuer):
    token = issuer.token(["agency"])
    for n in range(5):
        assert from_address(Api(limited, token), f"198.51.100.{10 + n}").get(
            "/categories/03/criteria").status_code == 200
    assert_problem(from_address(Api(limited, token), "198.51.100.20").get("/categories"), 429)


def test_bad_tokens_are_counted_before_they_are_read(limited):
    client = from_address(Api(limited, "not-a-token"), "198.51.100.40")
    for _ in range(5):
        assert_problem(client.get("/categories"), 401)
    assert_problem(client.get("/categories"), 429)


def test_anonymous_registration_has_its_own_lower_limit(limited):
    client = from_address(Api(limited), "198.51.100.30")
    for _ in range(2):
        assert_problem(client.post("/producers", {}), 422)
    assert_problem(client.post("/producers", {}), 429)
    assert client.get("/categories").status_code == 200  # the public budget is apart
