"""A province's plan measured against what the events told the read model, on the seed
figures (OCOP.md §10): An Giang's hand-over of November 2020 — 37 certificates, 11 at 4★
and 26 at 3★ — and An Giang's plan 363/KH-UBND of 2023, before and after one upgrade, one
revocation and one expiry; and the statistics, whatever order events arrive in and however
often, against the real driver and store."""
import random
import uuid
from datetime import date, datetime, time, timezone

import pytest
from pymongo import MongoClient

from chassis.contracts import event_factory
from chassis.errors import InvalidInput
from chassis.identity import Identity
from services.certification import reporting, statistics_store
from services.certification.contracts import PUBLISHED as CERTIFICATION
from services.certification.plan_schemas import ProvincePlanSchema, ReportSchema
from services.evaluation.contracts import PUBLISHED as EVALUATION
from services.registration import units
from services.registration.contracts import PUBLISHED as REGISTRATION

certification_event = event_factory("certification", CERTIFICATION)
evaluation_event = event_factory("evaluation", EVALUATION)
registration_event = event_factory("registration", REGISTRATION)
OFFICE = Identity(subject="office-91", roles=frozenset({"province_officer"}), province="91")
DISTRICTS = units.former_districts("An Giang")
# A commune of each former district of An Giang, the first by code.
COMMUNE_OF = {district: min(c for c, d in DISTRICTS.district_of.items() if d == district)
              for district in sorted(DISTRICTS.names)}
HAND_OVER = date(2020, 11, 16)  # the conference at which the 37 were handed over
PLAN_2023 = {"reference": "363/KH-UBND", "adopted_on": "2023-05-15",
             "former_province": "An Giang", "targets": [
                 {"measure": "certified_new", "at_least": 40, "at_most": 50},
                 {"measure": "certified_4_plus", "at_least": 10},
                 {"measure": "proposed_per_unit", "at_least": 1, "at_most": 2},
                 {"measure": "re_rated_percent", "at_least": 100},
                 {"measure": "upgraded_3_to_4", "at_least": 5},
                 {"measure": "certified_5_star", "at_least": 1}]}


@pytest.fixture
def database(mongo_uri):
    with MongoClient(mongo_uri) as client:
        database = client[f"test_plans_{uuid.uuid4().hex[:8]}"]
        statistics_store.prepare(database)
        yield database
        client.drop_database(database.name)


@pytest.fixture
def tallies(database):
    return statistics_store.StatisticsStore(database)


def at(day, hour=3):
    """An event at ``hour`` (UTC) of a Vietnam day."""
    return datetime.combine(day, time(hour), tzinfo=timezone.utc).isoformat().replace(
        "+00:00", "Z")


def dated(event, day, hour=3):
    return {**event, "time": at(day, hour)}


