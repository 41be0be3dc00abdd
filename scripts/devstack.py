"""The whole system on this machine: RabbitMQ, the MongoDB stand-in, four services and
the gateway as real processes. ``make run`` and the end-to-end tests both use it.

``AMQP_URI`` is the broker administrator's. On a broker this machine administers
(``rabbitmqctl``), each process gets a user of its own with the rights of
``chassis.brokers`` and a random password, removed when the stack stops; on another
broker every process uses ``AMQP_URI`` as it is.

    python -m scripts.devstack run      # until Ctrl-C; restarts a process that exits
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from chassis import brokers
from chassis.retries import backoff
from gateway.tokens import DevelopmentIssuer
from scripts import broker

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
VENV_BIN = Path(sys.executable).parent
NX_27017 = ROOT / ".venv-nx" / "bin" / "nx-27017"
DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
# eventlet announces its deprecation on import: plain text in JSON-lines logs.
QUIET_WARNINGS = "ignore::DeprecationWarning,ignore::Warning:nameko.cli.commands"

class Process(NamedTuple):
    module: str
    config: str
    port: int | None  # the public HTTP port: only the gateway has one
    ops_port: int  # /livez, /readyz, /metrics


PROCESSES = {
    "registration": Process("services.registration.service:RegistrationService", "services/registration/config.yaml", None, 9001),
    "evaluation": Process("services.evaluation.service:EvaluationService", "services/evaluation/config.yaml", None, 9002),
    "certification": Process("services.certification.service:CertificationService", "services/certification/config.yaml", None, 9003),
    "notification": Process("services.notification.service:NotificationService", "services/notification/config.yaml", None, 9004),
    "gateway": Process("gateway.service:GatewayService", "gateway/config.yaml", 8000, 9000),
}


class StackError(RuntimeError):
    pass


def port_open(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise StackError(f"timed out after {seconds}s waiting for {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_rabbitmq(amqp_uri):
    """Start Debian's rabbitmq-server if it is installed and stopped; install it when
    running as root and it is absent; otherwise say what to do."""
    parts = urlsplit(amqp_uri)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5672
    if port_open(host, port):
        return
    if host not in ("127.0.0.1", "localhost"):
        raise StackError(f"RabbitMQ at {host}:{port} does not answer")
    if shutil.which("rabbitmq-server") is None:
        if not apt_install("rabbitmq-server"):
            raise StackError("RabbitMQ is not running and not installed: install the Debian "
                             "package rabbitmq-server, or set AMQP_URI to a running broker")
    if not port_open(host, port):
        print("starting rabbitmq-server…", flush=True)
        subprocess.run(["rabbitmq-server", "-detached"], check=True)
        wait_for(lambda: port_open(host, port), 90, "RabbitMQ to listen")
        if shutil.which("rabbitmqctl"):
            subprocess.run(["rabbitmqctl", "await_startup"], check=True,
                           stdout=subprocess.DEVNULL)


def ensure_chromium():
    """The path of Debian's headless-capable ``chromium``, installed when running as root
    and it is absent (the public pages are checked as a browser renders them); None when
    it cannot be had here."""
    if shutil.which("chromium") is None:
        apt_install("chromium")
    return shutil.which("chromium")


def apt_install(package):
    """Install a Debian package; False when this user cannot (not root, or no apt-get).
    Waits for a package manager another process is running instead of failing."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    print(f"installing {package} (apt-get)…", flush=True)
    wait = ["-o", "DPkg::Lock::Timeout=600"]
    subprocess.run(["apt-get", *wait, "update", "-qq"], check=True)
    subprocess.run(["apt-get", *wait, "install", "-y", "-qq", package], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return True


def ensure_vhost(amqp_uri, vhost, fresh=False):
    """A vhost of its own keeps a test run apart from a running ``make run``; possible
    only on a local broker we administer, otherwise the URI is used as it is.
    ``fresh`` drops what an earlier run left in it."""
    if not broker.administers_locally(amqp_uri):
        return amqp_uri
    parts = urlsplit(amqp_uri)
    existing = subprocess.run(["rabbitmqctl", "-q", "list_vhosts"], capture_output=True,
                              text=True)
    if fresh and vhost in existing.stdout.split():
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], check=True,
                       stdout=subprocess.DEVNULL)
    if fresh or vhost not in existing.stdout.split():
        subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, parts.username or
                    "guest", ".*", ".*", ".*"], check=True, stdout=subprocess.DEVNULL)
    return parts._replace(path="/" + vhost).geturl()


