"""Evaluation's use cases: councils, the advisory review, score sheets, the council's
decision, the provincial chair's approval that forwards a potential 5★ product to the central
level, the province's choice on a central result handed back, and re-ratings (written
opinions, the meetings, the office's 5★ report)."""
import datetime
import re
import uuid
from dataclasses import asdict

from chassis import pages
from chassis.contracts import event_factory
from chassis.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, \
    check_revision, field_error
from chassis.events import timestamp
from chassis.outbox import resource
from chassis.provinces import PROVINCES
from services.evaluation import catalogue, council, forwarding, rerating, rounds, sheets
from services.evaluation.contracts import PUBLISHED
from services.evaluation.store import OPEN, current_revision

SERVICE = "evaluation"
make_event = event_factory(SERVICE, PUBLISHED)
SCOPE = re.compile(r"^(central|province-(\d{2}))$")


# Councils ---------------------------------------------------------------------------------

def parse_scope(scope):
    """``central`` (the ministry's council) or ``province-<code>``."""
    match = SCOPE.fullmatch(scope)
    if not match or (match.group(2) and match.group(2) not in PROVINCES):
        raise NotFound(f"Không có hội đồng {scope}: dùng central hoặc province-<mã tỉnh>",
                       f"No council {scope}: use central or province-<province code>")
    return ("central", None) if scope == "central" else ("province", match.group(2))


def set_council(store, scope, proposal, expected_revision=None):
    """Set up (or reconstitute) the council of ``scope``; earlier declarations of interest
    belong to the council they were made to and are not carried over. Reconstituting needs
    the revision the office read (``If-Match``): two offices editing at once would
    otherwise overwrite each other's members."""
    level, province_code = parse_scope(scope)
    rules = council.CouncilRules.from_mapping(proposal["rules"])
    current = store.council(scope)
    if current is not None:
        check_revision(expected_revision, revision_of(current))
    elif expected_revision is not None:
        raise stale()
    members = sorted(set(proposal["members"]) | {proposal["chair"]})
    document = {"_id": scope, "level": level, "province_code": province_code,
                "name": proposal["name"], "chair": proposal["chair"],
                "secretary": proposal["secretary"], "members": members,
                "advisory_group": sorted(set(proposal["advisory_group"])),
                "rules": asdict(rules), "interests": {}, "updated_at": timestamp(),
                "revision": revision_of(current or {}) + 1}
    if not store.write_council(document, None if current is None else revision_of(current)):
        raise stale()
    return resource(document)


def revision_of(document):
    """A council's or a sheet's revision: 0 for one written before revisions were counted."""
    return document.get("revision", 0)


def stale():
    return PreconditionFailed("Hội đồng vừa được người khác thay đổi: đọc lại rồi gửi lại",
                              "The council changed meanwhile: read it again, then retry")


def council_or_404(store, scope):
    parse_scope(scope)
    document = store.council(scope)
    if document is None:
        raise NotFound(f"Chưa thành lập hội đồng {scope}", f"No council has been set up for {scope}")
    return document


def council_roster(store, scope):
    """Who sits on the council of ``scope`` (nobody before it is set up): what the gateway's
    policy checks members against."""
    level, province_code = parse_scope(scope)
    board = store.council(scope) or {}
    return {"council": scope, "level": level, "province_code": province_code,
            "members": board.get("members", []),
            "advisory_group": board.get("advisory_group", []),
            "chairs": [m for m in (board.get("chair"), board.get("secretary")) if m],
            "chair": board.get("chair")}


def evaluation_scope(store, evaluation_id):
    evaluation = evaluation_or_404(store, evaluation_id)
    return {**council_roster(store, evaluation["scope"]),
            "level": evaluation["level"], "producer_id": evaluation["producer_id"],
            "province_code": evaluation["province_code"]}


def interests_view(store, scope):
    return {"council": scope, "interests": interests_of(council_or_404(store, scope))}


