"""Every command is done by an identified caller and recorded: who (subject, roles,
address), what, on which object, when, and how it ended; a command that arrives without
an identity is refused by the service itself."""
import uuid

from kombu import Connection, Exchange, Queue

from chassis.rpc import reply_key
from tests.e2e.journeys import best_picks, council_of, criteria_set, lowered_picks, \
    open_evaluation, recognise, registered, score, submit_sheets
from tests.e2e.test_bad_input import assert_problem


def trail(reader, **query):
    response = reader.get("/audit", params=query)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json()


def test_commands_are_recorded_with_who_what_and_when(api, people, councils):
    producer, owner, product = registered(api, people)
    evaluation = open_evaluation(owner, product["id"])
    picks = best_picks(criteria_set(api, "03"))
    submit_sheets(people, evaluation, {"member-2": picks})
    assert people.member("member-2").post(f"/evaluations/{evaluation['id']}/scores",
                                          {"picks": picks}).status_code == 409

    entries = trail(people.province_officer("91"), limit="500")
    assert all(e["province"] == "91" for e in entries)
    registration = next(e for e in entries if e.get("result_id") == producer["id"])
    assert registration["action"] == "registration.register_producer"
    assert registration["actor"]["subject"] == "anonymous"
    assert registration["actor"]["address"] == "127.0.0.1"
    assert registration["outcome"] == "done" and registration["at"] <= registration["ended_at"]

    product_entry = next(e for e in entries if e.get("result_id") == product["id"]
                         and e["action"] == "registration.register_product")
    assert product_entry["actor"]["roles"] == ["producer"]
    assert product_entry["object"] == f"producers/{producer['id']}"

    sheets = [e for e in entries if e["object"] == f"evaluations/{evaluation['id']}"
              and e["action"] == "evaluation.record_sheet"]
    assert sorted(e["outcome"] for e in sheets) == ["done", "refused 409"]
    assert {e["actor"]["subject"] for e in sheets} == {"member-2"}
    assert all(e["actor"]["roles"] == ["council_member"] for e in sheets)


def test_a_recognition_is_in_the_province_s_trail(api, people, councils):
    _, owner, product = registered(api, people)
    decided = score(people, open_evaluation(owner, product["id"]),
                    council_of(lowered_picks(criteria_set(api, "03"), drop=15)))
    certificate = recognise(people, decided, reference="77/QĐ-UBND")
    entries = trail(people.province_officer("91"), limit="500")
    recognition = next(e for e in entries if e["action"] == "certification.recognise"
                       and e["object"] == f"results/{decided['id']}")
    assert recognition["outcome"] == "done" and recognition["province"] == "91"
    assert recognition["actor"]["roles"] == ["province_authority"]
    assert certificate["code"].startswith("OCOP-91-")


def test_each_reads_the_trail_of_their_own_scope(api, people, councils):
    registered(api, people, "79")
    assert all(e["province"] == "79" for e in trail(people.province_officer("79")))
    assert_problem(people.province_officer("79").get("/audit", params={"province": "91"}),
                   403)
    assert {e["province"] for e in trail(people.admin(), limit="500")} >= {"91", "79"}
    assert_problem(people.producer({"id": "p"}).get("/audit"), 403)
    assert_problem(people.admin().get("/audit", params={"limit": "0"}), 422)


def call_without_identity(amqp_uri, service, method, *args):
    """An RPC request as nameko sends one, with no caller in its headers; the error the
    service answers with."""
    reply_id = uuid.uuid4()
    key = reply_key("tester", reply_id)
    rpc = Exchange("nameko-rpc", type="topic", durable=True, no_declare=True)
    replies = []
    with Connection(amqp_uri) as connection:
        queue = Queue(f"rpc.reply-tester-{reply_id}", exchange=rpc, routing_key=key,
                      exclusive=True, auto_delete=True)(connection.channel())
        queue.declare()
        with connection.Consumer(queue, callbacks=[lambda body, message: (
                replies.append(body), message.ack())], accept=["json"]):
            connection.Producer().publish(
                {"args": list(args), "kwargs": {}}, exchange=rpc, serializer="json",
                routing_key=f"{service}.{method}", reply_to=key,
                correlation_id=str(uuid.uuid4()))
            while not replies:
                connection.drain_events(timeout=15)
    return replies[0]["error"]


def test_a_command_without_an_identity_is_refused_by_the_service(amqp_uri, stack):
    for service, method, args in (("registration", "register_producer", [{"name": "x"}]),
                                  ("evaluation", "decide", ["any-evaluation"])):
        error = call_without_identity(amqp_uri, service, method, *args)
        assert error["exc_type"] == "Unauthenticated", error
        assert "identity" in error["value"]
