"""Who may do what on the broker: one RabbitMQ user per process, least privilege.

The one table of users, permissions and topic permissions in the platform's vhost, from
which the local stack (``scripts/devstack.py``), docker compose (``scripts/broker.py
setup``) and Kubernetes (``k8s/base/rabbitmq/users-and-queues.yaml``) are all made.

- A service writes only to its own ``<service>.events`` and ``<service>.requeue``
  exchanges and its own queues (``rpc-<service>``, its consumer queues
  ``evt-<source>-<event>--<service>.<method>`` and their ``.retry`` queues,
  ``dlq.<service>``), reads only its own queues and the exchanges it consumes from, and
  configures only its own exchanges and queues. Nobody but the administrator writes to
  the default exchange, which reaches every queue.
- RPC travels over nameko's topic exchange ``nameko-rpc``; topic permissions decide
  which routing keys a user may publish and bind there. Requests are ``<service>.<method>``
  and only the gateway (and a service for a call granted in ``RPC_CALLS``) may publish
  them; a reply is published under ``reply.<calling process>.<uuid4>``, which only the
  calling process may bind, so no process can copy another's replies.
- The gateway makes RPC calls and publishes nothing else.
- An agency reads events: it declares, binds and consumes only queues named
  ``agency.<name>.*``, bound to the services' event exchanges.

Exchanges are declared by the administrator when the broker is provisioned
(``exchanges()``), so no user needs to declare another's.
"""
import re
from dataclasses import dataclass

SERVICES = ("registration", "evaluation", "certification", "notification")
GATEWAY = "gateway"
RPC_EXCHANGE = "nameko-rpc"

# The services whose events each service consumes (its ``handle_event`` declarations;
# tests/unit/test_brokers.py keeps the two equal).
CONSUMES = {
    "registration": ("evaluation", "certification"),
    "evaluation": ("registration", "evaluation"),
    "certification": ("evaluation", "registration", "certification"),
    "notification": ("registration", "evaluation", "certification", "notification"),
}
# RPC calls a service makes to another, as ``<service>.<method>``.
RPC_CALLS = {
    "certification": ("evaluation.closing",),
}

# A reply's routing key is chassis.rpc.reply_key: reply.<calling process>.<uuid4>.
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ANY_REPLY_KEY = r"reply\.[a-z]+\." + UUID


def replies_to(process):
    """The reply routing keys of ``process``: only it may bind them."""
    return re.escape(f"reply.{process}.") + UUID
AGENCY_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class TopicPermission:
    exchange: str
    write: str
    read: str


@dataclass(frozen=True)
class Grant:
    """A user's permissions in the vhost: RabbitMQ regular expressions on resource
    names, and topic permissions on routing keys."""
    configure: str
    write: str
    read: str
    topics: tuple = ()


def events_exchange(service):
    return f"{service}.events"


def requeue_exchange(service):
    """The direct exchange through which a service re-queues its own messages: each of
    its consumer, retry and dead-letter queues is bound to it by its own name."""
    return f"{service}.requeue"


def exchanges():
    """(name, type) of every exchange, declared durable by the administrator."""
    return ([(events_exchange(s), "topic") for s in SERVICES]
            + [(requeue_exchange(s), "direct") for s in SERVICES]
            + [(RPC_EXCHANGE, "topic")])


def _any_of(*patterns):
    """A whole-name match of any of ``patterns`` (already regular expressions)."""
    return f"^({'|'.join(patterns)})$"


def _name(text):
    return re.escape(text)


def _reply_queue(process):
    return _name(f"rpc.reply-{process}-") + UUID


def _rpc_requests(service):
    return _name(f"{service}.") + r"[A-Za-z_][A-Za-z0-9_]*"


def service_grant(service):
    calls = RPC_CALLS.get(service, ())
    own_exchanges = [_name(events_exchange(service)), _name(requeue_exchange(service))]
    own_queues = [_name(f"rpc-{service}"), _name(f"dlq.{service}"),
                  r"evt-[a-z]+-[a-z_.]+--" + _name(f"{service}.") + r"[a-z_][a-z0-9_]*(\.retry)?"]
    if calls:
        own_queues.append(_reply_queue(service))
    consumed = [_name(events_exchange(source)) for source in CONSUMES[service]]
    rpc_bindings = [_name(f"{service}.*")] + ([replies_to(service)] if calls else [])
    return Grant(
        configure=_any_of(*own_exchanges, *own_queues),
        write=_any_of(*own_exchanges, *own_queues, _name(RPC_EXCHANGE)),
        read=_any_of(*dict.fromkeys([_name(requeue_exchange(service)), *consumed]),
                     *own_queues, _name(RPC_EXCHANGE)),
        topics=(TopicPermission(RPC_EXCHANGE,
                                write=_any_of(ANY_REPLY_KEY, *(_name(c) for c in calls)),
                                read=_any_of(*rpc_bindings)),))


def gateway_grant():
    reply_queue = _reply_queue(GATEWAY)
    return Grant(
        configure=_any_of(reply_queue),
        write=_any_of(reply_queue, _name(RPC_EXCHANGE)),
        read=_any_of(reply_queue, _name(RPC_EXCHANGE)),
        topics=(TopicPermission(RPC_EXCHANGE,
                                write=_any_of(*(_rpc_requests(s) for s in SERVICES)),
                                read=_any_of(replies_to(GATEWAY))),))


def grants():
    """The table: process name → its Grant."""
    return {**{service: service_grant(service) for service in SERVICES},
            GATEWAY: gateway_grant()}


def agency_queue_prefix(agency):
    """The prefix of every queue an agency may declare, e.g. ``agency.vnpost.``."""
    if not AGENCY_NAME.fullmatch(agency):
        raise ValueError(f"agency name {agency!r}: lower-case letters, digits and '-' only")
    return f"agency.{agency}."


def agency_grant(agency):
    own_queues = _name(agency_queue_prefix(agency)) + r"[A-Za-z0-9_.-]+"
    return Grant(configure=_any_of(own_queues), write=_any_of(own_queues),
                 read=_any_of(own_queues, *(_name(events_exchange(s)) for s in SERVICES)))
