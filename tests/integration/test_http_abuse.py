"""Slow and oversized clients against a real gateway process, and the operations
endpoints kept off the public port."""
import socket
import threading
import time

import pytest
import requests

from scripts import devstack
from tests.conftest import UNLIMITED

DEADLINE = 2  # seconds for the headers, and again for the body, in this gateway only
MAX_HEADER_BYTES = 4096
SLOW_CLIENTS = 24  # more than the gateway's 10 workers
PROMPT = 2.0  # seconds a normal request may take while the slow clients hold on


@pytest.fixture(scope="module")
def gateway(stack, amqp_uri, mongo_uri, issuer, tmp_path_factory):
    """A second gateway with short deadlines beside the stack's: same broker, same services."""
    process = devstack.Stack(
        amqp_uri, mongo_uri, ports={"gateway": devstack.free_port()},
        ops_ports={"gateway": devstack.free_port()},
        log_dir=tmp_path_factory.mktemp("abuse-logs"),
        extra_env={**issuer.gateway_settings(), **UNLIMITED,
                   "HTTP_HEADER_TIMEOUT_SECONDS": str(DEADLINE),
                   "HTTP_BODY_TIMEOUT_SECONDS": str(DEADLINE),
                   "HTTP_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES)})
    try:
        yield process.start("gateway").wait_ready(60)
    finally:
        process.stop()


def dribble(port, opening, outcome):
    """Send ``opening``, then one byte a second until the server answers and closes;
    record how long the connection lived and what came back."""
    started = time.monotonic()
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(opening)
        sock.settimeout(1)
        while time.monotonic() - started < DEADLINE + 5:
            try:
                sock.sendall(b"a")
                data = sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            answer += data
    outcome.append((time.monotonic() - started, answer))


def assert_problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["type"].startswith("urn:ocop:problem:")
    assert " / " in problem["title"] and problem["detail"]
    return problem


def test_slow_clients_are_cut_and_starve_no_one(gateway):
    port = gateway.ports["gateway"]
    base = gateway.gateway_url + "/api/v1"
    assert requests.get(base + "/categories", timeout=10).status_code == 200  # RPC warmed up
    headers_first = (b"GET /api/v1/categories HTTP/1.1\r\nHost: ocop\r\n"
                     b"X-Slow: ")
    body_first = (b"POST /api/v1/producers HTTP/1.1\r\nHost: ocop\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
    idle = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE + 5)
    outcomes = {"headers": [], "body": []}
    slow = [threading.Thread(target=dribble, args=(port, opening, outcomes[kind]))
            for kind, opening in (("headers", headers_first), ("body", body_first))
            for _ in range(SLOW_CLIENTS // 2)]
    for thread in slow:
        thread.start()
    time.sleep(0.3)  # every slow client has connected and started to dribble

    durations = []
    normal = requests.Session()
    while any(thread.is_alive() for thread in slow) and len(durations) < 40:
        started = time.monotonic()
        listed = normal.get(base + "/categories", timeout=10)
        refused = normal.post(base + "/producers", json={"name": ""}, timeout=10)
        durations.append(time.monotonic() - started)
        assert listed.status_code == 200 and refused.status_code == 422, refused.text
        time.sleep(0.1)
    normal.close()  # an idle kept-alive connection would be cut too, and counted
    for thread in slow:
        thread.join(DEADLINE + 6)

    assert idle.recv(4096) == b"", "a connection that never sent a byte is closed silently"
    idle.close()
    assert len(durations) >= 5 and max(durations) < PROMPT, durations
    for kind, outcome in outcomes.items():
        assert len(outcome) == SLOW_CLIENTS // 2
        for lived, answer in outcome:
            assert DEADLINE - 0.2 < lived < DEADLINE + 2, (kind, lived)
            assert answer.startswith(b"HTTP/1.1 408 "), (kind, answer)
            assert b"application/problem+json" in answer and b"Request timeout" in answer

    metrics = requests.get(gateway.ops_url("gateway") + "/metrics", timeout=5).text
    assert f'ocop_http_refused_total{{service="gateway",status="408"}} {SLOW_CLIENTS}.0' \
        in metrics


def test_oversized_and_unbounded_requests_are_refused(gateway):
    base = gateway.gateway_url + "/api/v1"
    json_header = {"Content-Type": "application/json"}
    too_large = requests.post(base + "/producers", data=b"[" + b"1," * 140_000 + b"1]",
                              headers=json_header, timeout=10)
    assert assert_problem(too_large, 413)["instance"] == "/api/v1/producers"
    chunked = requests.post(base + "/producers", data=iter([b'{"name": ', b'"x"}']),
                            headers=json_header, timeout=10)
    assert_problem(chunked, 411)
    crowded = requests.get(base + "/categories", timeout=10,
                           headers={"X-Padding": "x" * MAX_HEADER_BYTES})
    assert_problem(crowded, 431)
    assert requests.get(base + "/categories", timeout=10).status_code == 200


def test_operations_endpoints_only_on_the_operations_port(stack):
    for path in ("/livez", "/readyz", "/metrics"):
        assert_problem(requests.get(stack.gateway_url + path, timeout=5), 404)
    for name in devstack.PROCESSES:
        assert requests.get(stack.ops_url(name) + "/livez", timeout=5).status_code == 200
        ready = requests.get(stack.ops_url(name) + "/readyz", timeout=5)
        assert ready.status_code == 200 and ready.json()["ready"] is True, name
        metrics = requests.get(stack.ops_url(name) + "/metrics", timeout=5)
        assert "ocop_entrypoint_calls_total" in metrics.text, name
        assert requests.get(stack.ops_url(name) + "/api/v1/categories",
                            timeout=5).status_code == 404, name
