"""Notification's nameko entrypoints."""
from chassis.rpc import rpc

from chassis.handlers import handle_event
from chassis.mongo import MongoDatabase
from chassis.web import OperationsEndpoints
from services.notification import store, workflow


class NotificationService(OperationsEndpoints):
    name = "notification"

    db = MongoDatabase(store.prepare)

    @property
    def store(self):
        return store.NotificationStore(self.db)

    @rpc
    def inbox(self, producer_id):
        return workflow.inbox(self.store, producer_id)

    @handle_event("registration", "product.submitted")
    def on_product_submitted(self, event):
        workflow.notify_producer(self.store, event)

    @handle_event("evaluation", "evaluation.opened")
    def on_evaluation_opened(self, event):
        workflow.notify_producer(self.store, event)

    @handle_event("evaluation", "evaluation.review_requested")
    def on_review_requested(self, event):
        workflow.notify_producer(self.store, event)

    @handle_event("evaluation", "evaluation.rejected")
    def on_evaluation_rejected(self, event):
        workflow.notify_producer(self.store, event)

    @handle_event("evaluation", "evaluation.forwarded")
    def on_evaluation_forwarded(self, event):
        workflow.notify_producer(self.store, event)

    @handle_event("evaluation", "evaluation.completed")
    def on_evaluation_completed(self, event):
        workflow.notify_producer(self.store, event)

    @handle_event("certification", "certificate.issued")
    def on_certificate_issued(self, event):
        workflow.notify_producer(self.store, event)
