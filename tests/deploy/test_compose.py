"""docker-compose.yml and the monitoring files it mounts (deploy/)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from urllib.parse import urlsplit

from chassis import brokers
from scripts import broker

from .conftest import API_PORT, APPS, ROOT

from scripts.devstack import PROCESSES

COMPOSE = ROOT / "docker-compose.yml"
VAR = re.compile(r"\$(?:\{(?P<braced>[^}]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*)|(?P<escaped>\$))")


def _compose():
    return yaml.safe_load(COMPOSE.read_text())


def _services():
    return _compose()["services"]


def _env_example():
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, _ = line.partition("=")
            assert sep, f".env.example: bad line {line!r}"
            names.add(name.strip())
    return names


def _docker_compose_available():
    docker = shutil.which("docker")
    if not docker:
        return None, "no docker client"
    try:
        proc = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=60)
    except subprocess.SubprocessError as exc:
        return None, f"docker compose version failed: {exc}"
    if proc.returncode != 0:
        return None, "the docker client has no compose plugin (`docker compose version` fails)"
    return docker, ""


def test_docker_compose_config():
    """`docker compose config -q` where the compose plugin exists (no engine needed)."""
    docker, why = _docker_compose_available()
    if docker is None:
        pytest.skip(why + "; the Python checks in this file cover the file instead")
    proc = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "-q"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_every_variable_is_defaulted_or_in_env_example():
    documented = _env_example()
    problems = []
    for m in VAR.finditer(COMPOSE.read_text()):
        if m.group("escaped"):
            continue
        expr = m.group("braced") if m.group("braced") is not None else m.group("plain")
        name = re.match(r"[A-Za-z_][A-Za-z0-9_]*", expr)
        assert name, f"bad interpolation ${{{expr}}}"
        rest = expr[name.end():]
        defaulted = rest.startswith((":-", "-"))
        if not defaulted and name.group() not in documented:
            problems.append(expr)
    assert not problems, f"variables neither defaulted nor in .env.example: {problems}"


def test_env_example_has_no_unused_variables():
    used = {re.match(r"[A-Za-z_][A-Za-z0-9_]*", m.group("braced") or m.group("plain")).group()
            for m in VAR.finditer(COMPOSE.read_text()) if not m.group("escaped")}
    assert _env_example() <= used, f"unused in compose: {_env_example() - used}"


def _resolve(value: str) -> str:
    """Substitute ${VAR:-default} with its default, as compose does without a .env."""
    return VAR.sub(lambda m: "$" if m.group("escaped") else
                   (m.group("braced").split(":-", 1)[1] if m.group("braced") and ":-" in m.group("braced") else ""),
                   value)


def test_images_pinned_by_tag():
    for name, svc in _services().items():
        image = _resolve(svc.get("image", ""))
        assert image, f"{name}: no image"
        last = image.rsplit("/", 1)[-1]
        assert ":" in last or "@sha256:" in image, f"{name}: {image} has no tag"
        assert not image.endswith(":latest"), f"{name}: {image} uses latest"


def test_expected_services():
    services = _services()
    assert set(APPS) | {"rabbitmq", "mongo", "prometheus", "grafana"} <= set(services)
    assert services["rabbitmq"]["image"] == "rabbitmq:3.13-management"
    assert re.fullmatch(r"mongo:7(\.\d+)*", services["mongo"]["image"])
    images = {_resolve(services[a]["image"]) for a in APPS}
    assert len(images) == 1, f"one image for every service, got {images}"


def _one_shot(svc):
    return svc.get("restart") == "no"


def test_every_service_has_a_healthcheck():
    for name, svc in _services().items():
        if _one_shot(svc):
            continue
        hc = svc.get("healthcheck")
        assert hc and hc.get("test") and not hc.get("disable"), f"{name}: no healthcheck"


def test_every_dependency_waits_for_health():
    services = _services()
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on must use the long form with conditions"
        for dep, cond in deps.items():
            assert dep in services, f"{name}: unknown dependency {dep}"
            expected = ("service_completed_successfully" if _one_shot(services[dep])
                        else "service_healthy")
            assert cond.get("condition") == expected, f"{name} -> {dep}"
    for app in APPS:
        assert {"rabbitmq", "broker-setup", "mongo"} <= set(services[app]["depends_on"]), app


def test_our_services_run_the_one_image_with_their_command_and_readyz_check():
    services = _services()
    for app, port in APPS.items():
        svc = services[app]
        assert svc["command"] == ["nameko", "run", "--config", PROCESSES[app].config,
                                  PROCESSES[app].module]
        assert svc["build"]["context"] == "."
        env = svc["environment"]
        assert str(env["OPERATIONS_PORT"]) == str(port)
        assert str(env.get("HTTP_PORT")) == (str(API_PORT) if app == "gateway" else "None")
        assert env["AMQP_URI"].startswith("amqp://") and "@rabbitmq:5672/" in env["AMQP_URI"]
        assert env["MONGO_DB"] == f"ocop_{app}"  # the gateway's: idempotency keys
        assert "replicaSet=rs0" in env["MONGO_URI"]
        test = " ".join(svc["healthcheck"]["test"])
        assert svc["healthcheck"]["test"][:2] == ["CMD", "python"], app
        assert "urllib" in test and f"127.0.0.1:{port}/readyz" in test, app
        assert svc.get("read_only") is True and "ALL" in svc.get("cap_drop", [])
    assert {"OIDC_ISSUER", "OIDC_JWKS_URL", "OIDC_AUDIENCE", "RATE_LIMIT_PUBLIC",
            "RATE_LIMIT_REGISTRATION", "TRUSTED_PROXY_HOPS"} <= set(services["gateway"]["environment"])
    assert "PUBLIC_BASE_URL" in services["gateway"]["environment"]
    # Only the gateway's API port is published on every interface; no operations port at all.
    for name, svc in services.items():
        for port in svc.get("ports", []):
            if name != "gateway":
                assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} to the network"
            if name in APPS:
                assert _resolve(str(port)).rsplit(":", 1)[-1] == str(API_PORT), \
                    f"{name} publishes {port}: only the gateway's API port leaves compose"


def test_config_files_default_to_the_operations_ports():
    for app, port in APPS.items():
        config = (ROOT / PROCESSES[app].config).read_text()
        assert f"${{OPERATIONS_PORT:{port}}}" in config, app
        assert PROCESSES[app].ops_port == port, app
        assert ("WEB_SERVER_ADDRESS" in config) == (app == "gateway"), app
        for key in ("HTTP_HEADER_TIMEOUT_SECONDS", "HTTP_BODY_TIMEOUT_SECONDS",
                    "HTTP_MAX_HEADER_BYTES", "HTTP_MAX_BODY_BYTES"):
            assert f"{key}: ${{{key}:" in config, f"{app}: {key}"


def test_each_process_connects_as_its_own_broker_user():
    """broker-setup makes the users of chassis/brokers.py with the passwords that each
    process's AMQP_URI carries; no process but broker-setup has the administrator's."""
    services = _services()
    setup = services["broker-setup"]
    assert setup["command"] == ["python", "-m", "scripts.broker", "setup"]
    setup_env = {k: _resolve(str(v)) for k, v in setup["environment"].items()}
    users = broker.compose_users(setup_env)
    assert {name for name in users} == {f"ocop-{p}" for p in brokers.grants()}
    admin = urlsplit(setup_env["AMQP_URI"])
    rabbit_env = {k: _resolve(str(v)) for k, v in services["rabbitmq"]["environment"].items()}
    assert (admin.username, admin.password) == (rabbit_env["RABBITMQ_DEFAULT_USER"],
                                                rabbit_env["RABBITMQ_DEFAULT_PASS"])
    assert admin.path == "/" + rabbit_env["RABBITMQ_DEFAULT_VHOST"]
    for app in APPS:
        uri = urlsplit(_resolve(services[app]["environment"]["AMQP_URI"]))
        grant, password = users[uri.username]
        assert uri.username == f"ocop-{app}" and uri.password == password, app
        assert uri.path == admin.path, app
        raw = services[app]["environment"]["AMQP_URI"]
        assert f"RABBITMQ_{app.upper()}_PASSWORD" in raw and "RABBITMQ_PASSWORD" not in raw
    for name, svc in services.items():
        if name not in ("rabbitmq", "broker-setup"):
            assert "RABBITMQ_PASSWORD" not in json.dumps(svc.get("environment", {})), name


def test_mongo_is_a_single_node_replica_set_with_a_volume():
    compose = _compose()
    mongo = compose["services"]["mongo"]
    cmd = mongo["command"]
    assert cmd[cmd.index("--replSet") + 1] == "rs0"
    test = " ".join(mongo["healthcheck"]["test"])
    assert "rs.initiate" in test and "rs0" in test
    data = [v for v in mongo["volumes"] if v.endswith(":/data/db")]
    assert data and data[0].split(":")[0] in compose["volumes"], "MongoDB data needs a named volume"


def test_rabbitmq_prometheus_plugin_enabled():
    rabbit = _services()["rabbitmq"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in rabbit["volumes"]}
    plugins = (ROOT / mounts["/etc/rabbitmq/enabled_plugins"]).read_text()
    assert "rabbitmq_prometheus" in plugins and "rabbitmq_management" in plugins
    assert plugins.strip().endswith("].")


def test_prometheus_scrapes_every_metrics_endpoint():
    services = _services()
    prom = services["prometheus"]
    mount = [v for v in prom["volumes"] if v.split(":")[1] == "/etc/prometheus"]
    config_dir = ROOT / mount[0].split(":")[0]
    config = yaml.safe_load((config_dir / "prometheus.yml").read_text())
    targets = {}
    for job in config["scrape_configs"]:
        for sc in job.get("static_configs", []):
            for t in sc["targets"]:
                targets[t] = job.get("metrics_path", "/metrics")
        for sd in job.get("dns_sd_configs", []):
            assert sd.get("type", "SRV") == "A" and sd.get("port"), "A records need a port"
            for n in sd["names"]:
                targets[f"{n}:{sd['port']}"] = job.get("metrics_path", "/metrics")
    for app, port in APPS.items():
        assert targets.get(f"{app}:{port}") == "/metrics", f"{app} is not scraped"
    assert targets.get("rabbitmq:15692", "").startswith("/metrics")
    rules = config.get("rule_files", [])
    assert rules and all(r.startswith("/etc/prometheus/") for r in rules)
    assert list(config_dir.glob("rules/*.yml")), "no alert rules for compose"


def test_grafana_is_provisioned():
    grafana = _services()["grafana"]
    mounts = {v.split(":")[1]: ROOT / v.split(":")[0] for v in grafana["volumes"] if v.startswith("./")}
    prov = mounts["/etc/grafana/provisioning"]
    ds = yaml.safe_load((prov / "datasources/prometheus.yml").read_text())["datasources"]
    prom_ds = [d for d in ds if d["type"] == "prometheus"]
    assert prom_ds and prom_ds[0]["url"] == "http://prometheus:9090"
    providers = yaml.safe_load((prov / "dashboards/ocop.yml").read_text())["providers"]
    dash_path = providers[0]["options"]["path"]
    assert dash_path in mounts, "the dashboard provider reads a folder that is not mounted"
    dashboards = list(mounts[dash_path].glob("*.json"))
    assert dashboards
    dash = json.loads(dashboards[0].read_text())
    exprs = []
    for panel in dash["panels"]:
        for t in panel.get("targets", []):
            exprs.append(t["expr"])
            assert t["datasource"]["uid"] == prom_ds[0]["uid"]
    text = "\n".join(exprs)
    for metric in ("ocop_entrypoint_calls_total", "ocop_entrypoint_duration_seconds_bucket",
                   "rabbitmq_queue_messages_ready", "ocop_outbox_backlog", "ocop_outbox_oldest_age_seconds",
                   "ocop_dead_letters", "ocop_products_by_stage"):
        assert metric in text, f"dashboard has no panel on {metric}"
    for e in exprs:
        assert e.count("(") == e.count(")") and e.count("{") == e.count("}"), e
    assert grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"].startswith(dash_path)