class World:
    """The events of An Giang's products, numbered in the order they happened."""

    def __init__(self):
        self.events = []
        self.serials = {}

    def add(self, event, day, hour=3):
        self.events.append(dated(event, day, hour))

    def issue(self, product, district, stars, on, *, year_serial=None, product_year=None):
        year = on.year
        serial = self.serials[year] = self.serials.get(year, 0) + 1
        code = f"OCOP-{'TW' if stars == 5 else '91'}-{year}-{serial:05d}"
        commune = COMMUNE_OF[district]
        expires = on.replace(year=on.year + 3)
        self.add(certification_event("certificate.issued", f"products/{product}", {
            "code": code, "product_id": product, "producer_id": f"h-{product}",
            "province_code": "91", "stars": stars,
            "level": "central" if stars == 5 else "province",
            "expires_on": expires.isoformat(), "evaluation_id": f"e-{code}",
            "product_code": f"91-{commune}-{serial}-{product_year or year}",
            "category": "03" if stars < 5 else "08", "score": 55.0 + 10 * (stars - 3),
            "rule_version": "26/2026", "recognition_reference": f"{serial}/QĐ-UBND",
            "recognition_date": on.isoformat(), "issued_on": on.isoformat(),
            "renewal_opens_on": on.isoformat(), "renewal_closes_on": on.isoformat(),
            "issued_at": at(on), "expires_at": at(expires)}), on)
        return code

    def end(self, name, product, code, stars, on, **details):
        self.add(certification_event(name, f"products/{product}", {
            "code": code, "product_id": product, "producer_id": f"h-{product}",
            "province_code": "91", "stars": stars, "level": "province",
            "expires_on": "2023-11-16", **details}), on, hour=5)

    def propose(self, product, district, on):
        self.add(registration_event("product.submitted", f"products/{product}", {
            "product_id": product, "producer_id": f"h-{product}", "producer_name": "HTX",
            "name": f"Sản phẩm {product}", "category": "03", "province_code": "91",
            "kind": "first", "proposed_on": on.isoformat(),
            "commune_code": COMMUNE_OF[district],
            "product_code": f"91-{COMMUNE_OF[district]}-1-{on.year}"}), on, hour=1)

    def forward(self, product, district, on):
        self.add(evaluation_event("evaluation.forwarded", f"evaluations/{product}", {
            "evaluation_id": f"e-{product}-province", "product_id": product,
            "producer_id": f"h-{product}", "name": "x", "producer_name": "HTX",
            "category": "08", "province_code": "91", "commune_code": COMMUNE_OF[district],
            "level": "province", "kind": "first", "round_id": "province-2023-1",
            "score": 92.0, "stars": 5, "to_level": "central"}), on, hour=2)


def hand_over(world):
    """The 37 of 16 November 2020, across An Giang's eleven former districts."""
    districts = sorted(DISTRICTS.names)
    return {f"ag-2020-{n:02d}": (districts[n % 11], 4 if n < 11 else 3,
                                 world.issue(f"ag-2020-{n:02d}", districts[n % 11],
                                             4 if n < 11 else 3, HAND_OVER))
            for n in range(37)}


def year_2023(world, handed_over):
    """2023 before the upgrade, revocation and expiry: 42 new products (33 at 3★, 8 at 4★,
    one 5★ of two sent to the ministry) proposed in ten districts, none in Thoại Sơn; three
    of 2020 re-rated at 3★."""
    districts = sorted(DISTRICTS.names)[:10]
    new = {}
    for n in range(42):
        product, district = f"ag-2023-{n:02d}", districts[n % 10]
        stars = 5 if n == 0 else 4 if n <= 8 else 3
        world.propose(product, district, date(2023, 3, 1))
        if stars == 5:
            world.forward(product, district, date(2023, 6, 20))
            world.forward("ag-2023-potential", district, date(2023, 6, 20))
        new[product] = (district, stars, world.issue(product, district, stars,
                                                     date(2023, 7, 10)))
    for product in ("ag-2020-20", "ag-2020-21", "ag-2020-22"):  # 3★ of 2020, re-rated
        district, stars, code = handed_over[product]
        renewed = world.issue(product, district, 3, date(2023, 10, 2), product_year=2020)
        world.end("certificate.superseded", product, code, stars, date(2023, 10, 2),
                  superseded_by=renewed, superseded_at=at(date(2023, 10, 2), 5))
    return new


def upgrade_revocation_expiry(world, handed_over, new):
    product = "ag-2020-30"  # a 3★ of 2020 upgraded to 4★
    district, stars, code = handed_over[product]
    upgraded = world.issue(product, district, 4, date(2023, 8, 1), product_year=2020)
    world.end("certificate.superseded", product, code, stars, date(2023, 8, 1),
              superseded_by=upgraded, superseded_at=at(date(2023, 8, 1), 5))
    district, stars, code = new["ag-2023-41"]  # a new 3★ of 2023 revoked
    world.end("certificate.revoked", "ag-2023-41", code, stars, date(2023, 9, 20),
              ground="criteria_not_met", finding_reference="12/KL-SNN", finding_date="2023-09-15",
              due_on="2023-09-30", revoked_on="2023-09-20", late=False,
              revoked_at=at(date(2023, 9, 20), 5))
    district, stars, code = handed_over["ag-2020-36"]  # a 3★ of 2020 not re-rated
    world.end("certificate.expired", "ag-2020-36", code, stars, date(2023, 11, 16),
              milestone_on="2023-11-16", renewal_opens_on="2023-05-20",
              renewal_closes_on="2023-07-19", valid_until="2023-11-16")


