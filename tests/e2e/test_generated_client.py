"""A front-end developer's view: a Python client generated from the served OpenAPI document
with openapi-python-client drives the whole journey, and every answer parses into its
typed model (none falls back to ``None`` or to a bare dict)."""
import importlib
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import wait_until
from tests.e2e.journeys import COMMUNES, FORM_03, MEMBERS, council_of, lowered_picks, tax_code, \
    vietnam_today

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "ocop_api_client"


@pytest.fixture(scope="module")
def client_package(stack, tmp_path_factory):
    """The client, generated at test time from the document the gateway serves."""
    directory = tmp_path_factory.mktemp("generated")
    config = directory / "generator.yaml"
    # The generator reads JSON and text bodies itself; binary ones it is told to leave raw.
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n"
                      "content_type_overrides:\n"
                      "  image/png: application/octet-stream\n"
                      "  application/pdf: application/octet-stream\n"
                      "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: "
                      "application/octet-stream\n"
                      "  text/csv: text/plain\n"
                      "  image/svg+xml: text/plain\n")
    run = subprocess.run(
        [str(GENERATOR), "generate", "--url", f"{stack.gateway_url}/api/v1/openapi.json",
         "--meta", "none", "--output-path", str(directory / PACKAGE), "--config",
         str(config)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(directory))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(directory))


def typed(response, model, status=200):
    """The parsed body of a ``Response``, checked to be of ``model``."""
    assert response.status_code == status, response.content
    if isinstance(model, tuple):  # a list of items
        assert isinstance(response.parsed, list)
        assert all(isinstance(item, model[0]) for item in response.parsed)
    else:
        assert isinstance(response.parsed, model), response.parsed
    return response.parsed