def declare_interest(store, scope, member, producer_id):
    board = council_or_404(store, scope)
    if member not in board["members"]:
        raise not_a_member(member)
    store.add_interest(scope, member, producer_id)
    return interests_view(store, scope)


def not_a_member(member):
    return InvalidInput(f"{member} không phải thành viên hội đồng",
                        f"{member} is not a member of the council",
                        [field_error("/member", "Không phải thành viên hội đồng",
                                     "Not a council member")])


def interests_of(board):
    return {member: list(producers) for member, producers in board["interests"].items()}


# Opening ----------------------------------------------------------------------------------

def evaluation_id_for(event):
    """Deterministic, so a redelivered event opens nothing new."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event['source']}/{event['id']}"))


SUMMARY = ("product_id", "producer_id", "name", "producer_name", "category", "province_code",
           "level", "kind")


def summary(evaluation):
    return {"evaluation_id": evaluation["_id"], **{k: evaluation[k] for k in SUMMARY},
            # Evaluations opened before the commune and the product code travelled with the
            # product have none.
            "commune_code": evaluation.get("commune_code"),
            "product_code": evaluation.get("product_code"),
            "round_id": (evaluation["round"] or {}).get("id")}


def schedule(kind, level, proposed_on):
    """(round, last day to decide) for a dossier proposed on ``proposed_on`` (a Vietnam
    date): the Art. 5 round that decides it before its deadline, or — for a re-rating — no
    round and its own 45 days (``rerating.py``)."""
    if kind == "re_rating":
        return None, rerating.decide_by(proposed_on)
    round_ = rounds.round_for(level, proposed_on)
    return ({"id": round_.id, "cutoff": round_.cutoff.isoformat(),
             "deadline": round_.deadline.isoformat()},
            round_.deadline - datetime.timedelta(days=1))


def open_evaluation(store, event, level, parent_id=None, evaluation_id=None):
    """Open the evaluation an event asks for (``evaluation_id``, else one derived from the
    event): its round is that of the Vietnam date the dossier was proposed (the proposer's
    ``proposed_on``, else the event's own date)."""
    data = event["data"]
    kind = data.get("kind", "first")
    proposed_on = rounds.proposal_date(data.get("proposed_on"), event["time"])
    round_, decide_by = schedule(kind, level, proposed_on)
    previous = store.last_recognised(data["product_id"]) if kind == "re_rating" else None
    evaluation = pages.stamped({
        "_id": evaluation_id or evaluation_id_for(event),
        **{k: data[k] for k in SUMMARY if k in data},
        "commune_code": data.get("commune_code"), "product_code": data.get("product_code"),
        "level": level, "kind": kind, "scope": "central" if level == "central"
        else f"province-{data['province_code']}",
        "procedure": rerating.procedure(kind, level, previous),
        "proposed_on": proposed_on.isoformat(), "round": round_,
        "decide_by": decide_by.isoformat(),
        "status": OPEN, "rule_version": catalogue.RULE_VERSION,
        "parent_evaluation_id": parent_id, "reviews": {}, "sheets": {}, "result": None,
        "revision": 0,
        "score": None, "stars": None, "opened_at": timestamp(), "closed_at": None})
    opened = make_event("evaluation.opened", event["subject"], summary(evaluation))
    store.open(evaluation, [opened])


def open_for_submission(store, event):
    open_evaluation(store, event, "province")


def open_at_central_level(store, event):
    """A provincial potential 5★ goes before the ministry's council (Art. 4.2)."""
    open_evaluation(store, event, "central", parent_id=event["data"]["evaluation_id"])


def list_evaluations(store, filters, member, limit, cursor):
    """A page of evaluations, newest first: of a product, or of a council (``scope``)
    by ``status``, ``round`` and ``level``; with ``waiting_for_me``, the open evaluations
    ``member`` has still to score (not those of producers they declared an interest in, nor
    a 5★ re-rating, which the office reports on)."""
    query = {key: filters[key] for key in ("product_id", "scope", "status") if filters.get(key)}
    if filters.get("round"):
        query["round.id"] = filters["round"]
    if filters.get("level"):
        query["level"] = filters["level"]
    if filters.get("waiting_for_me"):
        board = store.council(filters["scope"]) or {"members": [], "interests": {}}
        if member not in board["members"]:
            return {"items": [], "next": None}
        query.update({"status": OPEN, f"sheets.{member}": {"$exists": False},
                      "producer_id": {"$nin": list(board["interests"].get(member, {}))},
                      # The office reports on a 5★ re-rating; the council scores none of it.
                      "procedure": {"$ne": rerating.OFFICE_REPORT}})
    found = store.page(query, limit, cursor)
    return {"items": [resource(e) for e in found["items"]], "next": found["next"]}


def open_provincial_reevaluation(store, event):
    """The province evaluates again a product the ministry handed back (Art. 7.4.g)."""
    open_evaluation(store, event, "province", parent_id=event["data"]["evaluation_id"],
                    evaluation_id=event["data"]["provincial_evaluation_id"])


def evaluation_or_404(store, evaluation_id):
    evaluation = store.get(evaluation_id)
    if evaluation is None:
        raise NotFound(f"Không có phiên đánh giá {evaluation_id}",
                       f"No evaluation {evaluation_id}")
    return evaluation


def closing(store, evaluation_id):
    """How the evaluation was closed, for services that act on its result and must check
    an event's word against it: what was evaluated, under which rules, status, score,
    stars and — once completed — the level that recognises the result and whether it is
    recognised.  Only ``completed`` may be recognised: a central result the province chose
    to evaluate again is ``province_reevaluates`` (``forwarding.py``)."""
    evaluation = evaluation_or_404(store, evaluation_id)
    result = evaluation["result"] or {}
    return {"evaluation_id": evaluation["_id"], "status": evaluation["status"],
            **{k: evaluation[k] for k in ("product_id", "producer_id", "name", "producer_name",
                                          "category", "province_code", "rule_version",
                                          "score", "stars")},
            "level": result.get("level"), "recognised": result.get("recognised")}


def refuse_unless_open(evaluation):
    if evaluation["status"] != OPEN:
        raise Conflict(f"Phiên đánh giá đã kết thúc ({evaluation['status']})",
                       f"The evaluation is closed ({evaluation['status']})")


def changed_or_refused(store, evaluation_id, applied):
    """After a guarded write: the evaluation as it is now, or why the write was refused."""
    evaluation = evaluation_or_404(store, evaluation_id)
    if not applied:
        refuse_unless_open(evaluation)
    return evaluation


# The advisory group's review --------------------------------------------------------------

def request_review(store, evaluation_id, review):
    """A completion request sends the dossier back to the producer, who submits it again;
    a site visit or lab tests are recorded steps while the evaluation goes on."""
    evaluation = evaluation_or_404(store, evaluation_id)
    refuse_unless_open(evaluation)
    board = council_or_404(store, evaluation["scope"])
    if review["member"] not in board["advisory_group"]:
        raise InvalidInput(f"{review['member']} không thuộc tổ tư vấn",
                           f"{review['member']} is not in the advisory group",
                           [field_error("/member", "Không thuộc tổ tư vấn",
                                        "Not in the advisory group")])
    review_id = str(uuid.uuid4())
    requested = make_event("evaluation.review_requested",
                          f"products/{evaluation['product_id']}", {
                              **summary(evaluation), "review_id": review_id,
                              "review_kind": review["kind"], "member": review["member"],
                              "note": review["note"]})
    change = {"$set": {f"reviews.{review_id}": {**review, "requested_at": timestamp()}}}
    if review["kind"] == "completion":
        change["$set"].update({"status": "returned", "closed_at": timestamp()})
    applied = store.change_open(evaluation_id, change, [requested])
    return resource(changed_or_refused(store, evaluation_id, applied))


# Score sheets -----------------------------------------------------------------------------

def refuse_in_office_report(evaluation):
    if evaluation["procedure"] == rerating.OFFICE_REPORT:
        raise Conflict("Đánh giá lại sản phẩm 5 sao: cơ quan tham mưu quản lý OCOP cấp tỉnh "
                       "lập báo cáo gửi Bộ, hội đồng cấp tỉnh không chấm (Điều 6.3.b)",
                       "A 5★ re-rating is reported to the ministry by the province's OCOP "
                       "office; the provincial council does not score it (Art. 6.3.b)")


def check_scorer(store, evaluation, member):
    refuse_in_office_report(evaluation)
    board = council_or_404(store, evaluation["scope"])
    if member not in board["members"]:
        raise not_a_member(member)
    council.check_may_score(member, evaluation["producer_id"], interests_of(board))


def scored(evaluation, picks):
    sheet = sheets.score_sheet(catalogue.criteria_set(evaluation["category"]), picks)
    return {"picks": sheet.picks, "parts": sheet.parts, "total": sheet.total,
            "submitted_at": timestamp()}


def record_sheet(store, evaluation_id, member, picks):
    evaluation = evaluation_or_404(store, evaluation_id)
    refuse_unless_open(evaluation)
    check_scorer(store, evaluation, member)
    sheet = scored(evaluation, picks)
    submitted = make_event("evaluation.sheet_submitted",
                          f"products/{evaluation['product_id']}", {
                              "evaluation_id": evaluation_id,
                              "product_id": evaluation["product_id"], "member": member,
                              "total": sheet["total"]})
    applied = store.change_open(evaluation_id,
                                {"$set": {f"sheets.{member}": {**sheet, "revision": 1}}},
                                [submitted], {f"sheets.{member}": {"$exists": False}})
    evaluation = changed_or_refused(store, evaluation_id, applied)
    if not applied:
        raise Conflict(f"Thành viên {member} đã nộp phiếu chấm: dùng PUT để chấm lại",
                       f"Member {member} has already submitted a sheet: PUT it to rescore")
    return resource(evaluation)


def rescore(store, evaluation_id, member, picks, expected_revision=None):
    """A member replaces their sheet, as the council does after discussing a spread, naming
    the revision of the sheet they read (``If-Match``)."""
    evaluation = evaluation_or_404(store, evaluation_id)
    refuse_unless_open(evaluation)
    check_scorer(store, evaluation, member)
    revision = revision_of(sheet_of(evaluation, member))
    check_revision(expected_revision, revision)
    applied = store.change_open(
        evaluation_id,
        {"$set": {f"sheets.{member}": {**scored(evaluation, picks), "revision": revision + 1}}},
        condition={f"sheets.{member}.revision": current_revision(revision)})
    evaluation = changed_or_refused(store, evaluation_id, applied)
    if not applied:
        raise PreconditionFailed("Phiếu chấm vừa thay đổi: đọc lại rồi gửi lại",
                                 "The sheet changed meanwhile: read it again, then retry")
    return resource(evaluation)


def sheet_of(evaluation, member):
    sheet = evaluation["sheets"].get(member)
    if sheet is None:
        raise NotFound(f"Thành viên {member} chưa nộp phiếu chấm",
                       f"Member {member} has not submitted a sheet")
    return sheet


def sheet_view(store, evaluation_id, member):
    """One member's sheet, with the revision that ``rescore`` checks."""
    evaluation = evaluation_or_404(store, evaluation_id)
    sheet = sheet_of(evaluation, member)
    return {"evaluation_id": evaluation_id, "member": member, **sheet,
            "revision": revision_of(sheet)}


# The council's decision -------------------------------------------------------------------

def decide(store, evaluation_id, findings):
    """Close the evaluation with the council's result: completed (stars, recognised or
    not), rejected by a knock-out, or — a potential 5★ — awaiting the provincial chair's
    approval before it goes to the ministry (``decide_on_approval``).  A re-rating on
    written opinions that differ is not closed: the council is called to meet
    (``call_meeting``) and decides afterwards as a meeting does (``rerating.py``)."""
    evaluation = evaluation_or_404(store, evaluation_id)
    refuse_unless_open(evaluation)
    refuse_in_office_report(evaluation)
    board = council_or_404(store, evaluation["scope"])
    rules = council.CouncilRules.from_mapping(board["rules"])
    interests = interests_of(board)
    # A sheet stops counting when its member leaves the council or declares an interest
    # after scoring; the others decide, if they still make a quorum.
    counted = {member: sheet for member, sheet in evaluation["sheets"].items()
               if member in board["members"]
               and evaluation["producer_id"] not in interests.get(member, ())}
    totals = {member: sheet["total"] for member, sheet in counted.items()}
    if not totals:
        raise Conflict("Chưa có phiếu chấm hợp lệ nào", "No valid score sheet has been submitted")
    criteria_set = catalogue.criteria_set(evaluation["category"])
    if evaluation["procedure"] == rerating.WRITTEN:
        missing = sorted(set(board["members"]) - set(totals))
        if missing:
            raise Conflict(f"Đánh giá lại bằng ý kiến bằng văn bản: còn thiếu {', '.join(missing)}",
                           f"A re-rating needs every member's written opinion: "
                           f"{', '.join(missing)} missing")
        ranks = [rerating.rank_of(sheet["total"], sheets.star_cap(criteria_set, sheet["picks"]))
                 for sheet in counted.values()]
        if rerating.opinions_differ(ranks, list(totals.values()), rules.max_spread):
            return call_meeting(store, evaluation, sorted(set(ranks)), totals)
    council.check_decision(rules, members=board["members"], chair=board["chair"],
                           totals=totals, producer_id=evaluation["producer_id"],
                           interests=interests)
    result = sheets.council_result(
        criteria_set,
        {member: sheet["picks"] for member, sheet in counted.items()},
        chair=board["chair"], level=evaluation["level"], findings=findings)
    status, name, data = outcome(evaluation, result)
    closing = make_event(name, f"products/{evaluation['product_id']}",
                        {**summary(evaluation), **data})
    change = {"$set": {
        "status": status, "closed_at": timestamp(), "score": result.score,
        "stars": result.stars,
        "result": {**data, "band_stars": result.band_stars,
                   "capped_by": list(result.capped_by),
                   "consolidated": dict(result.consolidated),
                   "council": {"chair": board["chair"], "members": board["members"],
                               "rules": asdict(rules),
                               "sheets_not_counted": sorted(set(evaluation["sheets"])
                                                            - set(counted))}}}}
    applied = store.change_open(evaluation_id, change, [closing],
                                {"revision": evaluation["revision"]})
    evaluation = changed_or_refused(store, evaluation_id, applied)
    if not applied:
        raise Conflict("Phiếu chấm vừa thay đổi: hãy kết luận lại",
                       "A score sheet changed meanwhile: decide again")
    return resource(evaluation)


def call_meeting(store, evaluation, ranks, totals):
    """Written opinions that differ: the council meets (Art. 7.6.d) and decides from then
    on as a meeting does.  The evaluation stays open."""
    low, high = min(totals.values()), max(totals.values())
    reason = {"vi": f"Ý kiến bằng văn bản khác nhau (hạng {ranks}, tổng điểm từ {low:g} đến "
                    f"{high:g}): hội đồng họp trực tiếp",
              "en": f"The written opinions differ (ranks {ranks}, totals {low:g} to "
                    f"{high:g}): the council meets"}
    return meet(store, evaluation, {"reason": reason, "ground": rerating.OPINIONS_DIFFER},
                {"revision": evaluation["revision"]})


def call_meeting_on_complex_content(store, evaluation_id, chair, text):
    """The council's chair calls the meeting of a re-rating on written opinions whose
    content is complex (Art. 7.6.d, 7.6.e): at any time while it is open, before or after
    the opinions arrive; the council decides from then on as a meeting does."""
    evaluation = evaluation_or_404(store, evaluation_id)
    refuse_unless_open(evaluation)
    rerating.check_may_call_meeting(evaluation["procedure"])
    reason = {"vi": f"Nội dung phức tạp cần thảo luận: {text}",
              "en": f"Complex content to discuss: {text}"}
    return meet(store, evaluation, {"reason": reason, "ground": rerating.COMPLEX_CONTENT,
                                    "called_by": chair},
                {"procedure": rerating.WRITTEN})


def meet(store, evaluation, meeting, condition):
    """The re-rating's council meets: one write, guarded by ``condition``, with its event."""
    called = make_event("evaluation.meeting_called", f"products/{evaluation['product_id']}",
                        {**summary(evaluation), **meeting})
    applied = store.change_open(evaluation["_id"], {"$set": {
        "procedure": rerating.MEETING, "meeting": {"called_at": timestamp(), **meeting}}},
        [called], condition)
    evaluation = changed_or_refused(store, evaluation["_id"], applied)
    if not applied:
        raise Conflict("Phiên đánh giá vừa thay đổi: hãy xem lại rồi gửi lại",
                       "The evaluation changed meanwhile: read it again, then retry")
    return resource(evaluation)


def decide_on_approval(store, evaluation_id, authority, decision):
    """The provincial chair's decision on the council's potential 5★ result (Art. 7.3.e,
    ``forwarding.py``): approved, it is forwarded — the event opens the central evaluation
    (``open_at_central_level``); not approved, it is closed and nothing goes."""
    evaluation = evaluation_or_404(store, evaluation_id)
    if evaluation["status"] != forwarding.AWAITING_APPROVAL:
        raise Conflict(
            "Chỉ kết quả có tiềm năng đạt 5 sao đang chờ Chủ tịch UBND tỉnh phê duyệt mới "
            f"được phê duyệt (trạng thái {evaluation['status']})",
            "Only a potential 5★ result awaiting the provincial chair's approval may be "
            f"decided on (status {evaluation['status']})")
    forwarding.check_approval_date(decision["date"], rounds.vietnam_date(
        evaluation["closed_at"]), rounds.vietnam_today())
    approval = {"approved": decision["approved"], "reference": decision["reference"],
                "date": decision["date"].isoformat(), "by": authority, "at": timestamp()}
    scored = {**summary(evaluation), "score": evaluation["score"],
              "stars": evaluation["stars"]}
    subject = f"products/{evaluation['product_id']}"
    if decision["approved"]:
        status = forwarding.FORWARDED
        event = make_event("evaluation.forwarded", subject, {
            **scored, "to_level": "central", "approval_reference": approval["reference"],
            "approval_date": approval["date"], "approved_by": authority})
    else:
        status = forwarding.NOT_APPROVED
        approval["reason"] = decision["reason"]
        event = make_event("evaluation.approval_refused", subject, {
            **scored, "reference": approval["reference"], "date": approval["date"],
            "refused_by": authority, "reason": decision["reason"]})
    return changed_from(store, evaluation_id, forwarding.AWAITING_APPROVAL, {"$set": {
        "status": status, "approval": approval}}, [event])


def changed_from(store, evaluation_id, status, change, events):
    """A change applied only while the evaluation has ``status``: the evaluation as it is
    now, or why the change was refused."""
    applied = store.change_status(evaluation_id, status, change, events)
    evaluation = evaluation_or_404(store, evaluation_id)
    if not applied:
        raise Conflict(f"Phiên đánh giá vừa thay đổi ({evaluation['status']})",
                       f"The evaluation changed meanwhile ({evaluation['status']})")
    return resource(evaluation)


def report_five_star_re_rating(store, evaluation_id, officer, report):
    """The province office's report on a 5★ re-rating, with which the province sends it to
    the ministry (Art. 6.3.b, 7.6.e): the provincial evaluation is forwarded, unscored —
    with no provincial result, there is no chair's approval to wait for (``forwarding.py``)."""
    evaluation = evaluation_or_404(store, evaluation_id)
    refuse_unless_open(evaluation)
    if evaluation["procedure"] != rerating.OFFICE_REPORT:
        raise Conflict("Chỉ đánh giá lại sản phẩm 5 sao mới do cơ quan tham mưu báo cáo",
                       "Only a 5★ re-rating goes to the ministry on the office's report")
    forwarded = make_event("evaluation.forwarded", f"products/{evaluation['product_id']}", {
        **summary(evaluation), "score": None, "stars": None, "to_level": "central",
        "office_report": report})
    applied = store.change_open(evaluation_id, {"$set": {
        "status": forwarding.FORWARDED, "closed_at": timestamp(),
        "result": {"to_level": "central", "office_report": report, "reported_by": officer}}},
        [forwarded])
    return resource(changed_or_refused(store, evaluation_id, applied))


def order_provincial_evaluation(store, evaluation_id, authority, note):
    """The provincial chair's other choice on a central result handed back (Art. 7.4.g): the
    province evaluates the product itself.  The central result is set aside — it can no
    longer be recognised — and the event opens the provincial evaluation
    (``open_provincial_reevaluation``), whose id the answer gives."""
    evaluation = evaluation_or_404(store, evaluation_id)
    if not forwarding.may_order_provincial_evaluation(evaluation):
        raise Conflict(
            "Chỉ kết quả cấp trung ương dưới 5 sao đã trả về tỉnh mới được tỉnh tổ chức đánh "
            f"giá lại (trạng thái {evaluation['status']}, cấp {evaluation['level']})",
            "Only a central result below 5★ handed back to the province may be evaluated "
            f"again by the province (status {evaluation['status']}, level "
            f"{evaluation['level']})")
    # One order per central result (the status guard below), hence one id for what it opens.
    provincial_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"evaluations/{evaluation_id}/province"))
    ordered = make_event("evaluation.provincial_evaluation_ordered",
                         f"products/{evaluation['product_id']}", {
                             **summary(evaluation), "score": evaluation["score"],
                             "stars": evaluation["stars"], "ordered_by": authority,
                             "note": note, "provincial_evaluation_id": provincial_id})
    return changed_from(store, evaluation_id, "completed", {"$set": {
        "status": forwarding.SET_ASIDE, "set_aside": {
            "at": timestamp(), "by": authority, "note": note,
            "provincial_evaluation_id": provincial_id}}}, [ordered])


def outcome(evaluation, result):
    """(status, event name, event data) for a council result."""
    if result.knocked_out is not None:
        return "rejected", "evaluation.rejected", {
            "score": result.score, "reason": dict(result.knocked_out)}
    if result.potential_five_star:
        # Forwarded only once the provincial chair approves it (decide_on_approval).
        return forwarding.AWAITING_APPROVAL, "evaluation.approval_requested", {
            "score": result.score, "stars": result.stars,
            "capped_by": list(result.capped_by)}
    # A central result below 5★ is handed back: the province recognises 3★/4★ on it, or
    # orders its own evaluation (forwarding.py).
    recognising = "central" if result.level == "central" and result.stars == 5 else "province"
    return "completed", "evaluation.completed", {
        "score": result.score, "stars": result.stars,
        "recognised": result.recognised or result.province_may_recognise,
        "level": recognising, "council_level": result.level,
        "rule_version": result.rule_version,
        "category": result.category, "capped_by": list(result.capped_by)}
