"""Notification's nameko entrypoints."""
import logging

import eventlet
from nameko.extensions import DependencyProvider
from nameko.timer import timer
from pymongo.errors import ConnectionFailure

from chassis.audit import AuditedService, command
from chassis.handlers import handle_event
from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxRelay
from chassis.rpc import rpc
from chassis.web import OperationsEndpoints
from services.notification import store, workflow
from services.notification.contracts import SUBSCRIBERS_ONLY

log = logging.getLogger(__name__)

# How often due e-mail and webhook deliveries are looked for.
DISPATCH_INTERVAL_SECONDS = 0.5
# With the store away, the dispatcher pauses this long between tries (the timer waits for
# its worker), rather than adding a query every tick to the ones that wait for the store.
STORE_AWAY_PAUSE_SECONDS = 5


class Settings(DependencyProvider):
    """``workflow.Settings`` read once from the configuration: a setting that cannot be
    read stops the process at start, naming it."""

    def setup(self):
        self.settings = workflow.Settings.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.settings


class NotificationService(OperationsEndpoints, AuditedService):
    name = "notification"

    db = MongoDatabase(store.prepare)
    relay = OutboxRelay("deliveries", "endpoints", subscribers_only=SUBSCRIBERS_ONLY)
    settings = Settings()

    @property
    def store(self):
        return store.NotificationStore(self.db)

    # Inboxes and contacts
    @rpc
    def inbox(self, recipient, limit=50, cursor=None):
        return workflow.inbox(self.store, recipient, limit, cursor)

    @rpc
    def unread(self, recipient):
        return workflow.unread(self.store, recipient)

    @rpc
    def message_scope(self, item_id):
        return workflow.message_scope(self.store, item_id)

    @command
    def mark_read(self, item_id):
        return workflow.mark_read(self.store, item_id)

    @command
    def set_contact(self, recipient, payload):
        return workflow.set_contact(self.store, recipient, payload)

    # Agencies: webhooks and the feed
    @command
    def create_endpoint(self, payload):
        return workflow.create_endpoint(self.store, self.settings, self.audit.caller, payload)

    @rpc
    def endpoints_of(self, owner):
        return workflow.endpoints_of(self.store, owner)

    @rpc
    def endpoint_scope(self, endpoint_id):
        return workflow.endpoint_scope(self.store, endpoint_id)

    @command
    def rotate_secret(self, endpoint_id):
        return workflow.rotate_secret(self.store, self.settings, endpoint_id)

    @command
    def enable_endpoint(self, endpoint_id):
        return workflow.enable_endpoint(self.store, self.settings, endpoint_id)

    @rpc
    def delivery_log(self, endpoint_id, limit=50, cursor=None):
        return workflow.delivery_log(self.store, endpoint_id, limit, cursor)

    @command
    def replay_delivery(self, endpoint_id, delivery_id):
        return workflow.replay_delivery(self.store, endpoint_id, delivery_id)

    @command
    def replay_range(self, endpoint_id, payload):
        return workflow.replay_range(self.store, endpoint_id, payload)

    @rpc
    def events(self, after=None, types=None, province=None, limit=100):
        return workflow.read_feed(self.store, self.settings, after, types, province, limit)

    @timer(interval=DISPATCH_INTERVAL_SECONDS)
    def dispatch(self):
        try:
            workflow.dispatch_due(self.store, self.settings)
        except ConnectionFailure as exc:
            log.warning("deliveries wait, the store is away: %s", exc)
            eventlet.sleep(STORE_AWAY_PAUSE_SECONDS)


def consumer(source, event_name):
    """The handler of one event type: every one goes the same way (``workflow.on_event``)."""
    def handler(self, event):
        workflow.on_event(self.store, self.settings, event)
    handler.__name__ = handler.__qualname__ = "on_" + event_name.replace(".", "_")
    return handle_event(source, event_name)(handler)


# One handler, hence one queue, per event type that notification consumes: a type added to
# a publisher's contracts is consumed without a change here.
for _source, _event_name in workflow.consumed():
    _handler = consumer(_source, _event_name)
    setattr(NotificationService, _handler.__name__, _handler)
