"""The commune's reminder against the real driver and store, on a day of the test's choosing:
announced once per filing even by sweeps running at the same moment, to a dossier still with
its commune only (Decision 26/2026 Art. 7.2)."""
import threading
from datetime import date, timedelta

from services.registration import workflow
from services.registration.working_days import REMINDER_WORKING_DAYS
from tests.integration.test_product_codes import COMMUNE_OFFICER, FORM_03, file, \
    registered_products, store  # noqa: F401 (the fixture)

APPROACHING = "vn.gov.ocop.dossier.deadline_approaching.v1"


def reminders(store, product_id):
    """The reminders waiting in the product's outbox."""
    document = store.products.find_one({"_id": product_id})
    return [e for e in document["outbox"].values() if e["type"] == APPROACHING]


def sweep_at_once(store, day, sweeps=4):
    threads = [threading.Thread(target=workflow.remind_communes,
                                args=(store, day, REMINDER_WORKING_DAYS))
               for _ in range(sweeps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_sweeps_at_the_same_moment_remind_the_commune_once(store):
    held, in_time = registered_products(store, 2)
    dossier = file(store, held)["dossier"]
    file(store, in_time)
    workflow.review_dossier(store, in_time, {"form_03": FORM_03, "samples": 5},
                            COMMUNE_OFFICER)
    deadline = date.fromisoformat(dossier["deadline_on"])
    day = deadline - timedelta(days=1)  # one working day left: the deadline
    sweep_at_once(store, day - timedelta(days=7))  # a week before: not yet
    assert reminders(store, held) == []
    sweep_at_once(store, day)
    workflow.remind_communes(store, day + timedelta(days=1), REMINDER_WORKING_DAYS)
    [reminder] = reminders(store, held)
    assert reminder["data"] == {
        "product_id": held, "producer_id": reminder["data"]["producer_id"],
        "province_code": "91", "commune_code": COMMUNE_OFFICER.commune,
        "form_number": dossier["form_number"], "deadline": deadline.isoformat(),
        "working_days_left": 1}
    assert reminders(store, in_time) == []
    # A process that listed the dossier before another claimed it: its claim is refused.
    assert not store.claim_reminder(held, dossier["form_number"], day.isoformat(), [
        {**reminder, "id": "a-second-reminder"}])
    assert len(reminders(store, held)) == 1