def drop_vhost(amqp_uri, vhost):
    """Remove a vhost ``ensure_vhost`` made on a local broker, with all it holds."""
    if broker.administers_locally(amqp_uri):
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class MongoStandIn:
    """nx-27017 (MongoDB wire protocol over SQLite) as a child process."""

    def __init__(self, data_dir, port, log_file):
        self.data_dir, self.port, self.log_file = Path(data_dir), port, Path(log_file)
        self.process = None

    @property
    def uri(self):
        return f"mongodb://127.0.0.1:{self.port}"

    def start(self):
        if not NX_27017.exists():
            raise StackError(f"{NX_27017} is missing: run `make run` or `make test`, "
                             "which create it")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [str(NX_27017), "--data-dir", str(self.data_dir), "--host", "127.0.0.1",
             "-p", str(self.port), "--log-file", str(self.log_file),
             "--pid-file", str(self.data_dir / "nx-27017.pid")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: port_open("127.0.0.1", self.port) or self.process.poll() is not None,
                 30, "nx-27017 to listen")
        if self.process.poll() is not None:
            raise StackError(f"nx-27017 exited; see {self.log_file}")
        return self

    def stop(self):
        stop_processes([self.process])


def stop_processes(processes, grace=30):
    """SIGTERM all, then wait; whoever outlives the grace period is killed."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in running:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_ports():
    """Public and operations ports nobody listens on, for a ``Stack`` beside another."""
    return ({name: free_port() for name, spec in PROCESSES.items() if spec.port},
            {name: free_port() for name in PROCESSES})


class Stack:
    """The four services and the gateway, each its own ``nameko run`` process and, where
    this machine administers the broker (``rabbitmqctl`` on ``rabbitmq_node``, by default
    its default node), its own broker user. ``ports`` are the public HTTP ports (the
    gateway's), ``ops_ports`` the operations ports."""

    def __init__(self, amqp_uri, mongo_uri, ports=None, ops_ports=None, db_prefix="ocop_",
                 log_dir=VAR / "log", extra_env=None, rabbitmq_node=None):
        self.amqp_uri, self.mongo_uri = amqp_uri, mongo_uri
        self.rabbitmq_node = rabbitmq_node  # for rabbitmqctl; None: its default node
        self.ports = ports or {name: spec.port for name, spec in PROCESSES.items() if spec.port}
        self.ops_ports = ops_ports or {name: spec.ops_port for name, spec in PROCESSES.items()}
        self.db_prefix, self.log_dir = db_prefix, Path(log_dir)
        self.extra_env = extra_env or {}
        self.processes = {}
        self.broker_users = None
        self.amqp_uris = {}

    def provision_broker(self):
        """Declare the exchanges and queues, and give each process its own credentials."""
        broker.declare_topology(self.amqp_uri)
        if broker.administers_locally(self.amqp_uri, self.rabbitmq_node):
            self.broker_users = broker.LocalUsers(self.amqp_uri, brokers.grants(),
                                                  self.rabbitmq_node)
            self.amqp_uris = self.broker_users.create()
        else:
            print("the broker is not administered here: every process uses AMQP_URI as "
                  "given, without a user of its own", flush=True)
            self.amqp_uris = dict.fromkeys(PROCESSES, self.amqp_uri)

    @property
    def gateway_url(self):
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def ops_url(self, name):
        """Where ``name`` serves /livez, /readyz and /metrics."""
        return f"http://127.0.0.1:{self.ops_ports[name]}"

    def env(self, name):
        public = {"HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(self.ports[name]),
                  "PUBLIC_BASE_URL": self.gateway_url} if name in self.ports else {}
        return {**os.environ, "AMQP_URI": self.amqp_uris[name], "MONGO_URI": self.mongo_uri,
                "MONGO_DB": f"{self.db_prefix}{name}", **public,
                "OPERATIONS_HOST": "127.0.0.1", "OPERATIONS_PORT": str(self.ops_ports[name]),
                "PYTHONWARNINGS": QUIET_WARNINGS, **self.extra_env}

    def start(self, *names, env=None):
        """Start ``names`` (default: every process); ``env`` overrides their settings."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if not self.amqp_uris:
            self.provision_broker()
        for name in names or PROCESSES:
            for port in (self.ports.get(name), self.ops_ports[name]):
                if port and port_open("127.0.0.1", port):
                    raise StackError(f"port {port} for {name} is already in use")
            log = open(self.log_dir / f"{name}.log", "ab")
            # A new session: Ctrl-C reaches only us, and we stop them in order.
            self.processes[name] = subprocess.Popen(
                [str(VENV_BIN / "nameko"), "run", "--config", PROCESSES[name].config,
                 PROCESSES[name].module],
                cwd=ROOT, env={**self.env(name), **(env or {})}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
            log.close()
        return self

    def ready(self, name):
        if self.processes[name].poll() is not None:
            raise StackError(f"{name} exited; see {self.log_dir / (name + '.log')}")
        try:
            with urllib.request.urlopen(self.ops_url(name) + "/readyz", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def wait_ready(self, seconds=60, names=None):
        for name in names or self.processes:
            wait_for(lambda: self.ready(name), seconds, f"{name} to be ready")
        return self

    def kill(self, name):
        """As a crash would: no chance to clean up."""
        self.processes[name].kill()
        self.processes[name].wait()

    def stop(self, *names):
        """Stop ``names``, or everything, and then remove the broker users too."""
        stop_processes([self.processes.pop(name, None) for name in names or list(self.processes)])
        if not names:
            if self.broker_users:
                self.broker_users.delete()
            self.broker_users, self.amqp_uris = None, {}


class Supervisor:
    """Keeps ``make run``'s processes up: one that exits is started again after a back-off
    that doubles with each exit in a row (``first_delay`` up to ``max_delay`` seconds), and
    that starts again from ``first_delay`` once the process has stayed up ``stable_after``
    seconds. The tests' ``Stack`` has none: they stop and kill processes on purpose."""

    def __init__(self, stack, say=print, clock=time.monotonic, first_delay=1.0,
                 max_delay=60.0, stable_after=60.0):
        self.stack, self.say, self.clock = stack, say, clock
        self.first_delay, self.max_delay, self.stable_after = first_delay, max_delay, stable_after
        self.started = dict.fromkeys(stack.processes, clock())
        self.exits = {}  # name: exits in a row
        self.due = {}  # name: when to start it again

    def delay(self, exits):
        return backoff(self.first_delay, exits, self.max_delay)

    def check(self):
        """Notice exited processes and start again those whose back-off has passed."""
        now = self.clock()
        for name, process in self.stack.processes.items():
            code = process.poll()
            if name in self.due or code is None:
                continue
            stayed_up = now - self.started[name] >= self.stable_after
            self.exits[name] = 1 if stayed_up else self.exits.get(name, 0) + 1
            self.due[name] = now + self.delay(self.exits[name])
            self.say(f"{name} exited with code {code}; starting it again in "
                     f"{self.delay(self.exits[name]):.0f}s "
                     f"(see {self.stack.log_dir / (name + '.log')})")
        for name, due in list(self.due.items()):
            if now < due:
                continue
            del self.due[name]
            try:
                self.stack.start(name)
            except (StackError, OSError) as exc:
                self.exits[name] += 1
                self.due[name] = now + self.delay(self.exits[name])
                self.say(f"{name} could not be started ({exc}); trying again in "
                         f"{self.delay(self.exits[name]):.0f}s")
                continue
            self.started[name] = now
            self.say(f"{name} started again")


def interrupt(signum, frame):
    raise KeyboardInterrupt


def run():
    amqp_uri = os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)
    ensure_rabbitmq(amqp_uri)
    mongo = None
    mongo_uri = os.environ.get("MONGO_URI")
    if not mongo_uri:
        if port_open("127.0.0.1", 27017):
            raise StackError("port 27017 is taken: stop what listens there, or set MONGO_URI")
        mongo = MongoStandIn(VAR / "mongo", 27017, VAR / "log" / "nx-27017.log").start()
        mongo_uri = mongo.uri
    # Sign-in: the province's provider when OIDC_ISSUER is set, else this machine's
    # development key (python -m gateway.tokens prints tokens it signs).
    identity = {} if os.environ.get("OIDC_ISSUER") else DevelopmentIssuer().gateway_settings()
    stack = Stack(amqp_uri, mongo_uri, extra_env=identity)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, interrupt)  # also when started with SIGINT ignored (nohup, &)
    try:
        stack.start().wait_ready()
        print(f"OCOP is up: {stack.gateway_url}/api/v1/docs\n"
              f"  try: curl {stack.gateway_url}/api/v1/categories\n"
              "  a token: .venv/bin/python -m gateway.tokens --role province_officer "
              "--province 91\n"
              f"  API description: {stack.gateway_url}/api/v1/openapi.json\n"
              "  /livez /readyz /metrics on 127.0.0.1: "
              + ", ".join(f"{name} {port}" for name, port in stack.ops_ports.items()) + "\n"
              f"  logs: {stack.log_dir}/   data: {VAR}/mongo/\n"
              "A process that exits is started again. Ctrl-C stops everything.", flush=True)
        supervisor = Supervisor(stack, say=lambda line: print(
            time.strftime("%H:%M:%S"), line, flush=True))
        while True:
            supervisor.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not orphan anyone
        stack.stop()
        if mongo:
            mongo.stop()
        print("stopped", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] != ["run"]:
        sys.exit(__doc__)
    try:
        run()
    except StackError as exc:
        sys.exit(f"error: {exc}")
