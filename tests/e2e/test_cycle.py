"""The cycle before evaluation through the real gateway, services and RabbitMQ: product
ideas and business plans (steps 2–3), support (step 4), the dossier with its evidence
files, the commune's review, the province's check and proposal, the product code and the
timeline — each act by the role that does it, the others refused."""
import base64
import hashlib
import re
from datetime import date

from chassis.events import utc_now
from services.registration import evidence
from services.registration.working_days import commune_review_deadline, vietnam_date
from tests.conftest import wait_until
from tests.e2e.journeys import FORM_03, COMMUNES, file_dossier, forwarded, registered, \
    self_assessment
from tests.e2e.test_bad_input import assert_problem

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def upload(owner, product_id, filename, content):
    return owner.post(f"/products/{product_id}/evidence", {
        "filename": filename, "content": base64.b64encode(content).decode()})


def today():
    return vietnam_date(utc_now())


# Steps 2–4 ------------------------------------------------------------------------------

def test_an_idea_is_returned_corrected_and_accepted_by_the_commune(api, people, tap):
    producer, owner, _ = registered(api, people)
    commune = people.commune_officer("91", COMMUNES["91"])
    idea = owner.post("/ideas", {"producer_id": producer["id"], "title": "Gạo hữu cơ",
                                 "description": "Gạo trồng theo hướng hữu cơ"})
    assert idea.status_code == 201, idea.text
    idea = idea.json()
    assert idea["status"] == "submitted" and idea["commune_code"] == COMMUNES["91"]
    path = f"/ideas/{idea['id']}"

    assert_problem(owner.post(f"{path}/decision", {"outcome": "accepted"}), 403)
    assert_problem(people.commune_officer("91", "30307").post(
        f"{path}/decision", {"outcome": "accepted"}), 404)  # another commune
    assert_problem(people.province_officer().post(f"{path}/decision",
                                                  {"outcome": "accepted"}), 403)
    assert_problem(commune.post(f"{path}/decision", {"outcome": "returned"}), 422, "/reasons")
    returned = commune.post(f"{path}/decision", {"outcome": "returned",
                                                 "reasons": ["Chưa rõ vùng nguyên liệu"]})
    assert returned.json()["status"] == "returned"
    assert_problem(commune.post(f"{path}/decision", {"outcome": "accepted"}), 409)
    assert_problem(commune.put(path, {"title": "Gạo hữu cơ", "description": "x"}), 403)
    corrected = owner.put(path, {"title": "Gạo hữu cơ Phú Tân",
                                 "description": "Vùng nguyên liệu 20 ha tại xã"})
    assert corrected.json()["status"] == "submitted"
    assert_problem(owner.put(path, {"title": "Lần nữa", "description": "x"}), 409)
    accepted = commune.post(f"{path}/decision", {"outcome": "accepted"}).json()

    assert accepted["status"] == "accepted" and accepted["title"] == "Gạo hữu cơ Phú Tân"
    assert [(h["status"], h["by"]["roles"], h["reasons"]) for h in accepted["history"]] == [
        ("submitted", ["producer"], []),
        ("returned", ["commune_officer"], ["Chưa rõ vùng nguyên liệu"]),
        ("submitted", ["producer"], []), ("accepted", ["commune_officer"], [])]
    subject = f"ideas/{idea['id']}"
    tap.wait_for("idea.accepted", subject)
    assert len(tap.events("idea.submitted", subject)) == 2
    [sent_back] = tap.events("idea.returned", subject)
    assert sent_back["data"]["reasons"] == ["Chưa rõ vùng nguyên liệu"]
    assert sent_back["source"] == "/ocop/registration"


