"""How the gateway reads what every request carries, without a broker: JSON bodies,
If-Match, Accept-Language, the paths and methods it serves."""
import json
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from chassis.errors import PROBLEM_TYPE, InvalidInput, PreconditionFailed, PreconditionRequired, \
    check_revision
from gateway import service  # noqa: F401  (declares the operations)
from gateway.idempotency import KEY
from gateway.problems import MAX_ERRORS, PROBLEM_TYPES, Problem, in_language, language, \
    problem_response
from gateway.routes import MAX_JSON_DEPTH, if_match, methods_at, nesting, read_json


def request(data=b"", headers=None, content_type="application/json", method="POST"):
    return Request(EnvironBuilder(method=method, path="/api/v1/producers", data=data,
                                  headers=headers or {}, content_type=content_type
                                  ).get_environ())


def test_nesting_is_counted_outside_strings_only():
    assert nesting('{"a": [1, {"b": "[[[{{{"}]}') == 3
    assert nesting('"\\"[[["') == 0
    assert nesting("[" * 40) == 40


@pytest.mark.parametrize("data", [
    b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    b'{"a": 1, "a": 2}', b'{"a": "\xff"}', b'{"a": NaN}', b'{"a": "\\ud800"}', b"{",
])
def test_unreadable_bodies_are_400(data):
    with pytest.raises(Problem) as refused:
        read_json(request(data))
    assert refused.value.status == 400


def test_a_body_at_the_depth_limit_is_read():
    body = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert read_json(request(body.encode())) == json.loads(body)


def test_unsafe_characters_are_named_by_field():
    body = {"name": "Mắm\u202ecá", "note": "dòng 1\ndòng 2", "contact": {"producer_name": "a\tb"},
            "tags": ["ok", "x\x07"], "bad\u2066key": 1}
    with pytest.raises(InvalidInput) as refused:
        read_json(request(json.dumps(body).encode()))
    assert {e["pointer"] for e in refused.value.errors} == {
        "/name", "/contact/producer_name", "/tags/1", "/bad\u2066key"}


def test_other_media_types_are_415():
    with pytest.raises(Problem) as refused:
        read_json(request(b"name=x", content_type="text/plain"))
    assert refused.value.status == 415


@pytest.mark.parametrize("header, expected", [
    (None, None), ("*", "*"), ('"7"', 7), (' "12" ', 12), ("W/\"7\"", -1), ("7", -1),
    ('"1", "2"', -1)])
def test_if_match_names_one_revision(header, expected):
    assert if_match(request(headers={"If-Match": header} if header else {})) == expected


def test_revisions_are_checked_as_rfc_9110_says():
    check_revision(3, 3)
    check_revision("*", 3)
    with pytest.raises(PreconditionRequired):
        check_revision(None, 3)
    with pytest.raises(PreconditionFailed):
        check_revision(2, 3)
    with pytest.raises(PreconditionFailed):
        check_revision(-1, 3)


@pytest.mark.parametrize("header, lang", [
    (None, None), ("en", "en"), ("en-US,en;q=0.8", "en"), ("vi-VN", "vi"), ("de", "vi"),
    ("de, en;q=0.5", "en")])
def test_the_language_of_the_answer(header, lang):
    assert language(request(headers={"Accept-Language": header} if header else {})) == lang


def test_texts_are_halved_only_when_written_in_two_halves():
    assert in_language("Không tìm thấy / Not found", "en") == "Not found"
    assert in_language("Không tìm thấy / Not found", "vi") == "Không tìm thấy"
    assert in_language("Không tìm thấy / Not found", None) == "Không tìm thấy / Not found"
    assert in_language("a / b / c", "en") == "a / b / c"
    assert in_language("application/json", "en") == "application/json"


def test_a_problem_lists_a_bounded_number_of_errors():
    errors = [{"pointer": f"/x{i}", "detail": "Sai / Wrong"} for i in range(100)]
    body = json.loads(problem_response(request(headers={"Accept-Language": "en"}), 422,
                                       "Sai / Wrong", "Sai / Wrong", errors).get_data())
    assert len(body["errors"]) == MAX_ERRORS and body["errors"][0]["detail"] == "Wrong"


def test_methods_served_at_a_path():
    assert methods_at("/api/v1/councils/central") == ["GET", "PUT"]
    assert methods_at("/api/v1/evaluations/e-1/scores/chair") == ["GET", "PUT"]
    assert methods_at("/api/v1/evaluations/e-1/scores/chair/more") == []
    assert methods_at("/api/v1/nothing") == []


@pytest.mark.parametrize("key, valid", [
    ("8e03978e-40d5-43e8-bc93-6894a57f9324", True), ('"quoted key"', True), ("x" * 255, True),
    ("", False), ("x" * 256, False), ("tiếng việt", False), ("a\\b", False)])
def test_idempotency_keys_are_printable_ascii(key, valid):
    assert bool(KEY.fullmatch(key)) == valid


def test_every_problem_type_is_explained_in_the_docs():
    listed = Path(__file__).resolve().parents[2].joinpath("docs", "api.md").read_text()
    for slug, (status, _) in PROBLEM_TYPES.items():
        assert f"| `{PROBLEM_TYPE}{slug}` | {status} |" in listed, slug
