"""Steps of the OCOP journey through the gateway, shared by the end-to-end tests."""
import random

from tests.conftest import wait_until


def new_producer(api, **overrides):
    body = {"name": "HTX Nông nghiệp Phú Tân", "kind": "cooperative",
            "tax_code": str(random.randrange(10 ** 9, 10 ** 10)), "province_code": "91",
            "contact": {"email": "htx.phutan@example.vn", "phone": "0296 3812 345"},
            **overrides}
    response = api.post("/producers", body)
    assert response.status_code == 201, response.text
    return response.json()


def new_product(api, producer_id, category="03", name="Gạo thơm Phú Tân"):
    response = api.post("/products", {"producer_id": producer_id, "name": name,
                                      "category": category, "description": "Gạo ST25"})
    assert response.status_code == 201, response.text
    return response.json()


def open_evaluation(api, product_id):
    """Submit the product and wait until evaluation has opened its evaluation."""
    response = api.post(f"/products/{product_id}/submission")
    assert response.status_code == 202, response.text
    assert response.json()["stage"] == "submitted"
    return wait_until(lambda: api.get("/evaluations", params={"product_id": product_id})
                      .json(), what="the evaluation to open")[0]


def score(api, evaluation_id, sheets):
    for member, (part_a, part_b, part_c) in sheets.items():
        response = api.post(f"/evaluations/{evaluation_id}/scores", {
            "member": member, "part_a": part_a, "part_b": part_b, "part_c": part_c})
        assert response.status_code == 201, response.text
    response = api.post(f"/evaluations/{evaluation_id}/decision")
    assert response.status_code == 200, response.text
    return response.json()


def product_in_stage(api, product_id, stage):
    def probe():
        product = api.get(f"/products/{product_id}").json()
        return product if product["stage"] == stage else None
    return wait_until(probe, what=f"product {product_id} to be {stage}")