def test_a_plan_needs_an_accepted_idea_and_support_an_accepted_plan(api, people, tap):
    producer, owner, _ = registered(api, people)
    commune = people.commune_officer("91", COMMUNES["91"])
    idea = owner.post("/ideas", {"producer_id": producer["id"], "title": "Mắm cá linh",
                                 "description": "Mắm theo cách truyền thống"}).json()
    plan = {"idea_id": idea["id"], "title": "Phương án sản xuất mắm 2027",
            "summary": "Xưởng 200 m², 12 lao động", "budget_vnd": 850_000_000}
    assert_problem(owner.post("/plans", plan), 409, "/idea_id")
    commune.post(f"/ideas/{idea['id']}/decision", {"outcome": "accepted"})
    assert_problem(people.calling(["producer"], producers=["someone-else"]).post(
        "/plans", plan), 404)
    created = owner.post("/plans", plan)
    assert created.status_code == 201, created.text
    path = f"/plans/{created.json()['id']}"
    support = {"kind": "training", "description": "Tập huấn an toàn thực phẩm",
               "given_on": today().isoformat()}
    assert_problem(commune.post(f"{path}/support", support), 409)
    commune.post(f"{path}/decision", {"outcome": "returned", "reasons": ["Thiếu dòng tiền"]})
    owner.put(path, {**{k: plan[k] for k in ("title", "summary")}, "budget_vnd": 900_000_000})
    assert_problem(owner.post(f"{path}/decision", {"outcome": "accepted"}), 403)
    assert commune.post(f"{path}/decision", {"outcome": "accepted"}).json()[
        "status"] == "accepted"

    assert_problem(owner.post(f"{path}/support", support), 403)
    assert_problem(commune.post(f"{path}/support", {**support, "kind": "gift"}), 422, "/kind")
    assert_problem(commune.post(f"{path}/support", {**support, "given_on": "2099-01-01"}),
                   422, "/given_on")
    assert commune.post(f"{path}/support", support).status_code == 201
    credit = people.province_officer().post(f"{path}/support", {
        "kind": "credit", "description": "Vay ưu đãi qua Ngân hàng Chính sách xã hội",
        "given_on": today().isoformat(), "amount_vnd": 300_000_000})
    assert credit.status_code == 201, credit.text
    recorded = owner.get(path).json()
    assert recorded["budget_vnd"] == 900_000_000
    assert [(s["kind"], s["by"]["roles"]) for s in recorded["support"]] == [
        ("training", ["commune_officer"]), ("credit", ["province_officer"])]
    subject = f"plans/{recorded['id']}"
    tap.wait_for("plan.accepted", subject)
    assert [len(tap.events(k, subject)) for k in ("plan.submitted", "plan.returned")] == [2, 1]
    supported = wait_until(lambda: (lambda found: found if len(found) == 2 else None)(
        tap.events("plan.supported", subject)), what="both supports")
    assert [(e["data"]["kind"], e["data"]["amount_vnd"]) for e in supported] == [
        ("training", None), ("credit", 300_000_000)]


# The dossier ------------------------------------------------------------------------------

def test_evidence_files_are_kept_unchanged_and_checked_for_what_they_are(api, people, stack):
    producer, owner, product = registered(api, people)
    stored = upload(owner, product["id"], "kiem-nghiem.pdf", PDF)
    assert stored.status_code == 201, stored.text
    stored = stored.json()
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert stored["content_type"] == "application/pdf" and stored["size"] == len(PDF)
    for reader in (owner, people.commune_officer(), people.province_officer()):
        back = reader.get(f"/products/{product['id']}/evidence/{stored['id']}").json()
        assert base64.b64decode(back["content"]) == PDF and back["sha256"] == stored["sha256"]
    assert_problem(people.commune_officer().post(f"/products/{product['id']}/evidence", {
        "filename": "a.pdf", "content": base64.b64encode(PDF).decode()}), 403)

    lying = assert_problem(upload(owner, product["id"], "nhan-mac.jpg", PNG), 422, "/filename")
    assert "image/png" in lying["errors"][0]["detail"]
    assert_problem(upload(owner, product["id"], "ghi-chu.pdf", "chỉ là chữ".encode()), 422,
                   "/content")
    largest = PDF + b"\0" * (evidence.MAX_BYTES - len(PDF))
    assert upload(owner, product["id"], "lon.pdf", largest).status_code == 201
    assert_problem(upload(owner, product["id"], "qua-lon.pdf", largest + b"\0"), 422, "/content")
    # Beyond the HTTP body limit: refused by the server before any worker reads it.
    too_big = upload(owner, product["id"], "rat-lon.pdf", largest * 2)
    assert too_big.status_code == 413


