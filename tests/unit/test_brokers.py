"""The table of broker users (chassis.brokers) against the names the code really uses.

RabbitMQ matches permissions with Erlang's re (PCRE); these patterns use nothing on which
it differs from Python's re."""
import importlib
import re
import uuid

import pytest
from nameko.rpc import RPC_QUEUE_TEMPLATE, RPC_REPLY_QUEUE_TEMPLATE, RpcProxy

from chassis import brokers
from chassis.rpc import reply_key
from chassis.handlers import dead_letter_queue, retry_queue
from scripts.asyncapi import consumers
from scripts.devstack import PROCESSES

TABLE = brokers.grants()


def allows(pattern, name):
    return re.search(pattern, name) is not None


def names_of(service):
    """Every exchange and queue a service declares, writes or consumes, by the code."""
    queues = [RPC_QUEUE_TEMPLATE.format(service), dead_letter_queue(service).name]
    for consumer in consumers():
        if consumer.service == service:
            queues += [consumer.queue, retry_queue(service, consumer.queue).name]
    return [brokers.events_exchange(service), brokers.requeue_exchange(service)] + queues


def test_consumes_is_what_the_handlers_declare():
    declared = {}
    for consumer in consumers():
        declared.setdefault(consumer.service, set()).add(consumer.source)
    assert {s: set(sources) for s, sources in brokers.CONSUMES.items()} == declared


def test_the_table_has_one_user_per_process():
    assert set(TABLE) == set(brokers.SERVICES) | {brokers.GATEWAY}


@pytest.mark.parametrize("service", brokers.SERVICES)
def test_a_service_configures_and_writes_only_its_own_names(service):
    grant = TABLE[service]
    own = names_of(service)
    for name in own:
        assert allows(grant.configure, name) and allows(grant.write, name), name
    for other in brokers.SERVICES:
        if other != service:
            for name in names_of(other):
                assert not allows(grant.configure, name), name
                assert not allows(grant.write, name), name
    for name in ("", "amq.default", "amq.topic", "amq.direct", brokers.RPC_EXCHANGE):
        assert not allows(grant.configure, name), name
    assert not allows(grant.write, "amq.default") and not allows(grant.write, "")


@pytest.mark.parametrize("service", brokers.SERVICES)
def test_a_service_reads_only_its_queues_and_the_exchanges_it_consumes(service):
    grant = TABLE[service]
    for name in names_of(service)[2:]:
        assert allows(grant.read, name), name
    for source in brokers.SERVICES:
        assert allows(grant.read, brokers.events_exchange(source)) == (
            source in brokers.CONSUMES[service]), source
    for other in brokers.SERVICES:
        if other != service:
            assert not any(allows(grant.read, n) for n in names_of(other)[1:]), other


def test_rpc_requests_only_from_the_gateway_and_the_granted_calls():
    reply_id = uuid.uuid4()
    gateway = TABLE[brokers.GATEWAY].topics[0]
    for service in brokers.SERVICES:
        assert allows(gateway.write, f"{service}.get_product")
        [rpc] = TABLE[service].topics
        assert rpc.exchange == brokers.RPC_EXCHANGE
        for caller in ("gateway", "certification"):
            assert allows(rpc.write, reply_key(caller, reply_id)), "it answers every call"
        # Nobody binds another process's replies, so no one copies them (personal data).
        assert not allows(rpc.read, reply_key("gateway", reply_id))
        assert not allows(rpc.read, str(reply_id))
        assert allows(rpc.read, f"{service}.*") and not allows(rpc.read, "#")
        for target in brokers.SERVICES:
            call = f"{target}.get_product"
            assert not allows(rpc.write, call), f"{service} may call {call}"
            assert not allows(rpc.read, f"{target}.*") or target == service
    [certification] = TABLE["certification"].topics
    assert allows(certification.write, "evaluation.closing")
    assert not allows(certification.write, "evaluation.closingx")
    assert allows(certification.read, reply_key("certification", reply_id))
    assert allows(gateway.read, reply_key("gateway", reply_id))
    assert not allows(gateway.read, "registration.*")
    assert not allows(gateway.read, reply_key("certification", reply_id))
    reply_queue = RPC_REPLY_QUEUE_TEMPLATE.format("gateway", reply_id)
    assert allows(TABLE[brokers.GATEWAY].configure, reply_queue)
    assert allows(TABLE["certification"].configure,
                  RPC_REPLY_QUEUE_TEMPLATE.format("certification", reply_id))
    assert not allows(TABLE["registration"].configure,
                      RPC_REPLY_QUEUE_TEMPLATE.format("registration", reply_id))


def test_the_gateway_publishes_no_event():
    gateway = TABLE[brokers.GATEWAY]
    for name, _ in brokers.exchanges():
        assert not allows(gateway.configure, name)
        assert allows(gateway.write, name) == (name == brokers.RPC_EXCHANGE), name


def test_an_agency_reads_the_events_through_its_own_queues_only():
    grant = brokers.agency_grant("vnpost")
    assert grant.topics == ()
    for pattern in (grant.configure, grant.write):
        assert allows(pattern, "agency.vnpost.products")
        for name in ("agency.other.products", "agency.vnpost", "dlq.registration",
                     "registration.events", "nameko-rpc", "", "agency.vnpost.x\nfoo"):
            assert not allows(pattern, name), name
    for service in brokers.SERVICES:
        assert allows(grant.read, brokers.events_exchange(service))
    assert not allows(grant.read, "agency.other.products")
    assert not allows(grant.read, "evt-evaluation-evaluation.completed--certification."
                                  "on_evaluation_completed")


@pytest.mark.parametrize("name", ["", "VNPost", "a.b", "a_b", "-a", "a" * 64, ".*"])
def test_agency_names_are_plain(name):
    with pytest.raises(ValueError):
        brokers.agency_grant(name)


def test_every_rpc_proxy_of_a_service_is_granted():
    """A service's proxies call only what RPC_CALLS grants it, or the broker would refuse."""
    for service in brokers.SERVICES:
        module, _, name = PROCESSES[service].module.partition(":")
        cls = getattr(importlib.import_module(module), name)
        targets = {value.target_service for value in vars(cls).values()
                   if isinstance(value, RpcProxy)}
        granted = {call.split(".")[0] for call in brokers.RPC_CALLS.get(service, ())}
        assert targets == granted, service
