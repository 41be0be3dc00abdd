"""One correlation id follows a request: answered in the response, carried by every event
it causes (the CloudEvents extension ``correlationid``), onwards through the consumers'
own events, and written in the log lines of every process on its way. Refusals a caller
can act on are logged as one INFO line, without a traceback."""
import json
import uuid

from tests.conftest import wait_until
from tests.e2e.journeys import forwarded, registered


def log_lines(stack, process):
    # One JSON object a line, lines end at "\n" only: a logged path may hold U+0085 or
    # U+2028, which str.splitlines would also break at.
    lines = (stack.log_dir / f"{process}.log").read_text(errors="replace").split("\n")
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_a_request_s_id_follows_it_through_rpc_events_and_logs(api, people, stack, tap):
    correlation_id = f"journey-{uuid.uuid4().hex[:12]}"
    producer, owner, product = registered(api, people)
    forwarded(owner, product["id"])
    office = people.province_officer("91")
    office.http.headers["X-Correlation-Id"] = correlation_id
    assert office.post(f"/products/{product['id']}/dossier/completeness").status_code == 200
    proposed = office.post(f"/products/{product['id']}/proposal")
    assert proposed.status_code == 202
    assert proposed.headers["X-Correlation-Id"] == correlation_id
    submitted = tap.wait_for("product.submitted", f"products/{product['id']}")
    opened = tap.wait_for("evaluation.opened", f"products/{product['id']}")
    assert submitted["correlationid"] == opened["correlationid"] == correlation_id
    for process in ("gateway", "registration", "evaluation"):
        wait_until(lambda: any(line.get("correlation_id") == correlation_id
                               for line in log_lines(stack, process)),
                   what=f"a {process} log line with the correlation id")
    published = [line for line in log_lines(stack, "registration")
                 if line["message"].startswith("product.submitted ")
                 and line.get("correlation_id") == correlation_id]
    assert published and product["id"] in published[0]["message"]


def test_the_gateway_answers_the_id_it_was_given_or_a_new_one(api):
    given = api.get("/categories", headers={"X-Correlation-Id": "abc-123"})
    assert given.headers["X-Correlation-Id"] == "abc-123"
    made = api.get("/categories", headers={"X-Correlation-Id": "not ok; <script>"})
    assert made.headers["X-Correlation-Id"] not in ("", "not ok; <script>")
    uuid.UUID(made.headers["X-Correlation-Id"])


def test_a_refusal_is_one_info_line_without_traceback(api, people, stack):
    correlation_id = f"refusal-{uuid.uuid4().hex[:12]}"
    response = people.admin().get(f"/producers/{uuid.uuid4()}",
                                  headers={"X-Correlation-Id": correlation_id})
    assert response.status_code == 404
    lines = wait_until(lambda: [line for line in log_lines(stack, "registration")
                                if line.get("correlation_id") == correlation_id
                                and "(expected)" in line["message"]],
                       what="the refusal's log line")
    assert [line["level"] for line in lines] == ["INFO"]
    assert "exception" not in lines[0]
