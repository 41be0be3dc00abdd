"""Notification's use cases."""
from chassis.events import routing_key, timestamp
from chassis.outbox import resource
from services.notification.messages import in_app_message


def notify_producer(store, event):
    name = routing_key(event)
    store.deliver({"_id": f"{event['source']}/{event['id']}", "event_type": event["type"],
                   "subject": event["subject"], **in_app_message(name, event["data"]),
                   "created_at": timestamp(), "read": False})


def inbox(store, producer_id, limit=100):
    return [resource(m) for m in store.for_producer(producer_id, limit)]