def test_the_whole_journey_through_the_generated_client(client_package, stack, people,
                                                        councils):
    from ocop_api_client import AuthenticatedClient, Client  # noqa: E402
    from ocop_api_client.api.catalogue import get_criteria_set, list_categories
    from ocop_api_client.api.certification import certificate_pdf, certificate_qr_png, \
        list_certificates, list_certified_products, recognise_result, verification_page, \
        verify_certificate
    from ocop_api_client.api.evaluation import decide, get_council, get_evaluation, \
        get_sheet, list_evaluations, record_sheet, rescore, set_council
    from ocop_api_client.api.registration import check_completeness, file_dossier, \
        get_producer, get_product, list_producers, list_products, propose_product, \
        register_producer, register_product, review_dossier
    from ocop_api_client import models

    def as_caller(token):
        return AuthenticatedClient(base_url=stack.gateway_url, token=token, timeout=20)

    anonymous = Client(base_url=stack.gateway_url, timeout=20)
    categories = typed(list_categories.sync_detailed(client=anonymous), (models.Category,))
    assert len(categories) == 26

    # A producer registers itself; the retry with the same key gets the same producer.
    registration = models.NewProducer(
        name="HTX Bánh tráng Mỹ Lồng", kind=models.NewProducerKind.COOPERATIVE,
        tax_code=tax_code(), province_code=models.ProvinceCode.AN_GIANG,
        commune_code=models.NewProducerCommuneCode(COMMUNES["91"]),
        legal_representative=models.Representative(name="Trần Thị Bình", position="Giám đốc"),
        contact=models.Contact(email="banhtrang@example.vn", phone="0275 3860 111"))
    key = str(uuid.uuid4())
    producer = typed(register_producer.sync_detailed(
        client=anonymous, body=registration, idempotency_key=key), models.Producer, 201)
    again = typed(register_producer.sync_detailed(
        client=anonymous, body=registration, idempotency_key=key), models.Producer, 201)
    assert again.id == producer.id
    owner = as_caller(people.issuer.token(["producer"], producers=[producer.id]))
    assert typed(get_producer.sync_detailed(producer.id, client=owner),
                 models.Producer).tax_code == registration.tax_code

    product = typed(register_product.sync_detailed(client=owner, body=models.NewProduct(
        producer_id=producer.id, name="Bánh tráng phơi sương", category="03")),
        models.Product, 201)
    # Found by its name written without accents, as a typed page.
    found = typed(list_products.sync_detailed(client=owner, name="banh TRANG phoi suong"),
                  (models.Product,))
    assert [item.id for item in found] == [product.id]
    makers = typed(list_producers.sync_detailed(
        client=as_caller(people.issuer.token(["province_officer"], province="91")),
        name="htx banh trang MY LONG", limit=200), (models.ProducerSummary,))
    assert producer.id in {item.id for item in makers}
    # The dossier: filed with the commune, forwarded by it, proposed by the province's office.
    codes = [c["code"] for part in typed(get_criteria_set.sync_detailed(
        "03", client=anonymous), models.CriteriaSet).to_dict()["parts"]
        for section in part["sections"] for c in section["criteria"]]
    filed = typed(file_dossier.sync_detailed(product.id, client=owner,
                                             body=models.DossierFiling.from_dict({
                                                 "kind": "first", "self_assessment": [
                                                     {"criterion": code, "option": None,
                                                      "evidence": []} for code in codes]})),
                  models.Product, 201)
    assert filed.stage == models.ProductStage.FILED
    commune = as_caller(people.issuer.token(["commune_officer"], province="91",
                                            commune=COMMUNES["91"]))
    typed(review_dossier.sync_detailed(product.id, client=commune,
                                       body=models.CommuneReview.from_dict({
                                           "form_03": FORM_03, "samples": 5})),
          models.Product)
    office = as_caller(people.issuer.token(["province_officer"], province="91"))
    typed(check_completeness.sync_detailed(product.id, client=office), models.Product)
    submitted = typed(propose_product.sync_detailed(product.id, client=office),
                      models.Product, 202)
    assert submitted.stage == models.ProductStage.SUBMITTED
    evaluation = wait_until(lambda: typed(list_evaluations.sync_detailed(
        client=owner, product_id=product.id), (models.Evaluation,)), what="the evaluation")[0]
    assert evaluation.status == models.EvaluationStatus.OPEN

    # The province reconstitutes its council with the ETag it read.
    read = get_council.sync_detailed("province-91", client=anonymous)
    council = typed(read, models.CouncilView)
    changed = set_council.sync_detailed(
        "province-91", client=office, if_match=read.headers["ETag"], body=models.Council(
            name=council.name, chair=council.chair, members=MEMBERS,
            advisory_group=council.advisory_group))
    assert typed(changed, models.CouncilView).members == sorted(MEMBERS)

    # Each member finds the evaluation waiting for them and scores it from the set.
    criteria_set = typed(get_criteria_set.sync_detailed("03", client=anonymous),
                         models.CriteriaSet)
    assert [part.code for part in criteria_set.parts] == [models.PartCode.A, models.PartCode.B,
                                                          models.PartCode.C]
    assert all(isinstance(option.points, (int, type(None)))
               for part in criteria_set.parts for section in part.sections
               for criterion in section.criteria for option in criterion.options)
    picks = lowered_picks(criteria_set.to_dict(), drop=15)
    for member in council_of(picks):
        member_client = as_caller(people.issuer.token(
            ["council_member"], subject=member, councils=["province-91"]))
        waiting = typed(list_evaluations.sync_detailed(
            client=member_client, scope="province-91", waiting_for_me=True, limit=200),
            (models.Evaluation,))
        assert evaluation.id in {e.id for e in waiting}
        typed(record_sheet.sync_detailed(evaluation.id, client=member_client,
                                         body=models.Sheet(picks=models.SheetPicks.from_dict(
                                             picks))), models.Evaluation, 201)
        waiting = typed(list_evaluations.sync_detailed(
            client=member_client, scope="province-91", waiting_for_me=True, limit=200),
            (models.Evaluation,))
        assert evaluation.id not in {e.id for e in waiting}
    chair = as_caller(people.issuer.token(["council_member"], subject="chair",
                                          councils=["province-91"]))
    sheet = get_sheet.sync_detailed(evaluation.id, "chair", client=chair)
    assert typed(sheet, models.SheetView).revision == 1
    typed(rescore.sync_detailed(evaluation.id, "chair", client=chair, if_match=sheet.headers[
        "ETag"], body=models.Rescore(picks=models.RescorePicks.from_dict(picks))),
        models.Evaluation)
    decided = typed(decide.sync_detailed(evaluation.id, client=chair,
                                         body=models.Decision(knockouts=[])), models.Evaluation)
    assert decided.status == models.EvaluationStatus.COMPLETED and decided.stars == 4
    assert typed(get_evaluation.sync_detailed(evaluation.id, client=owner),
                 models.Evaluation).score == decided.score

    # The province's chair recognises the result (once certification has it): the
    # certificate is issued, and the product is certified.
    authority = as_caller(people.issuer.token(["province_authority"], subject="chair-91",
                                              province="91"))
    decision = models.Recognition(reference="2345/QĐ-UBND", date=vietnam_today())
    issued = wait_until(lambda: (lambda r: r if r.status_code != 404 else None)(
        recognise_result.sync_detailed(evaluation.id, client=authority, body=decision)),
        what="the result to reach certification")
    certificate = typed(issued, models.Verification, 201)
    assert certificate.stars == 4 and certificate.recognition.reference == "2345/QĐ-UBND"
    certified = wait_until(lambda: (lambda p: p if p.stage == models.ProductStage.CERTIFIED
                                    else None)(typed(get_product.sync_detailed(
                                        product.id, client=owner), models.Product)),
                           what="the product to be certified")
    assert certified.certificate_code == certificate.code
    verified = typed(verify_certificate.sync_detailed(certified.certificate_code,
                                                      client=anonymous), models.Verification)
    assert verified.stars == 4 and verified.product_name == "Bánh tráng phơi sương"
    listed = typed(list_certified_products.sync_detailed(
        client=anonymous, commune=COMMUNES["91"], category="03", limit=200),
        (models.Verification,))
    assert certificate.code in {item.code for item in listed}
    own = typed(list_certificates.sync_detailed(
        client=anonymous, product_id=product.id, status=models.ListCertificatesStatus.VALID),
        (models.Verification,))
    assert [item.code for item in own] == [certificate.code]

    # Its public face through the same client: the page, the QR code, the printable PDF.
    shown = verification_page.sync_detailed(certificate.code, client=anonymous)
    assert shown.status_code == 200 and certificate.code in shown.parsed
    assert certificate_qr_png.sync_detailed(certificate.code, client=anonymous).parsed[
        :8] == b"\x89PNG\r\n\x1a\n"
    assert certificate_pdf.sync_detailed(certificate.code, client=anonymous).parsed[
        :5] == b"%PDF-"

    # A refusal is typed too, in the language asked for.
    refused = typed(get_product.sync_detailed("no-such-product", client=owner,
                                              accept_language="en"), models.Problem, 404)
    assert refused.title == "Not found"
