"""Provisioning the broker from the one table of users (``chassis.brokers``).

    python -m scripts.broker setup              # docker compose's one-shot broker-setup
    python -m scripts.broker agency NAME        # a read-only user for an agency
    python -m scripts.broker k8s                # k8s/base/rabbitmq/users-and-queues.yaml, generated
    python -m scripts.broker migrate-queues     # an earlier release's classic queues to quorum

``declare_topology`` declares, as the administrator over AMQP, every exchange and every
consumer's queue with its bindings, exactly as the services would: so that no service
needs the right to declare another's exchange, whichever starts first, and so that an
event published before its consumer first starts is kept in the consumer's queue.

Users and permissions are applied as RabbitMQ definitions, in one request: with
``rabbitmqctl import_definitions`` where this machine administers the broker, otherwise
with the management API (``POST /api/definitions``).
"""
import argparse
import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import urllib.request
import warnings
from urllib.parse import quote, unquote, urlsplit

# eventlet (under nameko) announces its deprecation on import; not news here.
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import yaml  # noqa: E402
from kombu import Connection, Exchange, Queue  # noqa: E402

from chassis import brokers  # noqa: E402
from chassis.queues import DurableQueue, broker_version, supports_quorum  # noqa: E402
from chassis.handlers import consumer_queue, dead_letter_queue, retry_queue  # noqa: E402
from scripts.asyncapi import consumers  # noqa: E402

LOCAL_HOSTS = ("127.0.0.1", "localhost")
K8S_GENERATED = "k8s/base/rabbitmq/users-and-queues.yaml"
K8S_CLUSTER = "ocop-rabbitmq"
K8S_VHOST = "ocop"


def vhost_of(amqp_uri):
    path = urlsplit(amqp_uri).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def with_credentials(amqp_uri, username, password):
    parts = urlsplit(amqp_uri)
    host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
    return parts._replace(netloc=f"{quote(username, safe='')}:{quote(password, safe='')}"
                                 f"@{host}").geturl()


def rabbitmqctl(*arguments, node=None):
    """The command line of ``rabbitmqctl``, quiet, on ``node`` (e.g. the tests' own
    ``ocop-faults-<pid>@localhost``); None is rabbitmqctl's own default node."""
    return ["rabbitmqctl", "-q", *(["-n", node] if node else []), *arguments]


def administers_locally(amqp_uri, node=None):
    """True when the broker is on this machine and ``rabbitmqctl`` can administer it."""
    if urlsplit(amqp_uri).hostname not in LOCAL_HOSTS or not shutil.which("rabbitmqctl"):
        return False
    return subprocess.run(rabbitmqctl("list_vhosts", node=node), capture_output=True
                          ).returncode == 0


def consumer_queues():
    """Every queue of every event handler, with its retry queue, and each consuming
    service's dead-letter queue, as ``chassis.handlers`` declares them."""
    queues, services = [], []
    for consumer in consumers():
        queue = consumer_queue(consumer.service, consumer.method, consumer.source,
                               consumer.event)
        queues += [queue, retry_queue(consumer.service, queue.name)]
        services.append(consumer.service)
    return queues + [dead_letter_queue(service) for service in dict.fromkeys(services)]


def bindings_of(queue):
    """(exchange, routing key) of each binding of a kombu Queue."""
    return (sorted((b.exchange.name, b.routing_key) for b in queue.bindings)
            or [(queue.exchange.name, queue.routing_key)])


def declare_topology(admin_uri):
    """Every exchange of the table and every consumer's queues, bound as their handlers
    bind them; declaring what exists with the same arguments changes nothing."""
    with Connection(admin_uri) as connection:
        channel = connection.default_channel
        declare_topology_exchanges(channel)
        for queue in consumer_queues():
            queue(channel).declare()


def declare_topology_exchanges(channel):
    for name, kind in brokers.exchanges():
        Exchange(name, type=kind, durable=True)(channel).declare()


class StillConsumed(RuntimeError):
    pass


