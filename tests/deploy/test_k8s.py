"""Kubernetes manifests: render every overlay with kustomize and check them offline.

(a) built-in kinds validate strictly against the Kubernetes OpenAPI schemas shipped in
    kubernetes-validate; operator objects (RabbitMQ, Topology, MongoDB, Prometheus) against the
    required fields of their CRDs;
(b) every Deployment: probes, requests/limits, restricted securityContext, PDB, HPA, Service;
plus the wiring between objects (selectors, secrets, network policies, monitoring).
"""
from __future__ import annotations

import copy
import os
import re
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from .conftest import API_PORT, APPS, K8S, ROOT, by_name, of_kind, selector_matches

from chassis import brokers
from scripts import broker
from scripts.devstack import PROCESSES

# Oldest supported and a recent Kubernetes; override with OCOP_KUBE_VERSIONS=1.31.0,1.35.0
KUBE_VERSIONS = os.environ.get("OCOP_KUBE_VERSIONS", "1.30.0,1.34.0").split(",")

# ---------------------------------------------------------------- CRD required fields
REF = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}}
CLUSTER_REF = {"rabbitmqClusterReference": REF}


def _obj(required, properties=None, **extra):
    return {"type": "object", "required": list(required), "properties": properties or {}, **extra}


def _crd(api_version, spec_schema):
    return _obj(["apiVersion", "kind", "metadata", "spec"], {
        "apiVersion": {"const": api_version},
        "metadata": _obj(["name"], {"name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"}}),
        "spec": spec_schema,
    })


RESOURCES = _obj([], {"requests": {"type": "object"}, "limits": {"type": "object"}})
CRD_SCHEMAS = {
    "RabbitmqCluster": _crd("rabbitmq.com/v1beta1", _obj(["replicas"], {
        "replicas": {"type": "integer", "minimum": 1},
        "image": {"type": "string"},
        "resources": RESOURCES,
        "persistence": _obj([], {"storage": {"type": "string"}}),
        "rabbitmq": _obj([], {"additionalPlugins": {"type": "array", "items": {"type": "string"}},
                              "additionalConfig": {"type": "string"}}),
    })),
    "Vhost": _crd("rabbitmq.com/v1beta1", _obj(["name", "rabbitmqClusterReference"], {
        "name": {"type": "string"}, **CLUSTER_REF})),
    "User": _crd("rabbitmq.com/v1beta1", _obj(["rabbitmqClusterReference"], {
        "importCredentialsSecret": REF, "tags": {"type": "array"}, **CLUSTER_REF})),
    "Permission": _crd("rabbitmq.com/v1beta1", _obj(["vhost", "permissions", "rabbitmqClusterReference"], {
        "vhost": {"type": "string"},
        "userReference": REF,
        "permissions": _obj([], {k: {"type": "string"} for k in ("configure", "write", "read")}),
        **CLUSTER_REF,
    }, anyOf=[{"required": ["user"]}, {"required": ["userReference"]}])),
    "TopicPermission": _crd("rabbitmq.com/v1beta1", _obj(["vhost", "permissions", "rabbitmqClusterReference"], {
        "vhost": {"type": "string"},
        "userReference": REF,
        "permissions": _obj(["exchange"], {k: {"type": "string"} for k in ("exchange", "write", "read")}),
        **CLUSTER_REF,
    }, anyOf=[{"required": ["user"]}, {"required": ["userReference"]}])),
    "Exchange": _crd("rabbitmq.com/v1beta1", _obj(["name", "rabbitmqClusterReference"], {
        "name": {"type": "string"}, "vhost": {"type": "string"},
        "type": {"enum": ["direct", "fanout", "topic", "headers"]},
        "durable": {"type": "boolean"}, "autoDelete": {"type": "boolean"}, **CLUSTER_REF})),
    "Queue": _crd("rabbitmq.com/v1beta1", _obj(["name", "rabbitmqClusterReference"], {
        "name": {"type": "string"}, "vhost": {"type": "string"}, "durable": {"type": "boolean"},
        "autoDelete": {"type": "boolean"}, "arguments": {"type": "object"}, **CLUSTER_REF})),
    "Binding": _crd("rabbitmq.com/v1beta1", _obj(["source", "destination", "destinationType", "rabbitmqClusterReference"], {
        "vhost": {"type": "string"}, "source": {"type": "string"}, "destination": {"type": "string"},
        "destinationType": {"enum": ["queue", "exchange"]}, "routingKey": {"type": "string"},
        **CLUSTER_REF})),
    "Policy": _crd("rabbitmq.com/v1beta1", _obj(["name", "pattern", "definition", "rabbitmqClusterReference"], {
        "name": {"type": "string"}, "vhost": {"type": "string"}, "pattern": {"type": "string"},
        "applyTo": {"enum": ["queues", "exchanges", "all", "classic_queues", "quorum_queues", "streams"]},
        "priority": {"type": "integer"}, "definition": {"type": "object", "minProperties": 1},
        **CLUSTER_REF,
    })),
    "MongoDBCommunity": _crd("mongodbcommunity.mongodb.com/v1", _obj(["members", "type", "version", "security", "users"], {
        "members": {"type": "integer", "minimum": 1},
        "type": {"enum": ["ReplicaSet"]},
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
        "security": _obj(["authentication"], {"authentication": _obj(["modes"], {
            "modes": {"type": "array", "minItems": 1, "items": {"enum": ["SCRAM", "SCRAM-SHA-1", "SCRAM-SHA-256", "X509"]}}})}),
        "users": {"type": "array", "minItems": 1, "items": _obj(
            ["name", "db", "passwordSecretRef", "roles", "scramCredentialsSecretName"], {
                "name": {"type": "string"}, "db": {"type": "string"}, "passwordSecretRef": REF,
                "roles": {"type": "array", "minItems": 1, "items": _obj(["name", "db"])},
                "scramCredentialsSecretName": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                "connectionStringSecretName": {"type": "string"},
            })},
    })),
    "ServiceMonitor": _crd("monitoring.coreos.com/v1", _obj(["selector", "endpoints"], {
        "selector": {"type": "object"},
        "endpoints": {"type": "array", "minItems": 1, "items": {
            "type": "object", "anyOf": [{"required": ["port"]}, {"required": ["targetPort"]}],
            "properties": {"port": {"type": "string"}, "path": {"type": "string", "pattern": "^/"},
                           "interval": {"type": "string", "pattern": r"^\d+[smh]$"}}}},
    })),
    "PrometheusRule": _crd("monitoring.coreos.com/v1", _obj(["groups"], {
        "groups": {"type": "array", "minItems": 1, "items": _obj(["name", "rules"], {
            "name": {"type": "string"},
            "rules": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["expr"],
                "oneOf": [{"required": ["alert"]}, {"required": ["record"]}],
                "properties": {"expr": {"type": "string", "minLength": 1},
                               "for": {"type": "string", "pattern": r"^\d+[smh]$"}}}},
        })},
    })),
}


