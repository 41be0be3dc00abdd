"""The roles' scopes, and the policy's conditions on them, without any infrastructure."""
from chassis.identity import ADMIN, AGENCY, COUNCIL_MEMBER, COMMUNE_OFFICER, PRODUCER, \
    PROVINCE_OFFICER, CENTRAL_OFFICER, Identity, Target, in_scope
from gateway.policy import chairs_the_council, is_the_chair

PRODUCT = Target("products/x", producer_id="p1", province="91", commune="30406")
COUNCIL = Target("councils/province-91", province="91", council="province-91",
                 members=frozenset({"chair", "m2"}), chairs=frozenset({"chair", "sec"}))


def caller(*roles, **scope):
    return Identity.from_claims({"sub": scope.pop("sub", "u"),
                                 "realm_access": {"roles": list(roles)}, **scope})


def test_each_role_acts_in_its_own_scope():
    assert in_scope(caller(PRODUCER, producers=["p1"]), PRODUCER, PRODUCT)
    assert not in_scope(caller(PRODUCER, producers=["p2"]), PRODUCER, PRODUCT)
    assert in_scope(caller(COMMUNE_OFFICER, province="91", commune="30406"),
                    COMMUNE_OFFICER, PRODUCT)
    assert not in_scope(caller(COMMUNE_OFFICER, province="91", commune="30307"),
                        COMMUNE_OFFICER, PRODUCT)
    assert not in_scope(caller(COMMUNE_OFFICER, province="91"), COMMUNE_OFFICER, PRODUCT)
    assert in_scope(caller(PROVINCE_OFFICER, province="91"), PROVINCE_OFFICER, PRODUCT)
    assert not in_scope(caller(PROVINCE_OFFICER), PROVINCE_OFFICER, Target("x"))
    assert not in_scope(caller(CENTRAL_OFFICER), CENTRAL_OFFICER, PRODUCT)
    assert in_scope(caller(CENTRAL_OFFICER), CENTRAL_OFFICER, Target("x", national=True))
    assert in_scope(caller(ADMIN), ADMIN, PRODUCT)
    # A role the token does not hold gives nothing, whatever the scope claims say.
    assert not in_scope(caller(PRODUCER, producers=["p1"]), ADMIN, PRODUCT)


def test_a_member_must_sit_on_that_council_and_hold_its_claim():
    assert in_scope(caller(COUNCIL_MEMBER, sub="m2", councils=["province-91"]),
                    COUNCIL_MEMBER, COUNCIL)
    assert in_scope(caller(COUNCIL_MEMBER, sub="sec", councils=["province-91"]),
                    COUNCIL_MEMBER, COUNCIL)
    assert not in_scope(caller(COUNCIL_MEMBER, sub="m9", councils=["province-91"]),
                        COUNCIL_MEMBER, COUNCIL)
    assert not in_scope(caller(COUNCIL_MEMBER, sub="m2", councils=["central"]),
                        COUNCIL_MEMBER, COUNCIL)


def test_an_agency_acts_on_what_is_its_own_and_reads_the_events_of_its_province():
    endpoint = Target("webhooks/w1", agency="agency-a")
    assert in_scope(caller(AGENCY, sub="agency-a"), AGENCY, endpoint)
    assert not in_scope(caller(AGENCY, sub="agency-b"), AGENCY, endpoint)
    assert not in_scope(caller(AGENCY, sub="agency-b", province="91"), AGENCY, endpoint)
    events_91 = Target("events", province="91", events=True)
    assert in_scope(caller(AGENCY), AGENCY, events_91)  # a national agency
    assert in_scope(caller(AGENCY, province="91"), AGENCY, events_91)
    assert not in_scope(caller(AGENCY, province="79"), AGENCY, events_91)
    assert not in_scope(caller(AGENCY, province="79"), AGENCY, Target("events", events=True))
    # Nothing else of a province is an agency's: not its products, not its inboxes.
    assert not in_scope(caller(AGENCY, province="91"), AGENCY, PRODUCT)
    assert not in_scope(caller(AGENCY), AGENCY, Target("inboxes/province:91", province="91"))
    # No other role reaches an agency's own objects through them.
    assert not in_scope(caller(PROVINCE_OFFICER, province="91"), PROVINCE_OFFICER, endpoint)
    assert not in_scope(caller(PRODUCER, producers=["p1"]), PRODUCER, endpoint)


def test_claims_of_odd_shapes_give_no_scope_and_the_identity_travels_whole():
    odd = Identity.from_claims({"sub": 42, "realm_access": {"roles": ["root", PRODUCER]},
                                "province": 91, "producers": "p1", "councils": [None, "c"]})
    assert odd.subject == "42" and odd.roles == {PRODUCER} and odd.province is None
    assert odd.producers == {"p1"} and odd.councils == {"c"}
    travelled = Identity.from_context(odd.at("10.0.0.1").to_context())
    assert travelled == odd.at("10.0.0.1")
    assert Identity.from_context(None) is None
    for realm_access in ("admin", ["admin"], {"roles": 5}, {"roles": {"admin": 1}}):
        assert Identity.from_claims({"sub": "u", "realm_access": realm_access}).roles == set()
    assert Identity.from_claims({"sub": "u", "producers": 5, "councils": {"c": 1}}
                                ).producers == frozenset()


def test_the_secretary_records_the_councils_decision_only_the_chair_calls_its_meeting():
    council = Target("evaluations/e1", province="91", council="province-91",
                     members=frozenset({"chair", "m2"}), chairs=frozenset({"chair", "sec"}),
                     chair="chair")
    for subject, records, calls in (("chair", True, True), ("sec", True, False),
                                    ("m2", False, False)):
        who = caller(COUNCIL_MEMBER, sub=subject, councils=["province-91"])
        assert in_scope(who, COUNCIL_MEMBER, council)
        assert chairs_the_council(who, council, {}) is records
        assert is_the_chair(who, council, {}) is calls
    # A council with no chair recorded (a roster from before chairs were told apart) lets
    # no one call a meeting.
    assert not is_the_chair(caller(COUNCIL_MEMBER, sub="chair"), Target("x"), {})
