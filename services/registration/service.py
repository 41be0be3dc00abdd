"""Registration's nameko entrypoints."""
from chassis.audit import AuditedService, command
from chassis.handlers import handle_event
from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxRelay, resource
from chassis.rpc import rpc
from chassis.schemas import load, load_query
from chassis.web import OperationsEndpoints
from services.registration import store, workflow
from services.registration.metrics import PRODUCTS_BY_STAGE
from services.registration.imports import decoded
from services.registration.schemas import ImportSchema, NewProducerSchema, \
    NewProductSchema, ProducerFilterSchema, ProductFilterSchema, SubmissionSchema


class RegistrationService(OperationsEndpoints, AuditedService):
    name = "registration"

    db = MongoDatabase(store.prepare)
    relay = OutboxRelay("products", "producers", "imports")

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
        return workflow.register_product(self.store, load(NewProductSchema(), payload))

    @rpc
    def get_product(self, product_id):
        return resource(workflow.product_or_404(self.store, product_id))

    @rpc
    def product_scope(self, product_id):
        return workflow.product_scope(self.store, product_id)

    @command
    def submit_product(self, product_id, payload=None):
        submission = load(SubmissionSchema(), {} if payload is None else payload)
        return workflow.submit_product(self.store, product_id, submission["kind"])

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

    @handle_event("certification", "certificate.issued")
    def on_certificate_issued(self, event):
        workflow.on_certificate_issued(self.store, event)

    @handle_event("certification", "certificate.revoked")
    def on_certificate_revoked(self, event):
        workflow.on_certificate_revoked(self.store, event)

    @handle_event("certification", "certificate.expired")
    def on_certificate_expired(self, event):
        workflow.on_certificate_expired(self.store, event)

    def refresh_gauges(self):
        for stage, count in self.store.count_by_stage().items():
            PRODUCTS_BY_STAGE.labels(stage).set(count)
