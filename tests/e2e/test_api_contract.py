"""The served OpenAPI document is the contract: schemathesis calls every operation of the
live gateway with data generated from it (all checks) and finds no server error, no status
the document does not declare and no response outside its schema.

Generic: it reads the document the gateway serves, so operations added to ``gateway/api/``
are covered as they come. The caller holds every role that has a scope on the seeded
objects (a producer, its products, Vĩnh Long's council and its chair, a certificate its
authority recognised, a point of sale and a fair), so
that deep operations are reached rather than refused at the door. Statuses the checks
expect of a request valid by the schema are widened only for rules a JSON schema cannot say
(``configuration``).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chassis.provinces import COMMUNES
from tests.e2e.journeys import best_picks, council_of, criteria_set, lowered_picks, \
    new_product, open_evaluation, producer_registration, recognise, score, set_up_council

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
EXAMPLES_PER_OPERATION = 5
RUN_SECONDS = 540  # the run stops on its own well before; this only bounds a hang
# The generated calls change what they reach (a council reconstituted with "If-Match: *",
# sheets, decisions): a province of their own keeps the other tests' objects out of reach.
PROVINCE = "86"
SCOPE = f"province-{PROVINCE}"


COMMUNE = next(code for code, (_, province) in COMMUNES.items() if province == PROVINCE)


def registered_here(api, people):
    producer = api.post("/producers", {**producer_registration(), "province_code": PROVINCE,
                                       "commune_code": COMMUNE}).json()
    owner = people.producer(producer)
    return producer, owner, new_product(owner, producer["id"])


@pytest.fixture(scope="module")
def seeded(api, people):
    """Objects for the path parameters, in Vĩnh Long: an open evaluation the chair has
    scored, and a certified product."""
    set_up_council(people, SCOPE)
    producer, owner, product = registered_here(api, people)
    evaluation = open_evaluation(owner, product["id"])
    rice = criteria_set(api, "03")
    assert people.member("chair", SCOPE).post(f"/evaluations/{evaluation['id']}/scores", {
        "picks": best_picks(rice)}).status_code == 201
    _, other_owner, certified = registered_here(api, people)
    decided = score(people, open_evaluation(other_owner, certified["id"]),
                    council_of(lowered_picks(rice, drop=15)))
    code = recognise(people, decided)["code"]
    office = people.province_officer(PROVINCE)
    point_of_sale = office.post("/points-of-sale", {
        "name": "Điểm bán OCOP Vĩnh Long", "kind": "point_of_sale", "province_code": PROVINCE,
        "commune_code": COMMUNE, "opened_on": "2026-01-15", "operator": "HTX Vĩnh Long"})
    fair = office.post("/fairs", {"name": "Hội chợ OCOP Vĩnh Long", "province_code": PROVINCE,
                                  "venue": "Vĩnh Long", "starts_on": "2026-12-01",
                                  "ends_on": "2026-12-05"})
    assert point_of_sale.status_code == fair.status_code == 201, fair.text
    assert people.province_officer(PROVINCE).put(f"/plans/{PROVINCE}/{PLAN_YEAR}", {
        "reference": "1/KH-UBND", "adopted_on": f"{PLAN_YEAR}-01-15", "targets": [
            {"measure": "certified_new", "at_least": 10}]}).status_code == 200
    return {"producer_id": producer["id"], "product_id": product["id"],
            "evaluation_id": evaluation["id"], "scope": SCOPE, "member": "chair",
            "certificate": code, "point_of_sale_id": point_of_sale.json()["id"],
            "fair_id": fair.json()["id"]}


def configuration(seeded):
    """schemathesis.toml: the seeded objects as path parameters; the statuses a request
    valid by the schema may still get, for rules a JSON schema cannot say."""
    lines = ['[parameters]'] + [f'"path.{name}" = "{seeded[name]}"' for name in (
        "producer_id", "product_id", "evaluation_id", "scope", "member", "point_of_sale_id",
        "fair_id")] + [
        '"query.product_id" = "' + seeded["product_id"] + '"',
        '"query.producer_id" = "' + seeded["producer_id"] + '"',
        "",
        # A commune must be in its province, a sheet must answer the set's criteria, an
        # update must name the ETag last read, a closed evaluation takes no more sheets.
        "[checks.positive_data_acceptance]",
        'expected-statuses = ["2xx", "401", "403", "404", "409", "412", "422", "428"]',
        "",
        *certificate_operations(seeded["certificate"]),
        *plan_operations(),
        "[[operations]]",
        'include-operation-id = "get_criteria_set"',
        'parameters = { "path.code" = "03" }']
    return "\n".join(lines) + "\n"


CERTIFICATE_OPERATIONS = ("verify_certificate", "verification_page", "certificate_qr_svg",
                          "certificate_qr_png", "certificate_pdf", "revoke_certificate")


PLAN_OPERATIONS = ("record_province_plan", "get_province_plan", "report_plan_figure",
                   "plan_progress", "plan_progress_csv", "plan_progress_xlsx",
                   "plan_progress_svg", "plan_report_page")
PLAN_YEAR = 2026


def plan_operations():
    """The operations on a plan, given the province's recorded one."""
    for name in PLAN_OPERATIONS:
        yield from ("[[operations]]", f'include-operation-id = "{name}"',
                    f'parameters = {{ "path.province" = "{PROVINCE}", '
                    f'"path.year" = {PLAN_YEAR} }}', "")


def certificate_operations(code):
    """The operations on a certificate, given the seeded one (its revocation too: a revoked
    certificate still has its page, QR code and PDF)."""
    for name in CERTIFICATE_OPERATIONS:
        yield from ("[[operations]]", f'include-operation-id = "{name}"',
                    f'parameters = {{ "path.code" = "{code}" }}', "")


@pytest.mark.timeout(RUN_SECONDS + 60)  # 79 operations: the run alone takes ~5 minutes here
def test_every_operation_keeps_to_the_served_document(stack, people, seeded, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(configuration(seeded))
    token = people.issuer.token(
        ["admin", "province_officer", "province_authority", "council_member",
         "advisory_member", "producer"], subject="chair",
        province=PROVINCE, councils=[SCOPE], producers=[seeded["producer_id"]])
    report = tmp_path / "report.json"
    run = subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(config), "run",
         f"{stack.gateway_url}/api/v1/openapi.json", "--checks", "all",
         "--header", f"Authorization: Bearer {token}", "--workers", "2",
         "--max-examples", str(EXAMPLES_PER_OPERATION), "--seed", "26",
         "--phases", "examples,coverage,fuzzing", "--request-timeout", "20",
         "--generation-database", "none", "--no-color", "--report", "json",
         "--report-json-path", str(report)],
        capture_output=True, text=True, timeout=RUN_SECONDS, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout or "passed" in run.stdout, run.stdout[-3000:]
    if report.exists():
        json.loads(report.read_text())  # a complete run writes a readable report