def test_a_dossier_from_filing_to_proposal(api, people, tap):
    producer, owner, product = registered(api, people)
    product_id, subject = product["id"], f"products/{product['id']}"
    commune = people.commune_officer("91", COMMUNES["91"])
    office = people.province_officer("91")
    proof = upload(owner, product_id, "giay-dkkd.pdf", PDF).json()
    _, stranger, strangers = registered(api, people)
    theirs = upload(stranger, strangers["id"], "cua-nguoi-khac.pdf", PDF).json()

    partial = self_assessment(owner, "03")[1:]
    assert_problem(owner.post(f"/products/{product_id}/dossier",
                              {"self_assessment": partial}), 422, "/self_assessment")
    assert_problem(file_dossier(owner, product_id, evidence=[theirs["id"]]), 422,
                   "/self_assessment/0/evidence/0")
    assert_problem(file_dossier(commune, product_id), 403)
    assert_problem(people.province_officer().post(f"/products/{product_id}/proposal"), 409)

    filed = file_dossier(owner, product_id, evidence=[proof["id"]])
    assert filed.status_code == 201, filed.text
    dossier = filed.json()["dossier"]
    assert filed.json()["stage"] == "filed"
    assert re.fullmatch(rf"\d+/PĐK-91-{COMMUNES['91']}-{today().year}", dossier["form_number"])
    assert dossier["received_on"] == today().isoformat()
    assert dossier["deadline_on"] == commune_review_deadline(today()).isoformat()
    assert dossier["self_assessment"][0]["evidence"] == [proof["id"]]
    assert_problem(file_dossier(owner, product_id), 409)

    review = f"/products/{product_id}/dossier/commune-review"
    assert_problem(owner.post(review, {"form_03": FORM_03, "samples": 5}), 403)
    assert_problem(people.commune_officer("91", "30307").post(
        review, {"form_03": FORM_03, "samples": 5}), 404)
    assert_problem(commune.post(review, {"form_03": FORM_03, "samples": 4}), 422, "/samples")
    assert_problem(commune.post(review, {"form_03": {**FORM_03, "local_labour": ""},
                                         "samples": 5}), 422, "/form_03/local_labour")
    assert_problem(office.post(f"/products/{product_id}/dossier/return",
                               {"reasons": ["x"]}), 409)  # the commune holds it
    returned = commune.post(f"/products/{product_id}/dossier/return",
                            {"reasons": ["Thiếu giấy chứng nhận ATTP"]})
    assert returned.json()["stage"] == "returned"

    assert forwarded(owner, product_id)["stage"] == "forwarded"
    assert_problem(commune.post(f"/products/{product_id}/dossier/return",
                                {"reasons": ["x"]}), 409)  # now the province holds it
    assert_problem(office.post(f"/products/{product_id}/proposal"), 409)  # not checked yet
    assert_problem(commune.post(f"/products/{product_id}/dossier/completeness"), 403)
    assert office.post(f"/products/{product_id}/dossier/completeness").status_code == 200
    office.post(f"/products/{product_id}/dossier/return",
                {"reasons": ["Bổ sung phiếu kiểm nghiệm còn hạn"]})
    assert forwarded(owner, product_id)["stage"] == "forwarded"
    assert_problem(office.post(f"/products/{product_id}/proposal"), 409)  # checked again?
    office.post(f"/products/{product_id}/dossier/completeness")
    proposed = office.post(f"/products/{product_id}/proposal")
    assert proposed.status_code == 202, proposed.text
    proposed = proposed.json()
    year = today().year
    assert re.fullmatch(rf"91-{COMMUNES['91']}-\d+-{year}", proposed["product_code"])
    assert_problem(office.post(f"/products/{product_id}/proposal"), 409)

    submitted = tap.wait_for("product.submitted", subject)
    assert submitted["data"]["proposed_on"] == today().isoformat()
    assert submitted["data"]["product_code"] == proposed["product_code"]
    assert len(tap.events("product.submitted", subject)) == 1
    assert len(tap.events("dossier.submitted", subject)) == 3
    assert [e["data"]["by_level"] for e in tap.events("dossier.returned", subject)] == [
        "commune", "province"]
    assert len(tap.events("dossier.forwarded", subject)) == 2
    assert tap.events("dossier.reviewed_by_commune", subject)[0]["data"]["samples"] == 5

    def timeline():
        entries = owner.get(f"/products/{product_id}/timeline").json()
        return entries if entries[-1]["stage"] == "under_evaluation" else None
    entries = wait_until(timeline, what="the evaluation in the timeline")
    assert [(e["stage"], e["by"]["roles"]) for e in entries] == [
        ("registered", ["producer"]),
        ("filed", ["producer"]), ("returned", ["commune_officer"]),
        ("filed", ["producer"]), ("forwarded", ["commune_officer"]),
        ("returned", ["province_officer"]),
        ("filed", ["producer"]), ("forwarded", ["commune_officer"]),
        ("submitted", ["province_officer"]), ("under_evaluation", [])]
    assert entries[2]["reasons"] == ["Thiếu giấy chứng nhận ATTP"]
    assert entries[5]["reasons"] == ["Bổ sung phiếu kiểm nghiệm còn hạn"]
    assert entries[-1]["by"]["subject"] == "service:evaluation"
    assert entries[-2]["details"]["product_code"] == proposed["product_code"]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    assert_problem(people.commune_officer("91", "30307").get(
        f"/products/{product_id}/timeline"), 404)


