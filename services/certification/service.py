"""Certification's nameko entrypoints."""
from chassis.handlers import handle_event
from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxRelay
from chassis.rpc import BoundedRpcProxy, rpc
from chassis.web import OperationsEndpoints
from services.certification import imported, store, workflow


class CertificationService(OperationsEndpoints):
    name = "certification"

    db = MongoDatabase(lambda database: [store.prepare(database),
                                         imported.prepare(database)])
    relay = OutboxRelay("certificates")
    evaluation = BoundedRpcProxy("evaluation")

    @property
    def store(self):
        return store.CertificationStore(self.db)

    @rpc
    def verify(self, code):
        return workflow.verify(self.store, code)

    @rpc
    def certificates_of_product(self, product_id):
        return workflow.certificates_of_product(self.store, product_id)

    @rpc
    def certified_products(self, query, limit, cursor):
        return workflow.certified_products(self.store, query, limit, cursor)

    @handle_event("evaluation", "evaluation.completed")
    def on_evaluation_completed(self, event):
        workflow.issue_for(self.store, event, self.evaluation)

    @handle_event("registration", "product.imported")
    def on_product_imported(self, event):
        imported.record(self.db, event)