def apply(tallies, events):
    for event in events:
        reporting.on_event(tallies, event)


def record_plan(tallies):
    return reporting.record_plan(tallies, OFFICE, "91", "2023",
                                 ProvincePlanSchema().load(PLAN_2023), None)


def figures(progress):
    return {line["measure"]: (line["actual"], line["met"]) for line in progress["targets"]}


YEAR_END = date(2023, 12, 31)


def test_the_2023_plan_against_the_seed_figures(tallies):
    world = World()
    handed_over = hand_over(world)
    new = year_2023(world, handed_over)
    apply(tallies, world.events)
    record_plan(tallies)
    before = reporting.progress(tallies, "91", "2023", YEAR_END)
    assert figures(before) == {
        "certified_new": (42, True), "certified_4_plus": (9, False),
        "proposed_per_unit": (10, False), "re_rated_percent": (8.1, False),
        "upgraded_3_to_4": (0, False), "certified_5_star": (1, True)}
    proposed = next(line for line in before["targets"] if line["measure"] ==
                    "proposed_per_unit")
    assert proposed["details"]["units"] == 11 and proposed["details"]["unplaced"] == 0
    assert [(u["name"], u["actual"]) for u in proposed["details"]["by_unit"]
            if u["actual"] == 0] == [("Huyện Thoại Sơn", 0)]
    assert [u["actual"] for u in proposed["details"]["by_unit"]][:10] == [5, 5, 4, 4, 4, 4, 4,
                                                                          4, 4, 4]

    world.events.clear()
    upgrade_revocation_expiry(world, handed_over, new)
    apply(tallies, world.events)
    after = reporting.progress(tallies, "91", "2023", YEAR_END)
    # The upgraded product counts once, as 4★, and as renewed; the revoked one no longer;
    # the expired one stays due and not re-rated.
    assert figures(after) == {
        "certified_new": (41, True), "certified_4_plus": (10, True),
        "proposed_per_unit": (10, False), "re_rated_percent": (10.8, False),
        "upgraded_3_to_4": (1, False), "certified_5_star": (1, True)}
    assert next(line for line in after["targets"] if line["measure"] == "re_rated_percent")[
        "details"] == {"due": 37, "re_rated": 4}

    stats = reporting.figures(tallies, "91", YEAR_END)
    assert stats["certified"] == 37 - 1 + 42 - 1  # one expired, one revoked
    # 3★: of 2020 one upgraded and one expired, of 2023 one revoked
    assert stats["by_stars"] == {"3": 26 - 2 + 33 - 1, "4": 11 + 1 + 8, "5": 1}
    assert stats["by_level"] == {"central": 1, "province": 76}
    assert stats["by_year"] == {"2020": 37, "2023": 42 + 3 + 1}
    assert stats["by_stage"] == {"certified": 37 - 1 + 42 - 1, "expired": 1, "revoked": 1,
                                 "under_evaluation": 1}
    assert stats["by_category"] == {"03": 76, "08": 1}
    assert stats["stars_by_category"] == {"03": {"3": 56, "4": 20}, "08": {"5": 1}}
    assert stats["by_sector"] == {"food": 77}


