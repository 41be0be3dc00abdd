"""Certification's nameko entrypoints."""
from nameko.dependency_providers import Config

from chassis.audit import AuditedService, command
from chassis.handlers import handle_event
from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxRelay
from chassis.rpc import BoundedRpcProxy, rpc
from chassis.schemas import load
from chassis.timer import configured_timer
from chassis.web import OperationsEndpoints
from services.certification import imported, store, workflow
from services.certification.schemas import RecognitionSchema, RevocationSchema


class CertificationService(OperationsEndpoints, AuditedService):
    name = "certification"

    db = MongoDatabase(lambda database: [store.prepare(database),
                                         imported.prepare(database)])
    relay = OutboxRelay("certificates")
    evaluation = BoundedRpcProxy("evaluation")
    config = Config()

    @property
    def store(self):
        return store.CertificationStore(self.db)

    @property
    def today(self):
        return workflow.today(self.config.get("CERTIFICATION_TODAY"))

    @rpc
    def verify(self, code):
        return workflow.verify(self.store, code, self.today)

    @rpc
    def public_records(self, limit, after=None):
        return workflow.public_records(self.store, limit, after)

    @rpc
    def public_record(self, code):
        return workflow.public_record(self.store, code)

    @rpc
    def certificates(self, query, limit, cursor):
        return workflow.certificates(self.store, query, limit, cursor, self.today)

    @rpc
    def certified_products(self, query, limit, cursor):
        return workflow.certified_products(self.store, query, limit, cursor, self.today)

    @rpc
    def result_scope(self, evaluation_id):
        return workflow.result_scope(self.store, evaluation_id)

    @rpc
    def certificate_scope(self, code):
        return workflow.certificate_scope(self.store, code)

    @command
    def recognise(self, evaluation_id, payload):
        return workflow.recognise(self.store, self.evaluation, self.audit.caller, evaluation_id,
                                  load(RecognitionSchema(), payload), self.today)

    @command
    def revoke(self, code, payload):
        return workflow.revoke(self.store, self.audit.caller, code,
                               load(RevocationSchema(), payload), self.today)

    # Once a day is enough; more often costs one indexed query and changes nothing.
    @configured_timer("MILESTONE_SWEEP_SECONDS", 3600)
    def sweep_milestones(self):
        workflow.sweep(self.store, self.today)

    @handle_event("evaluation", "evaluation.completed")
    def on_evaluation_completed(self, event):
        workflow.on_evaluation_completed(self.store, event)

    @handle_event("evaluation", "evaluation.opened")
    def on_evaluation_opened(self, event):
        workflow.on_evaluation_opened(self.store, event)

    @handle_event("evaluation", "evaluation.rejected")
    def on_evaluation_rejected(self, event):
        workflow.on_evaluation_rejected(self.store, event)

    @handle_event("registration", "product.imported")
    def on_product_imported(self, event):
        imported.record(self.db, event)
