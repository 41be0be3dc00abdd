"""Evaluation's nameko entrypoints."""
from chassis.rpc import rpc

from chassis.errors import NotFound
from chassis.handlers import handle_event
from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxRelay, resource
from chassis.schemas import load
from chassis.web import OperationsEndpoints
from services.evaluation import catalogue, store, workflow
from services.evaluation.schemas import SheetSchema


class EvaluationService(OperationsEndpoints):
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

    @rpc
    def get_evaluation(self, evaluation_id):
        return resource(workflow.evaluation_or_404(self.store, evaluation_id))

    @rpc
    def evaluations_of_product(self, product_id):
        return [resource(e) for e in self.store.for_product(product_id)]

    @rpc
    def record_sheet(self, evaluation_id, payload):
        return workflow.record_sheet(self.store, evaluation_id, load(SheetSchema(), payload))

    @rpc
    def decide(self, evaluation_id):
        return workflow.decide(self.store, evaluation_id)

    @handle_event("registration", "product.submitted")
    def on_product_submitted(self, event):
        workflow.open_for_submission(self.store, event)