def test_the_office_reports_what_no_event_gives(tallies):
    reporting.record_plan(tallies, OFFICE, "91", "2021", ProvincePlanSchema().load({
        "reference": "138/KH-UBND", "adopted_on": "2021-07-16",
        "former_province": "Kiên Giang", "targets": [
            {"measure": "trained_percent", "at_least": 100},
            {"measure": "communes_informed_percent", "at_least": 100},
            {"measure": "organisations_strengthened", "at_least": 10},
            {"measure": "certified_per_unit", "at_least": 4},
            {"measure": "supported_ideas_per_unit", "at_least": 2}]}), None)
    report = ReportSchema().load
    reporting.record_report(tallies, OFFICE, "91", "2021", report({
        "measure": "trained_percent", "count": 90, "of": 120, "reported_on": "2021-12-01"}),
        YEAR_END)
    reporting.record_report(tallies, OFFICE, "91", "2021", report({
        "measure": "trained_percent", "count": 60, "of": 120, "reported_on": "2021-09-01"}),
        YEAR_END)  # an earlier day's figure, reported late, does not replace it
    progress = reporting.record_report(tallies, OFFICE, "91", "2021", report({
        "measure": "organisations_strengthened", "count": 11, "reported_on": "2021-12-20"}),
        YEAR_END)
    assert figures(progress) == {
        "trained_percent": (75.0, False), "communes_informed_percent": (None, False),
        "organisations_strengthened": (11, True), "certified_per_unit": (0, False),
        "supported_ideas_per_unit": (0, False)}
    by_unit = next(line for line in progress["targets"]
                   if line["measure"] == "certified_per_unit")["details"]
    assert by_unit["units"] == 15  # Kiên Giang's former districts
    with pytest.raises(InvalidInput) as refused:
        reporting.record_report(tallies, OFFICE, "91", "2021", report({
            "measure": "communes_informed_percent", "count": 3, "reported_on": "2021-12-01"}),
            YEAR_END)
    assert refused.value.errors[0]["pointer"] == "/of"


def test_a_plan_is_refused_where_it_cannot_be_counted(tallies):
    with pytest.raises(InvalidInput) as refused:
        reporting.record_plan(tallies, OFFICE, "80", "2018", ProvincePlanSchema().load({
            "reference": "Đề án OCOP Long An", "adopted_on": "2018-12-01",
            "last_year": 2020, "targets": [{"measure": "certified_per_unit",
                                            "at_least": 1}]}), None)
    assert refused.value.errors[0]["pointer"] == "/former_province"
    with pytest.raises(InvalidInput) as refused:
        reporting.record_plan(tallies, OFFICE, "80", "2018", ProvincePlanSchema().load({
            "reference": "Đề án OCOP Long An", "adopted_on": "2018-12-01",
            "former_province": "Kiên Giang", "targets": [{"measure": "certified_new",
                                                          "at_least": 10}]}), None)
    assert refused.value.errors[0]["pointer"] == "/former_province"
    long_an = reporting.record_plan(tallies, OFFICE, "80", "2018", ProvincePlanSchema().load({
        "reference": "Đề án OCOP Long An 2018–2020", "adopted_on": "2018-12-01",
        "last_year": 2020, "former_province": "Long An", "targets": [
            {"measure": "certified_new", "at_least": 10},
            {"measure": "potential_5_star", "at_least": 3},
            {"measure": "points_of_sale_opened", "at_least": 1}]}), None)
    assert (long_an["year"], long_an["last_year"], long_an["revision"]) == (2018, 2020, 1)


def test_statistics_are_the_same_whatever_the_order_and_however_often(database):
    world = World()
    handed_over = hand_over(world)
    upgrade_revocation_expiry(world, handed_over, year_2023(world, handed_over))
    in_order = statistics_store.StatisticsStore(database)
    apply(in_order, world.events)
    record_plan(in_order)
    expected = (reporting.figures(in_order, None, YEAR_END),
                reporting.progress(in_order, "91", "2023", YEAR_END))
    for seed in range(3):
        shuffled = statistics_store.StatisticsStore(database.client[f"{database.name}_{seed}"])
        try:
            statistics_store.prepare(shuffled.products.database)
            events = world.events * 2
            random.Random(seed).shuffle(events)
            apply(shuffled, events)
            record_plan(shuffled)
            assert (reporting.figures(shuffled, None, YEAR_END),
                    reporting.progress(shuffled, "91", "2023", YEAR_END)) == expected
        finally:
            database.client.drop_database(f"{database.name}_{seed}")
