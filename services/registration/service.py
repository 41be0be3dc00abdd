"""Registration's nameko entrypoints."""
from nameko.dependency_providers import Config

from chassis.audit import AuditedService, command
from chassis.handlers import handle_event
from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxRelay, resource
from chassis.rpc import rpc
from chassis.schemas import load, load_query
from chassis.timer import configured_timer
from chassis.web import Operations, OperationsEndpoints
from services.registration import store, workflow, working_days
from services.registration.metrics import count_products_by_stage
from services.registration.imports import decoded
from services.registration.schemas import CommuneReviewSchema, DaysOffSchema, \
    DossierFilingSchema, EvidenceUploadSchema, IdeaContentSchema, ImportSchema, \
    NewIdeaSchema, NewPlanSchema, NewProducerSchema, NewProductSchema, PlanContentSchema, \
    ProducerFilterSchema, ProductFilterSchema, ReceiptSchema, ReturnSchema, \
    StepDecisionSchema, SupportSchema


class RegistrationService(OperationsEndpoints, AuditedService):
    name = "registration"

    operations = Operations(gauges=count_products_by_stage)
    db = MongoDatabase(store.prepare)
    relay = OutboxRelay("products", "producers", "imports", "ideas", "plans")
    config = Config()

    @property
    def store(self):
        return store.RegistrationStore(self.db)

    @command
    def register_producer(self, payload):
        return workflow.register_producer(self.store, load(NewProducerSchema(), payload))

    @rpc
    def get_producer(self, producer_id):
        return resource(workflow.producer_or_404(self.store, producer_id))

    @rpc
    def producer_scope(self, producer_id):
        return workflow.producer_scope(self.store, producer_id)

    @rpc
    def list_producers(self, filters, limit, cursor=None):
        return workflow.listed(self.store, "producers",
                               load_query(ProducerFilterSchema(), filters), limit, cursor)

    @rpc
    def list_products(self, filters, limit, cursor=None):
        return workflow.listed(self.store, "products",
                               load_query(ProductFilterSchema(), filters), limit, cursor)

    @command
    def import_products(self, payload):
        spreadsheet = load(ImportSchema(), payload)
        return workflow.import_products(
            self.store, spreadsheet["province_code"], spreadsheet["file_name"],
            decoded(spreadsheet["content"]), self.audit.caller.as_actor())

    @rpc
    def get_import(self, import_id):
        return workflow.import_report(self.store, import_id)

    @rpc
    def import_scope(self, import_id):
        return {"province_code": workflow.import_report(self.store, import_id)[
            "province_code"]}

    @command
    def register_product(self, payload):
        return workflow.register_product(self.store, load(NewProductSchema(), payload),
                                         self.audit.caller)

    @rpc
    def get_product(self, product_id):
        return workflow.product_view(workflow.product_or_404(self.store, product_id))

    @rpc
    def product_scope(self, product_id):
        return workflow.product_scope(self.store, product_id)

    # Steps 2–4: ideas, business plans, support -----------------------------------------

    @command
    def submit_idea(self, payload):
        return workflow.submit_idea(self.store, load(NewIdeaSchema(), payload),
                                    self.audit.caller)

    @command
    def submit_plan(self, payload):
        return workflow.submit_plan(self.store, load(NewPlanSchema(), payload),
                                    self.audit.caller)

    @rpc
    def get_step(self, step, step_id):
        return workflow.get_step(self.store, step, step_id)

    @rpc
    def step_scope(self, step, step_id):
        return workflow.step_scope(self.store, step, step_id)

    @command
    def decide_step(self, step, step_id, payload):
        return workflow.decide_step(self.store, step, step_id,
                                    load(StepDecisionSchema(), payload), self.audit.caller)

    @command
    def resubmit_step(self, step, step_id, payload):
        schema = IdeaContentSchema() if step == "idea" else PlanContentSchema()
        return workflow.resubmit_step(self.store, step, step_id, load(schema, payload),
                                      self.audit.caller)

    @command
    def record_support(self, plan_id, payload):
        return workflow.record_support(self.store, plan_id, load(SupportSchema(), payload),
                                       self.audit.caller)

    # The dossier and its way to the province --------------------------------------------

    @command
    def upload_evidence(self, product_id, payload):
        return workflow.upload_evidence(self.store, product_id,
                                        load(EvidenceUploadSchema(), payload), self.audit.caller)

    @rpc
    def get_evidence(self, product_id, evidence_id):
        return workflow.get_evidence(self.store, product_id, evidence_id)

    @command
    def file_dossier(self, product_id, payload):
        return workflow.file_dossier(self.store, product_id,
                                     load(DossierFilingSchema(), payload), self.audit.caller)

    @command
    def record_receipt(self, product_id, payload):
        return workflow.record_receipt(self.store, product_id, load(ReceiptSchema(), payload),
                                       self.audit.caller)

    @command
    def review_dossier(self, product_id, payload):
        return workflow.review_dossier(self.store, product_id,
                                       load(CommuneReviewSchema(), payload), self.audit.caller)

    @command
    def return_dossier(self, product_id, payload):
        return workflow.return_dossier(self.store, product_id,
                                       load(ReturnSchema(), payload)["reasons"],
                                       self.audit.caller)

    @command
    def check_completeness(self, product_id):
        return workflow.check_completeness(self.store, product_id, self.audit.caller)

    @command
    def propose_product(self, product_id):
        return workflow.propose_product(self.store, product_id, self.audit.caller)

    @rpc
    def product_timeline(self, product_id):
        return workflow.product_timeline(self.store, product_id)

    @rpc
    def overdue_dossiers(self, province_code):
        return workflow.overdue_dossiers(self.store, province_code)

    @command
    def set_days_off(self, province_code, payload):
        return workflow.set_days_off(self.store, province_code,
                                     load(DaysOffSchema(), payload)["days"], self.audit.caller)

    # Once a day is enough; more often costs one indexed query and announces nothing again.
    @configured_timer("DEADLINE_SWEEP_SECONDS", 3600)
    def remind_communes(self):
        workflow.remind_communes(
            self.store, workflow.vietnam_today(self.config.get("REGISTRATION_TODAY")),
            int(self.config.get("DEADLINE_REMINDER_WORKING_DAYS",
                                working_days.REMINDER_WORKING_DAYS)))

    @handle_event("evaluation", "evaluation.opened")
    def on_evaluation_opened(self, event):
        workflow.on_evaluation_opened(self.store, event)

    @handle_event("evaluation", "evaluation.review_requested")
    def on_review_requested(self, event):
        workflow.on_review_requested(self.store, event)

    @handle_event("evaluation", "evaluation.rejected")
    def on_evaluation_rejected(self, event):
        workflow.on_evaluation_rejected(self.store, event)

    @handle_event("evaluation", "evaluation.completed")
    def on_evaluation_completed(self, event):
        workflow.on_evaluation_completed(self.store, event)

    @handle_event("evaluation", "evaluation.approval_refused")
    def on_approval_refused(self, event):
        workflow.on_approval_refused(self.store, event)

    @handle_event("certification", "certificate.issued")
    def on_certificate_issued(self, event):
        workflow.on_certificate_issued(self.store, event)

    @handle_event("certification", "certificate.revoked")
    def on_certificate_revoked(self, event):
        workflow.on_certificate_revoked(self.store, event)

    @handle_event("certification", "certificate.expired")
    def on_certificate_expired(self, event):
        workflow.on_certificate_expired(self.store, event)

