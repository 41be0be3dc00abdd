"""Evaluation's nameko entrypoints."""
from chassis import pages
from chassis.audit import AuditedService, command
from chassis.errors import NotFound
from chassis.handlers import handle_event
from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxRelay, resource
from chassis.rpc import rpc
from chassis.schemas import load
from chassis.web import OperationsEndpoints
from services.evaluation import catalogue, store, workflow
from services.evaluation.schemas import ApprovalSchema, CouncilSchema, DecisionSchema, \
    EvaluationFiltersSchema, InterestSchema, MeetingSchema, OfficeReportSchema, \
    ProvincialEvaluationOrderSchema, RescoreSchema, ReviewSchema, SheetSchema


class EvaluationService(OperationsEndpoints, AuditedService):
    name = "evaluation"

    db = MongoDatabase(store.prepare)
    relay = OutboxRelay("evaluations")

    @property
    def store(self):
        return store.EvaluationStore(self.db)

    @rpc
    def list_categories(self):
        return catalogue.categories()

    @rpc
    def get_criteria_set(self, code):
        criteria_set = catalogue.criteria_set(code)
        if criteria_set is None:
            raise NotFound(f"Không có bộ sản phẩm {code}", f"No criteria set {code}")
        return criteria_set

    @property
    def member(self):
        """The calling member: who scores, reviews or declares is the caller, never a
        field of the request."""
        return self.audit.caller.subject

    @command
    def set_council(self, scope, payload, expected_revision=None):
        return workflow.set_council(self.store, scope, load(CouncilSchema(), payload),
                                    expected_revision)

    @rpc
    def get_council(self, scope):
        return resource(workflow.council_or_404(self.store, scope))

    @rpc
    def council_roster(self, scope):
        return workflow.council_roster(self.store, scope)

    @rpc
    def council_interests(self, scope):
        return workflow.interests_view(self.store, scope)

    @command
    def declare_interest(self, scope, payload):
        interest = load(InterestSchema(), payload)
        return workflow.declare_interest(self.store, scope, self.member,
                                         interest["producer_id"])

    @rpc
    def get_evaluation(self, evaluation_id):
        return resource(workflow.evaluation_or_404(self.store, evaluation_id))

    @rpc
    def closing(self, evaluation_id):
        return workflow.closing(self.store, evaluation_id)

    @rpc
    def list_evaluations(self, filters, limit=pages.DEFAULT_LIMIT, cursor=None):
        return workflow.list_evaluations(self.store, load(EvaluationFiltersSchema(), filters),
                                         self.member, limit, cursor)

    @rpc
    def get_sheet(self, evaluation_id, member):
        return workflow.sheet_view(self.store, evaluation_id, member)

    @rpc
    def evaluation_scope(self, evaluation_id):
        return workflow.evaluation_scope(self.store, evaluation_id)

    @command
    def request_review(self, evaluation_id, payload):
        review = {**load(ReviewSchema(), payload), "member": self.member}
        return workflow.request_review(self.store, evaluation_id, review)

    @command
    def record_sheet(self, evaluation_id, payload):
        picks = load(SheetSchema(), payload)["picks"]
        return workflow.record_sheet(self.store, evaluation_id, self.member, picks)

    @command
    def rescore(self, evaluation_id, payload, expected_revision=None):
        picks = load(RescoreSchema(), payload)["picks"]
        return workflow.rescore(self.store, evaluation_id, self.member, picks,
                                expected_revision)

    @command
    def decide(self, evaluation_id, payload=None):
        decision = load(DecisionSchema(), {} if payload is None else payload)
        return workflow.decide(self.store, evaluation_id, decision["knockouts"])

    @command
    def call_meeting(self, evaluation_id, payload):
        reason = load(MeetingSchema(), payload)["reason"]
        return workflow.call_meeting_on_complex_content(self.store, evaluation_id,
                                                        self.member, reason)

    @command
    def decide_on_approval(self, evaluation_id, payload):
        decision = load(ApprovalSchema(), payload)
        return workflow.decide_on_approval(self.store, evaluation_id,
                                           self.audit.caller.subject, decision)

    @command
    def order_provincial_evaluation(self, evaluation_id, payload):
        order = load(ProvincialEvaluationOrderSchema(), payload)
        return workflow.order_provincial_evaluation(self.store, evaluation_id,
                                                    self.audit.caller.subject, order["note"])

    @command
    def report_five_star_re_rating(self, evaluation_id, payload):
        report = load(OfficeReportSchema(), payload)
        return workflow.report_five_star_re_rating(self.store, evaluation_id,
                                                   self.audit.caller.subject, report["report"])

    @handle_event("registration", "product.submitted")
    def on_product_submitted(self, event):
        workflow.open_for_submission(self.store, event)

    @handle_event("evaluation", "evaluation.forwarded")
    def on_evaluation_forwarded(self, event):
        workflow.open_at_central_level(self.store, event)

    @handle_event("evaluation", "evaluation.provincial_evaluation_ordered")
    def on_provincial_evaluation_ordered(self, event):
        workflow.open_provincial_reevaluation(self.store, event)