def test_community_tourism_goes_without_samples(api, people):
    producer, owner, product = registered(api, people, category="26", name="Làng nổi Tân Lập")
    assert file_dossier(owner, product["id"]).status_code == 201
    commune = people.commune_officer("91", COMMUNES["91"])
    review = f"/products/{product['id']}/dossier/commune-review"
    assert_problem(commune.post(review, {"form_03": FORM_03, "samples": 5}), 422, "/samples")
    assert commune.post(review, {"form_03": FORM_03, "samples": 0}).json()[
        "stage"] == "forwarded"


def test_the_communes_deadline_across_tet_and_the_overdue_list(api, people):
    """Received by the commune on Friday 6 February 2026: Tết Bính Ngọ (16–20 February)
    is skipped, so the 15 working days end on 6 March, not 27 February; the dossier is
    long overdue now and the province sees it. Days the province adds move it again."""
    producer, owner, product = registered(api, people, "80")
    commune = people.commune_officer("80", COMMUNES["80"])
    assert file_dossier(owner, product["id"]).status_code == 201
    receipt = f"/products/{product['id']}/dossier/receipt"
    assert_problem(owner.put(receipt, {"received_on": "2026-02-06"}), 403)
    assert_problem(commune.put(receipt, {"received_on": "2099-01-01"}), 422, "/received_on")
    dossier = commune.put(receipt, {"received_on": "2026-02-06"}).json()["dossier"]
    assert dossier["deadline_on"] == "2026-03-06"
    office = people.province_officer("80")
    overdue = office.get("/provinces/80/overdue-dossiers").json()
    [mine] = [d for d in overdue if d["id"] == product["id"]]
    assert mine["deadline_on"] == "2026-03-06" and mine["form_number"] == dossier["form_number"]
    assert_problem(people.province_officer("91").get("/provinces/80/overdue-dossiers"), 403)
    assert_problem(commune.get("/provinces/80/overdue-dossiers"), 403)

    assert_problem(office.put("/provinces/80/days-off", {"days": ["not-a-day"]}), 422)
    days = office.put("/provinces/80/days-off", {"days": ["2026-02-13", "2026-02-12"]})
    assert days.json() == {"province_code": "80", "days": ["2026-02-12", "2026-02-13"]}
    moved = commune.put(receipt, {"received_on": "2026-02-06"}).json()["dossier"]
    assert moved["deadline_on"] == "2026-03-10"
    assert date.fromisoformat(moved["deadline_on"]) < today()
    assert commune.post(f"/products/{product['id']}/dossier/commune-review",
                        {"form_03": FORM_03, "samples": 5}).status_code == 200
    assert product["id"] not in [d["id"] for d in
                                 office.get("/provinces/80/overdue-dossiers").json()]
