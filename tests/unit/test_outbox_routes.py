"""Every event a service publishes has a queue in the platform's topology, or is declared
published for agencies only: the relay publishes ``mandatory``, and an event with no
queue bound stays in the outbox (chassis/outbox.py)."""
import importlib

import pytest

from chassis.brokers import SERVICES
from scripts.asyncapi import consumers


def bound_events(service):
    return {consumer.event for consumer in consumers() if consumer.source == service}


@pytest.mark.parametrize("service", SERVICES)
def test_every_event_is_consumed_in_the_platform_or_declared_for_subscribers_only(service):
    contracts = importlib.import_module(f"services.{service}.contracts")
    subscribers_only = set(getattr(contracts, "SUBSCRIBERS_ONLY", ()))
    published = set(contracts.PUBLISHED)
    assert published - bound_events(service) == subscribers_only
    assert subscribers_only <= published


def test_notifications_relay_publishes_its_subscribers_only_events_without_mandatory():
    from services.notification.contracts import SUBSCRIBERS_ONLY
    from services.notification.service import NotificationService
    assert NotificationService.relay.subscribers_only == SUBSCRIBERS_ONLY