def migrate_queues(admin_uri, report=print):
    """Make each consumer and retry queue that an earlier release declared classic a
    quorum queue, keeping its messages and bindings; the others are left as they
    are. The queue's consumers must be stopped first (the services scaled to 0): a queue
    still consumed is refused and left classic.

    Each queue's messages wait meanwhile in ``<queue>.migrating``, a classic queue of the
    old shape bound where the queue is (a retry's back-off still expires into its consumer
    queue); an event published in the moment both are bound arrives twice, which the
    consumers' duplicate check absorbs. Returns the names of the queues migrated."""
    migrated, refused = [], []
    # Publisher confirms: a message leaves its queue only once the next one holds it.
    with Connection(admin_uri, transport_options={"confirm_publish": True}) as connection:
        channel = connection.channel()
        if not supports_quorum(broker_version(channel)):
            raise SystemExit(f"RabbitMQ {broker_version(channel)} has no quorum queues: "
                             "the classic queues stay")
        for queue in consumer_queues():
            if not isinstance(queue, DurableQueue) or not queue.other_shape(channel, queue.queue_arguments):
                continue
            consumers = channel.queue_declare(queue.name, passive=True).consumer_count
            if consumers:
                refused.append(f"{queue.name} ({consumers} consumer(s))")
                continue
            holding = Queue(f"{queue.name}.migrating", durable=True,
                            queue_arguments=queue.classic_arguments)(channel)
            holding.declare()
            routes = bindings_of(queue)
            _rebind(channel, holding.name, routes, bind=True)
            _rebind(channel, queue.name, routes, bind=False)
            moved = _move(channel, queue.name, holding.name)
            channel.queue_delete(queue.name, if_empty=True)
            # A channel that knew the classic queue fails on the new one of its name.
            channel.close()
            channel = connection.channel()
            queue(channel).declare()
            _rebind(channel, holding.name, routes, bind=False)
            moved = _move(channel, holding.name, queue.name)
            channel.queue_delete(holding.name, if_empty=True)
            report(f"{queue.name}: quorum, {moved} message(s) kept")
            migrated.append(queue.name)
    if refused:
        raise StillConsumed("still consumed, left classic (stop their services and run "
                            "migrate-queues again): " + ", ".join(refused))
    return migrated


def _rebind(channel, queue_name, routes, bind):
    for exchange, routing_key in routes:
        (channel.queue_bind if bind else channel.queue_unbind)(
            queue=queue_name, exchange=exchange, routing_key=routing_key)


def _move(channel, source, target):
    """Every message of ``source`` into ``target``, each acknowledged once confirmed."""
    moved = 0
    while (message := channel.basic_get(source)) is not None:
        channel.basic_publish(message, exchange="", routing_key=target)
        channel.basic_ack(message.delivery_tag)
        moved += 1
    return moved


def definitions(vhost, users):
    """RabbitMQ definitions for ``users``: {username: (Grant, password)}."""
    return {
        "users": [{"name": name, "password": password, "tags": []}
                  for name, (_, password) in users.items()],
        "permissions": [{"user": name, "vhost": vhost, "configure": grant.configure,
                         "write": grant.write, "read": grant.read}
                        for name, (grant, _) in users.items()],
        "topic_permissions": [{"user": name, "vhost": vhost, "exchange": topic.exchange,
                               "write": topic.write, "read": topic.read}
                              for name, (grant, _) in users.items() for topic in grant.topics],
    }


def import_locally(document, node=None):
    # On standard input: rabbitmqctl may run as another user, who could not read a file.
    subprocess.run(rabbitmqctl("import_definitions", "--format", "json", node=node),
                   input=json.dumps(document), text=True, check=True,
                   stdout=subprocess.DEVNULL)


