"""A RabbitMQ node of the fault suite's own, so that stopping and killing a broker never
touches the machine's (``rabbit@localhost``): its own node name, AMQP and distribution
ports, configuration, plugins file, data and logs, all in a directory of its own that
``remove`` deletes. Started with Debian's ``rabbitmq-server -detached`` and driven with
``rabbitmqctl -n <node>``; as root both run as the ``rabbitmq`` user, which must be able
to write the directory."""
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from scripts.devstack import StackError, free_port, port_open, wait_for


class RabbitNode:
    def __init__(self):
        self.name = f"ocop-faults-{os.getpid()}@localhost"
        self.port, self.dist_port = free_port(), free_port()
        self.base = Path(tempfile.mkdtemp(prefix="ocop-faults-rabbitmq-"))
        (self.base / "mnesia").mkdir()
        (self.base / "log").mkdir()
        (self.base / "rabbitmq.conf").write_text(
            # Only this listener: the machine's configuration would add 5672, taken.
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n")
        (self.base / "enabled_plugins").write_text("[].\n")
        self.base.chmod(0o755)
        if os.geteuid() == 0:  # the Debian scripts switch to the rabbitmq user
            for path in (self.base, *self.base.rglob("*")):
                shutil.chown(path, "rabbitmq", "rabbitmq")

    @staticmethod
    def usable():
        """Why a node of our own cannot be started here, or None."""
        if shutil.which("rabbitmq-server") is None or shutil.which("rabbitmqctl") is None:
            return "Debian's rabbitmq-server is not installed"
        user = pwd.getpwuid(os.geteuid()).pw_name
        if user not in ("root", "rabbitmq"):
            return "Debian's rabbitmq-server scripts run only as root or rabbitmq"
        return None

    @property
    def amqp_uri(self):
        """The administrator: the node's default user, on its default vhost."""
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    @property
    def environment(self):
        return {**os.environ, "RABBITMQ_NODENAME": self.name,
                "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.base / "log"),
                "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins")}

    def ctl(self, *arguments, timeout=60):
        return subprocess.run(["rabbitmqctl", "-q", "-n", self.name, *arguments],
                              capture_output=True, text=True, timeout=timeout)

    def start(self, seconds=90):
        """Start the node (again, on the same data) and wait until it serves AMQP."""
        subprocess.run(["rabbitmq-server", "-detached"], env=self.environment, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + seconds
        # await_startup fails at once while the node has not yet registered with epmd.
        while self.ctl("await_startup", timeout=seconds).returncode != 0:
            if time.monotonic() > deadline:
                raise StackError(f"{self.name} did not start; see {self.base / 'log'}")
            time.sleep(0.5)
        wait_for(lambda: port_open("127.0.0.1", self.port), 30, f"{self.name} to listen")
        return self

    def stop_app(self):
        """The broker application stops, the Erlang node stays: every connection drops."""
        self.ctl("stop_app").check_returncode()

    def start_app(self):
        self.ctl("start_app").check_returncode()
        wait_for(lambda: port_open("127.0.0.1", self.port), 60, f"{self.name} to listen")

    def pid(self):
        pid_file = self.base / "mnesia" / f"{self.name}.pid"
        return int(pid_file.read_text().strip())

    def kill(self):
        """As a crash would: the Erlang VM killed, no chance to close anything."""
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), 30, f"{self.name} to die")

    def remove(self):
        """Stop the node if it runs, and delete its directory."""
        if self.ctl("stop", timeout=60).returncode != 0:
            try:
                os.kill(self.pid(), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        shutil.rmtree(self.base, ignore_errors=True)