# ---------------------------------------------------------------- (a) schema validation
@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_builtin_kinds_validate_strictly(rendered, kube_version):
    name, docs = rendered
    errors, validated = [], 0
    for doc in docs:
        if doc["kind"] in CRD_SCHEMAS:
            continue
        try:
            kubernetes_validate.validate(doc, kube_version, strict=True)
            validated += 1
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{doc['kind']} {doc['apiVersion']}: no schema (unknown kind?)")
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}")
    assert not errors, f"{name} against Kubernetes {kube_version}:\n" + "\n".join(errors)
    assert validated >= 20


def test_strict_validation_is_live():
    """The validator really rejects unknown fields and wrong types (guards against a no-op)."""
    docs = [d for d in yaml.safe_load_all((K8S / "base/apps/gateway.yaml").read_text()) if d]
    bad = copy.deepcopy(docs[0])
    bad["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBE_VERSIONS[0], strict=True)
    bad = copy.deepcopy(docs[0])
    bad["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBE_VERSIONS[0], strict=True)


def test_cli_validator_accepts_rendered_overlays(overlay, tmp_path):
    """Same check through the `kubernetes-validate --strict` command line."""
    import shutil
    import subprocess
    import sys
    name, docs = overlay
    builtin = [d for d in docs if d["kind"] not in CRD_SCHEMAS]
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump_all(builtin))
    exe = shutil.which("kubernetes-validate") or str(Path(sys.executable).with_name("kubernetes-validate"))
    cmd = [exe] if Path(exe).exists() else [sys.executable, "-m", "kubernetes_validate"]
    proc = subprocess.run([*cmd, "--strict", "--quiet", "-k", KUBE_VERSIONS[-1], str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_crd_objects_have_required_fields(rendered):
    name, docs = rendered
    kinds = {d["kind"] for d in docs}
    for kind in ("RabbitmqCluster", "Vhost", "User", "Permission", "TopicPermission", "Exchange",
                 "Queue", "Binding", "Policy", "MongoDBCommunity", "ServiceMonitor",
                 "PrometheusRule"):
        assert kind in kinds, f"{name}: no {kind}"
    for doc in docs:
        schema = CRD_SCHEMAS.get(doc["kind"])
        if schema:
            jsonschema.validate(doc, schema)


def test_crd_schema_check_is_live():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"apiVersion": "rabbitmq.com/v1beta1", "kind": "Policy",
                             "metadata": {"name": "p"}, "spec": {"name": "p", "pattern": "x"}},
                            CRD_SCHEMAS["Policy"])


def test_no_unknown_kinds(rendered):
    name, docs = rendered
    builtin = {"Namespace", "ServiceAccount", "ConfigMap", "Deployment", "Service",
               "PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress", "NetworkPolicy"}
    unknown = {d["kind"] for d in docs} - builtin - set(CRD_SCHEMAS)
    assert not unknown, f"{name}: unexpected kinds {unknown}"
    assert all(d["metadata"].get("namespace") == "ocop" for d in docs if d["kind"] != "Namespace")


# ---------------------------------------------------------------- (b) Deployment rules
def _container(dep):
    containers = dep["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, dep["metadata"]["name"]
    return containers[0]


def test_every_app_has_a_deployment(rendered):
    name, docs = rendered
    assert {d["metadata"]["name"] for d in of_kind(docs, "Deployment")} == set(APPS)


def test_deployment_probes(rendered):
    _, docs = rendered
    for dep in of_kind(docs, "Deployment"):
        c, dname = _container(dep), dep["metadata"]["name"]
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        api = {"http": API_PORT} if dname == "gateway" else {}
        assert ports == {"ops": APPS[dname], **api}, dname
        for probe, path in (("startupProbe", "/livez"), ("livenessProbe", "/livez"),
                            ("readinessProbe", "/readyz")):
            get = c.get(probe, {}).get("httpGet")
            assert get, f"{dname}: no {probe}"
            assert get["path"] == path, f"{dname}: {probe} on {get['path']}"
            assert get["port"] in ("ops", APPS[dname]), f"{dname}: {probe} port"
        assert c["startupProbe"]["failureThreshold"] * c["startupProbe"]["periodSeconds"] >= 30


def test_deployment_resources(rendered):
    _, docs = rendered
    for dep in of_kind(docs, "Deployment"):
        res, dname = _container(dep).get("resources", {}), dep["metadata"]["name"]
        for kind in ("requests", "limits"):
            for r in ("cpu", "memory"):
                assert res.get(kind, {}).get(r), f"{dname}: no {kind}.{r}"


def test_deployment_security_context(rendered):
    _, docs = rendered
    for dep in of_kind(docs, "Deployment"):
        pod, dname = dep["spec"]["template"]["spec"], dep["metadata"]["name"]
        psc = pod.get("securityContext", {})
        assert psc.get("runAsNonRoot") is True, dname
        assert psc.get("runAsUser") == 10001, dname
        assert psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", dname
        assert pod.get("automountServiceAccountToken") is False, dname
        assert not pod.get("hostNetwork") and not pod.get("hostPID") and not pod.get("hostIPC")
        c = _container(dep)
        csc = c.get("securityContext", {})
        assert csc.get("readOnlyRootFilesystem") is True, dname
        assert csc.get("allowPrivilegeEscalation") is False, dname
        assert csc.get("capabilities", {}).get("drop") == ["ALL"], dname
        assert not csc.get("capabilities", {}).get("add"), dname
        assert not csc.get("privileged"), dname
        assert csc.get("runAsUser", 10001) != 0
        tmp = [m for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
        assert tmp, f"{dname}: no /tmp mount"
        vols = {v["name"]: v for v in pod.get("volumes", [])}
        assert "emptyDir" in vols[tmp[0]["name"]], f"{dname}: /tmp is not an emptyDir"


def test_deployment_command_env_and_image(rendered):
    _, docs = rendered
    for dep in of_kind(docs, "Deployment"):
        c, dname = _container(dep), dep["metadata"]["name"]
        module = PROCESSES[dname].module
        assert c["command"][:2] == ["nameko", "run"] and c["command"][-1] == module
        image = c["image"]
        assert re.search(r":[\w][\w.-]*$", image.rsplit("/", 1)[-1]) and not image.endswith(":latest"), image
        env = {e["name"]: e for e in c["env"]}
        for var in ("AMQP_URI", "OPERATIONS_PORT", "LOG_LEVEL"):
            assert var in env, f"{dname}: no {var}"
        assert env["OPERATIONS_PORT"]["value"] == str(APPS[dname])
        assert env.get("HTTP_PORT", {}).get("value") == (str(API_PORT) if dname == "gateway" else None)
        if dname == "gateway":
            assert "PUBLIC_BASE_URL" in env and "MONGO_URI" not in env
        else:
            assert env["MONGO_DB"]["value"] == f"ocop_{dname}"
            assert "secretKeyRef" in env["MONGO_URI"]["valueFrom"]
        # $(VAR) references must point to variables defined earlier in the list.
        seen = set()
        for e in c["env"]:
            for ref in re.findall(r"\$\(([A-Z_][A-Z0-9_]*)\)", e.get("value", "")):
                assert ref in seen, f"{dname}: {e['name']} uses $({ref}) before it is defined"
            seen.add(e["name"])
        # Credentials come only from Secrets, never from literal values.
        for e in c["env"]:
            assert not re.search(r"(?i)(password|secret|://[^$/]*:[^$@]*@)", e.get("value", "").replace(
                "$(RABBITMQ_PASSWORD)", "")), f"{dname}: literal credential in {e['name']}"


def test_every_deployment_has_service_pdb_hpa(rendered):
    name, docs = rendered
    for dep in of_kind(docs, "Deployment"):
        dname = dep["metadata"]["name"]
        pod_labels = dep["spec"]["template"]["metadata"]["labels"]
        assert selector_matches(dep["spec"]["selector"], pod_labels)
        svcs = [s for s in of_kind(docs, "Service")
                if s["spec"].get("selector") and selector_matches({"matchLabels": s["spec"]["selector"]}, pod_labels)]
        # One Service per port: the gateway's API apart from the operations port of every process.
        targets = sorted(p["targetPort"] for s in svcs for p in s["spec"]["ports"])
        assert targets == (["http", "ops"] if dname == "gateway" else ["ops"]), f"{dname}: {targets}"
        assert all(len(s["spec"]["ports"]) == 1 for s in svcs), dname
        pdbs = [p for p in of_kind(docs, "PodDisruptionBudget") if selector_matches(p["spec"]["selector"], pod_labels)]
        assert len(pdbs) == 1, f"{dname}: {len(pdbs)} PDBs"
        pdb = pdbs[0]["spec"]
        # A PDB must never block a node drain: with minAvailable it needs more replicas than that.
        if "minAvailable" in pdb:
            assert dep["spec"]["replicas"] > pdb["minAvailable"], f"{name}/{dname}: PDB blocks drains"
        else:
            assert pdb["maxUnavailable"] not in (0, "0%"), f"{name}/{dname}: PDB blocks drains"
        hpas = [h for h in of_kind(docs, "HorizontalPodAutoscaler")
                if h["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": dname}]
        assert len(hpas) == 1, f"{dname}: {len(hpas)} HPAs"
        hpa = hpas[0]
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert hpa["spec"]["minReplicas"] == dep["spec"]["replicas"], f"{name}/{dname}"
        strategy = dep["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate" and strategy["rollingUpdate"]["maxUnavailable"] == 0


def test_overlay_sizes():
    """dev: one replica, small; prod: more replicas and larger resources, real hostnames."""
    from .conftest import find_kustomize, render
    cmd, why = find_kustomize()
    if cmd is None:
        pytest.skip(why)
    dev, prod = render(cmd, "overlays/dev"), render(cmd, "overlays/prod")

    def mem_mi(q):
        units = {"Mi": 1, "Gi": 1024, "Ki": 1 / 1024}
        m = re.fullmatch(r"(\d+)(Mi|Gi|Ki)", q)
        return int(m.group(1)) * units[m.group(2)]

    for dname in APPS:
        d, p = by_name(dev, "Deployment", dname), by_name(prod, "Deployment", dname)
        assert d["spec"]["replicas"] == 1 and by_name(dev, "HorizontalPodAutoscaler", dname)["spec"]["minReplicas"] == 1
        assert p["spec"]["replicas"] >= 3
        dl, pl = _container(d)["resources"]["limits"], _container(p)["resources"]["limits"]
        assert mem_mi(pl["memory"]) > mem_mi(dl["memory"])
        assert p["spec"]["template"]["spec"]["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "DoNotSchedule"
    assert by_name(dev, "RabbitmqCluster", "ocop-rabbitmq")["spec"]["replicas"] == 1
    assert by_name(prod, "RabbitmqCluster", "ocop-rabbitmq")["spec"]["replicas"] == 3
    assert by_name(dev, "MongoDBCommunity", "ocop-mongo")["spec"]["members"] == 1
    assert by_name(prod, "MongoDBCommunity", "ocop-mongo")["spec"]["members"] == 3
    for ingress in of_kind(prod, "Ingress"):
        assert ingress["spec"]["rules"][0]["host"] == "api.ocop.example.gov.vn"
        assert ingress["spec"]["tls"][0]["hosts"] == ["api.ocop.example.gov.vn"]
    assert {i["spec"]["rules"][0]["host"] for i in of_kind(dev, "Ingress")} == {"api.ocop.dev.localhost"}
    prod_cm = of_kind(prod, "ConfigMap")[0]["data"]
    assert prod_cm["PUBLIC_BASE_URL"] == "https://api.ocop.example.gov.vn"
    assert _container(by_name(prod, "Deployment", "gateway"))["image"].startswith("registry.example.gov.vn/")


# ---------------------------------------------------------------- wiring
def test_config_and_secret_references(rendered):
    name, docs = rendered
    assert not of_kind(docs, "Secret"), "Secrets must not be committed or rendered"
    configmaps = {c["metadata"]["name"]: c["data"] for c in of_kind(docs, "ConfigMap")}
    secret_refs = set()
    for dep in of_kind(docs, "Deployment"):
        for e in _container(dep)["env"]:
            ref = e.get("valueFrom", {})
            if "configMapKeyRef" in ref:
                cm = ref["configMapKeyRef"]
                assert cm["key"] in configmaps.get(cm["name"], {}), f"{cm} not rendered"
            if "secretKeyRef" in ref:
                secret_refs.add(ref["secretKeyRef"]["name"])
    for mdb in of_kind(docs, "MongoDBCommunity"):
        secret_refs |= {u["passwordSecretRef"]["name"] for u in mdb["spec"]["users"]}
    for user in of_kind(docs, "User"):
        secret_refs.add(user["spec"]["importCredentialsSecret"]["name"])
    ops = (ROOT / "docs/operations.md").read_text()
    undocumented = sorted(s for s in secret_refs if s not in ops)
    assert not undocumented, f"Secrets referenced but not explained in docs/operations.md: {undocumented}"


def test_mongo_uri_secrets_come_from_the_operator(rendered):
    _, docs = rendered
    mdb = by_name(docs, "MongoDBCommunity", "ocop-mongo")
    generated = {u.get("connectionStringSecretName"): u for u in mdb["spec"]["users"]}
    for dep in of_kind(docs, "Deployment"):
        dname = dep["metadata"]["name"]
        if dname == "gateway":
            continue
        env = {e["name"]: e for e in _container(dep)["env"]}
        ref = env["MONGO_URI"]["valueFrom"]["secretKeyRef"]
        assert ref["key"] == "connectionString.standard"
        user = generated.get(ref["name"])
        assert user, f"{dname}: {ref['name']} is not written by the MongoDB operator"
        assert {r["db"] for r in user["roles"]} == {f"ocop_{dname}"}, "a service may only touch its own database"


def test_rabbitmq_topology(rendered):
    _, docs = rendered
    clusters = {c["metadata"]["name"] for c in of_kind(docs, "RabbitmqCluster")}
    assert clusters == {"ocop-rabbitmq"}
    cluster = by_name(docs, "RabbitmqCluster", "ocop-rabbitmq")
    assert "rabbitmq_prometheus" in cluster["spec"]["rabbitmq"]["additionalPlugins"]
    assert cluster["spec"]["image"].startswith("rabbitmq:3.13")
    vhosts = {v["spec"]["name"] for v in of_kind(docs, "Vhost")}
    users = {u["metadata"]["name"] for u in of_kind(docs, "User")}
    for kind in ("Vhost", "User", "Permission", "TopicPermission", "Exchange", "Queue", "Binding",
                 "Policy"):
        for obj in of_kind(docs, kind):
            assert obj["spec"]["rabbitmqClusterReference"]["name"] in clusters
    for kind in ("Permission", "TopicPermission"):
        for perm in of_kind(docs, kind):
            assert perm["spec"]["vhost"] in vhosts and perm["spec"]["userReference"]["name"] in users
    exchanges = {e["spec"]["name"] for e in of_kind(docs, "Exchange")}
    queues = {q["spec"]["name"] for q in of_kind(docs, "Queue")}
    for bound in of_kind(docs, "Binding"):
        assert bound["spec"]["source"] in exchanges and bound["spec"]["destination"] in queues
    for obj in of_kind(docs, "Exchange") + of_kind(docs, "Queue") + of_kind(docs, "Binding"):
        assert obj["spec"]["vhost"] in vhosts
    configmap = of_kind(docs, "ConfigMap")[0]["data"]
    assert configmap["RABBITMQ_VHOST"] in vhosts
    assert configmap["RABBITMQ_HOST"].split(".")[0] in clusters

    policies = of_kind(docs, "Policy")
    assert all(p["spec"].get("vhost") in vhosts for p in policies)

    def winner(queue):
        # RabbitMQ applies the matching policy with the highest priority (Erlang re ~ Python re here).
        matching = [p for p in policies if p["spec"].get("applyTo", "all") in ("queues", "all")
                    and re.search(p["spec"]["pattern"], queue)]
        return max(matching, key=lambda p: p["spec"].get("priority", 0))["metadata"]["name"] if matching else None

    consumer = "evt-registration-product.submitted--evaluation.on_product_submitted"
    assert winner(consumer) == "ocop-consumer-queues"
    assert winner(consumer + ".retry") == "ocop-retry-queues"
    assert winner("dlq.certification") == "ocop-dead-letters"
    assert winner("rpc-gateway") is None, "RPC reply/command queues are not ours to limit"
    lossy = {"message-ttl", "expires"}
    dlq = by_name(docs, "Policy", "ocop-dead-letters")["spec"]["definition"]
    assert not lossy & set(dlq), "dead letters must not expire"
    for p in policies:
        definition = p["spec"]["definition"]
        assert not lossy & set(definition), f"{p['metadata']['name']}: messages would expire unseen"
        if {"max-length", "max-length-bytes"} & set(definition):
            # drop-head would silently discard the oldest messages.
            assert definition.get("overflow") == "reject-publish", p["metadata"]["name"]
    # Retries return to the consumer queue by dead-lettering (at-most-once): it must accept them.
    consumer_def = by_name(docs, "Policy", "ocop-consumer-queues")["spec"]["definition"]
    assert not {"max-length", "max-length-bytes"} & set(consumer_def)


def test_broker_users_are_the_table(rendered):
    """One User per process, with exactly the permissions of chassis.brokers, and each
    Deployment connects with the credentials of its own User."""
    _, docs = rendered
    users = {u["metadata"]["name"]: u["spec"]["importCredentialsSecret"]["name"]
             for u in of_kind(docs, "User")}
    assert users == {f"ocop-{p}": f"ocop-rabbitmq-{p}" for p in brokers.grants()}
    rendered_grants = {}
    for perm in of_kind(docs, "Permission"):
        rendered_grants[perm["spec"]["userReference"]["name"]] = {
            "vhost": perm["spec"]["vhost"], **perm["spec"]["permissions"], "topics": set()}
    for topic in of_kind(docs, "TopicPermission"):
        permissions = topic["spec"]["permissions"]
        rendered_grants[topic["spec"]["userReference"]["name"]]["topics"].add(
            (topic["spec"]["vhost"], permissions["exchange"], permissions["write"],
             permissions["read"]))
    vhost = of_kind(docs, "ConfigMap")[0]["data"]["RABBITMQ_VHOST"]
    assert rendered_grants == {
        f"ocop-{process}": {"vhost": vhost, "configure": grant.configure, "write": grant.write,
                            "read": grant.read,
                            "topics": {(vhost, t.exchange, t.write, t.read) for t in grant.topics}}
        for process, grant in brokers.grants().items()}
    for dep in of_kind(docs, "Deployment"):
        env = {e["name"]: e for e in _container(dep)["env"]}
        for var in ("RABBITMQ_USER", "RABBITMQ_PASSWORD"):
            secret = env[var]["valueFrom"]["secretKeyRef"]["name"]
            assert secret == users[f"ocop-{dep['metadata']['name']}"], dep["metadata"]["name"]


def test_broker_topology_is_what_the_code_declares(rendered):
    """Exchanges, consumer queues and bindings as the services themselves declare them, so
    that the operator and the services never disagree on a queue's arguments."""
    _, docs = rendered
    assert {(e["spec"]["name"], e["spec"]["type"]) for e in of_kind(docs, "Exchange")} == set(
        brokers.exchanges())
    queues = {q["spec"]["name"]: q["spec"].get("arguments", {}) for q in of_kind(docs, "Queue")}
    bindings = {(b["spec"]["source"], b["spec"]["destination"], b["spec"]["routingKey"])
                for b in of_kind(docs, "Binding")}
    declared = broker.consumer_queues()
    assert queues == {q.name: q.queue_arguments or {} for q in declared}
    assert bindings == {(exchange, q.name, key) for q in declared
                        for exchange, key in broker.bindings_of(q)}
    assert all(q["spec"]["durable"] and not q["spec"]["autoDelete"] for q in of_kind(docs, "Queue"))


def test_generated_broker_objects_are_current():
    path = ROOT / broker.K8S_GENERATED
    assert path.read_text() == broker.k8s_yaml(broker.k8s_objects(), broker.K8S_HEADER), (
        f"{broker.K8S_GENERATED} is stale: run python -m scripts.broker k8s")


def test_network_policies(rendered):
    _, docs = rendered
    pols = of_kind(docs, "NetworkPolicy")
    deny = [p for p in pols if p["spec"]["podSelector"] == {}
            and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert deny, "no default-deny NetworkPolicy"

    def allowed(pod_labels, direction, port, peer=None):
        """Is traffic allowed for a pod (egress to port / ingress on port), optionally from/to a peer?"""
        key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
        for p in pols:
            if direction not in p["spec"]["policyTypes"] or not selector_matches(p["spec"]["podSelector"], pod_labels):
                continue
            for rule in p["spec"].get(key, []):
                ports = rule.get("ports")
                if ports and not any(pt.get("port") == port for pt in ports):
                    continue
                if peer is None or any(peer(x) for x in rule.get(peers_key, [{}])):
                    return True
        return False

    def pods_with(labels):
        return lambda x: "podSelector" in x and "namespaceSelector" not in x and selector_matches(x["podSelector"], labels)

    def namespace(ns):
        return lambda x: x.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name") == ns

    rabbit = {"app.kubernetes.io/name": "ocop-rabbitmq", "app.kubernetes.io/component": "rabbitmq"}
    mongo = {"app": "ocop-mongo-svc"}
    for dep in of_kind(docs, "Deployment"):
        labels, dname = dep["spec"]["template"]["metadata"]["labels"], dep["metadata"]["name"]
        assert allowed(labels, "Egress", 53), f"{dname}: no DNS"
        assert allowed(labels, "Egress", 5672, pods_with(rabbit)), f"{dname}: cannot reach RabbitMQ"
        assert allowed(rabbit, "Ingress", 5672, pods_with(labels)), f"RabbitMQ does not admit {dname}"
        if dname != "gateway":
            assert allowed(labels, "Egress", 27017, pods_with(mongo)), f"{dname}: cannot reach MongoDB"
            assert allowed(mongo, "Ingress", 27017, pods_with(labels)), f"MongoDB does not admit {dname}"
        else:
            assert not allowed(labels, "Egress", 27017, pods_with(mongo)), "the gateway keeps no data"
            assert allowed(labels, "Ingress", API_PORT, namespace("ingress-nginx")), "ingress controller blocked"
            assert not allowed(labels, "Ingress", API_PORT, namespace("monitoring")), "monitoring reaches the API"
        assert not allowed(labels, "Ingress", APPS[dname], namespace("ingress-nginx")), \
            f"{dname}: the ingress controller reaches the operations port"
        assert allowed(labels, "Ingress", APPS[dname], namespace("monitoring")), f"{dname}: Prometheus blocked"
    assert allowed(rabbit, "Ingress", 15692, namespace("monitoring"))


def test_ingress_routes_only_the_public_api(rendered):
    _, docs = rendered
    ingresses = of_kind(docs, "Ingress")
    assert ingresses
    for ingress in ingresses:
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                # The API, and the public pages of certificates (/verify/…, /01/<GTIN>).
                assert path["path"].startswith(("/api", "/verify", "/01")), \
                    "only the API and public pages leave the cluster (no /metrics)"
                backend = path["backend"]["service"]
                svc = by_name(docs, "Service", backend["name"])
                assert backend["name"] == "gateway"
                assert backend["port"] == {"name": "http"}
                assert [(p["name"], p["port"]) for p in svc["spec"]["ports"]] == [("http", API_PORT)], \
                    "the Service behind the Ingress exposes the API port only"


def _ingress_limits(docs, method, path):
    """The nginx rate limit (requests a minute, burst) that applies to a request: the
    Ingress path with the longest match wins, as in ingress-nginx."""
    best = None
    for ingress in of_kind(docs, "Ingress"):
        annotations = ingress["metadata"].get("annotations", {})
        for rule in ingress["spec"]["rules"]:
            for route in rule["http"]["paths"]:
                matches = (path == route["path"] if route["pathType"] == "Exact" else
                           path == route["path"] or path.startswith(route["path"].rstrip("/") + "/"))
                rank = (route["pathType"] == "Exact", len(route["path"]))
                if matches and (best is None or rank > best[0]):
                    best = (rank, annotations)
    assert best, f"{method} {path} is not routed"
    annotations = best[1]
    if "nginx.ingress.kubernetes.io/limit-rpm" not in annotations:
        return None
    rpm = int(annotations["nginx.ingress.kubernetes.io/limit-rpm"])
    return rpm, rpm * int(annotations.get("nginx.ingress.kubernetes.io/limit-burst-multiplier", 5))


def test_ingress_carries_the_gateways_rate_limits(rendered):
    """Public routes: 120 a minute per client IP; anonymous registration: 10 an hour, which
    nginx (a minute at most) approaches with a burst of 10 and then one a minute."""
    from gateway.policy import POLICY
    from gateway.routes import OPERATIONS
    import gateway.service  # noqa: F401  (declares the operations)
    _, docs = rendered
    expected = {"public": (120, 120), "registration": (1, 10)}
    limited = [op for op in OPERATIONS if POLICY[op.name].limit]
    assert {POLICY[op.name].limit for op in limited} == set(expected)
    for op in limited:
        path = re.sub(r"<(?:\w+:)?\w+>", "x", op.path)
        assert _ingress_limits(docs, op.method, path) == expected[POLICY[op.name].limit], \
            f"{op.method} {op.path}"
    assert _ingress_limits(docs, "GET", "/api/v1/producers/x") is None, \
        "the registration limit must not reach signed-in reads"
    for ingress in of_kind(docs, "Ingress"):
        assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "256k"


def test_monitoring_objects(rendered):
    _, docs = rendered
    services = of_kind(docs, "Service")
    monitors = of_kind(docs, "ServiceMonitor")

    def operations_service(app):
        pods = by_name(docs, "Deployment", app)["spec"]["template"]["metadata"]["labels"]
        found = [s for s in services if selector_matches({"matchLabels": s["spec"]["selector"]}, pods)
                 and [p["targetPort"] for p in s["spec"]["ports"]] == ["ops"]]
        assert len(found) == 1, f"{app}: no Service for its operations port"
        return found[0]

    app_monitor = [m for m in monitors
                   if all(selector_matches(m["spec"]["selector"], operations_service(a)["metadata"]["labels"])
                          for a in APPS)]
    assert app_monitor, "no ServiceMonitor covers every service"
    for ep in app_monitor[0]["spec"]["endpoints"]:
        assert ep["path"] == "/metrics" and ep["port"] == "ops"
        for app in APPS:
            assert ep["port"] in {p["name"] for p in operations_service(app)["spec"]["ports"]}
    rabbit_mon = [m for m in monitors if m["spec"]["selector"].get("matchLabels", {}).get(
        "app.kubernetes.io/name") == "ocop-rabbitmq"]
    assert rabbit_mon and rabbit_mon[0]["spec"]["endpoints"][0]["port"] == "prometheus"
    assert all(m["metadata"]["namespace"] == "ocop" for m in monitors)
    assert services

    rules = [r for pr in of_kind(docs, "PrometheusRule") for g in pr["spec"]["groups"] for r in g["rules"]]
    exprs = " ".join(r["expr"] for r in rules if "alert" in r)
    for metric in ("ocop_entrypoint_calls_total", "ocop_dead_letters", "ocop_outbox_oldest_age_seconds",
                   "rabbitmq_queue_messages_ready"):
        assert metric in exprs, f"no alert on {metric}"
    for r in rules:
        assert r.get("labels", {}).get("severity") and r.get("annotations", {}).get("summary"), r["alert"]


def test_prometheus_rules_match_compose(rendered):
    _, docs = rendered
    compose_rules = yaml.safe_load((ROOT / "deploy/prometheus/rules/ocop.yml").read_text())
    assert by_name(docs, "PrometheusRule", "ocop")["spec"] == compose_rules


def test_no_secret_material_in_k8s_tree():
    for path in K8S.rglob("*.y*ml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "Secret":
                pytest.fail(f"{path} holds a Secret")
        text = path.read_text()
        assert not re.search(r"(?im)^\s*(password|stringData)\s*:", text), path


def test_the_gateway_counts_clients_behind_the_ingress(rendered):
    """Rate limits and the audit trail take the address ingress-nginx appends, not its own."""
    _, docs = rendered
    env = {e["name"]: e.get("value") for e in _container(by_name(docs, "Deployment", "gateway"))["env"]}
    assert env["TRUSTED_PROXY_HOPS"] == "1"