def delete_locally(usernames, node=None):
    """Users are global in RabbitMQ: remove the ones a run made, all at once."""
    deleting = [subprocess.Popen(rabbitmqctl("delete_user", name, node=node),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for name in usernames]
    for process in deleting:
        process.wait(60)


def import_through_api(management_url, admin_user, admin_password, document):
    request = urllib.request.Request(
        management_url.rstrip("/") + "/api/definitions", method="POST",
        data=json.dumps(document).encode(), headers={
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(
                f"{admin_user}:{admin_password}".encode()).decode()})
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status >= 300:
            raise RuntimeError(f"definitions refused: HTTP {response.status}")


class LocalUsers:
    """A user with a random password for each of ``grants`` ({principal: Grant}), in the
    vhost of ``admin_uri``, made and removed with ``rabbitmqctl`` on ``node``. Users are
    global in RabbitMQ: their names carry a random id of their own."""

    def __init__(self, admin_uri, grants, node=None):
        self.admin_uri, self.grants, self.node = admin_uri, grants, node
        run = secrets.token_hex(4)
        self.users = {principal: (f"ocop-{principal}-{run}", secrets.token_hex(16))
                      for principal in grants}

    def create(self):
        """The AMQP URI of each principal, with its own credentials."""
        import_locally(definitions(vhost_of(self.admin_uri), {
            name: (self.grants[principal], password)
            for principal, (name, password) in self.users.items()}), node=self.node)
        return {principal: with_credentials(self.admin_uri, name, password)
                for principal, (name, password) in self.users.items()}

    def delete(self):
        delete_locally((name for name, _ in self.users.values()), node=self.node)


# Kubernetes: Messaging Topology Operator objects --------------------------------------

def _k8s(kind, name, spec):
    return {"apiVersion": "rabbitmq.com/v1beta1", "kind": kind, "metadata": {"name": name},
            "spec": {**spec, "rabbitmqClusterReference": {"name": K8S_CLUSTER}}}


def k8s_secret_name(principal):
    return f"ocop-rabbitmq-{principal.replace('.', '-')}"


def k8s_user_objects(principal, grant):
    """User (credentials from Secret ``ocop-rabbitmq-<principal>``), Permission and
    TopicPermissions of one principal of the table."""
    user = f"ocop-{principal.replace('.', '-')}"
    objects = [
        _k8s("User", user, {"tags": [],
                            "importCredentialsSecret": {"name": k8s_secret_name(principal)}}),
        _k8s("Permission", f"{user}-on-{K8S_VHOST}", {
            "vhost": K8S_VHOST, "userReference": {"name": user},
            "permissions": {"configure": grant.configure, "write": grant.write,
                            "read": grant.read}})]
    for topic in grant.topics:
        objects.append(_k8s("TopicPermission", f"{user}-on-{topic.exchange}", {
            "vhost": K8S_VHOST, "userReference": {"name": user},
            "permissions": {"exchange": topic.exchange, "write": topic.write,
                            "read": topic.read}}))
    return objects


def _k8s_name(name):
    return name.lower().replace("_", "-")


def k8s_objects():
    """Every exchange, consumer queue and binding, and every process's user, as
    k8s/base/rabbitmq/users-and-queues.yaml holds them."""
    exchanges = [_k8s("Exchange", _k8s_name(name.replace(".", "-")), {
        "name": name, "vhost": K8S_VHOST, "type": kind, "durable": True,
        "autoDelete": False}) for name, kind in brokers.exchanges()]
    queues, bindings = [], []
    for queue in consumer_queues():
        queues.append(_k8s("Queue", _k8s_name(queue.name), {
            "name": queue.name, "vhost": K8S_VHOST, "durable": True, "autoDelete": False,
            **({"arguments": queue.queue_arguments} if queue.queue_arguments else {})}))
        for exchange, routing_key in bindings_of(queue):
            bindings.append(_k8s("Binding", _k8s_name(f"{queue.name}.from.{exchange}"), {
                "vhost": K8S_VHOST, "source": exchange, "destination": queue.name,
                "destinationType": "queue", "routingKey": routing_key}))
    users = [o for principal, grant in brokers.grants().items()
             for o in k8s_user_objects(principal, grant)]
    return exchanges + queues + bindings + users


def k8s_yaml(objects, header):
    return header + yaml.safe_dump_all(objects, sort_keys=False, width=1000)


K8S_HEADER = (
    "# Generated by `python -m scripts.broker k8s` from chassis/brokers.py: do not edit.\n"
    "# The exchanges, the event consumers' queues and their bindings, and one user per process\n"
    "# with its permissions (docs/operations.md, \"Broker users\"). Each user's credentials\n"
    "# come from Secret ocop-rabbitmq-<process>.\n")


# Commands -------------------------------------------------------------------------------

def compose_users(environ):
    """User ``ocop-<process>`` of each process, with the password compose gives it in
    ``RABBITMQ_<PROCESS>_PASSWORD``: {username: (Grant, password)}."""
    return {f"ocop-{process}": (grant, environ[f"RABBITMQ_{process.upper()}_PASSWORD"])
            for process, grant in brokers.grants().items()}


def setup(args):
    """docker compose: declare the topology and make each process's user."""
    admin = urlsplit(args.amqp_uri)
    declare_topology(args.amqp_uri)
    users = compose_users(os.environ)
    import_through_api(args.management_url, unquote(admin.username),
                       unquote(admin.password), definitions(vhost_of(args.amqp_uri), users))
    print(f"broker ready: {len(brokers.exchanges())} exchanges, users "
          f"{', '.join(users)} in vhost {vhost_of(args.amqp_uri)}", file=sys.stderr)


def agency(args):
    """A read-only user for an agency, with a new random password, printed once."""
    grant = brokers.agency_grant(args.name)
    if args.k8s:
        print(k8s_yaml(k8s_user_objects(f"agency.{args.name}", grant),
                       f"# Agency {args.name}: read-only user (docs/events.md).\n"), end="")
        return
    username, password = f"agency-{args.name}", secrets.token_urlsafe(24)
    document = definitions(vhost_of(args.amqp_uri), {username: (grant, password)})
    if args.management_url:
        admin = urlsplit(args.amqp_uri)
        import_through_api(args.management_url, unquote(admin.username),
                           unquote(admin.password), document)
    elif administers_locally(args.amqp_uri):
        import_locally(document)
    else:
        raise SystemExit("no rabbitmqctl for this broker: give --management-url")
    print(json.dumps({"username": username, "password": password,
                      "vhost": vhost_of(args.amqp_uri),
                      "queues": brokers.agency_queue_prefix(args.name) + "*",
                      "exchanges": [brokers.events_exchange(s) for s in brokers.SERVICES]},
                     indent=2))


def k8s(args):
    """Write k8s/base/rabbitmq/users-and-queues.yaml from the table and the services' handlers."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), K8S_GENERATED)
    with open(path, "w") as file:
        file.write(k8s_yaml(k8s_objects(), K8S_HEADER))
    print(f"wrote {K8S_GENERATED}", file=sys.stderr)


def migrate(args):
    """Move an earlier release's classic consumer and retry queues to quorum queues."""
    try:
        migrated = migrate_queues(args.amqp_uri, report=lambda line: print(line,
                                                                           file=sys.stderr))
    except StillConsumed as exc:
        raise SystemExit(str(exc)) from None
    print(f"{len(migrated)} queue(s) migrated to quorum queues", file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler in (("setup", setup), ("agency", agency), ("k8s", k8s),
                          ("migrate-queues", migrate)):
        command = commands.add_parser(name, help=handler.__doc__.split("\n")[0])
        command.set_defaults(handler=handler)
        if name != "k8s":
            command.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI"),
                                 help="the administrator's AMQP URI (default: AMQP_URI)")
        if name in ("setup", "agency"):
            command.add_argument("--management-url",
                                 default=os.environ.get("RABBITMQ_MANAGEMENT_URL"),
                                 help="RabbitMQ management API (default: "
                                      "RABBITMQ_MANAGEMENT_URL)")
    commands.choices["agency"].add_argument("name")
    commands.choices["agency"].add_argument("--k8s", action="store_true",
                                            help="print its Topology Operator objects instead")
    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
