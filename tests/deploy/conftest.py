"""Shared fixtures for the offline deployment checks (tests/deploy).

Rendering needs `kubectl` (with its built-in kustomize >= v4) or a standalone `kustomize`.
On the project's machines kubectl comes with the image (Debian package "kubectl" from the
Kubernetes/Google Cloud apt repository). Debian's own "kubernetes-client" (bookworm: 1.20)
embeds kustomize v2.0.3, which cannot read these kustomizations; with only that, or with no
kubectl at all, the rendering tests are skipped with a reason (the other checks still run).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
OVERLAYS = ("dev", "prod")
# name → operations port (/livez, /readyz, /metrics); only the gateway also serves the API.
APPS = {"registration": 9001, "evaluation": 9002, "certification": 9003,
        "notification": 9004, "gateway": 9000}
API_PORT = 8000
MIN_KUSTOMIZE = (4, 1)


def _version_tuple(text: str) -> tuple[int, ...]:
    m = re.search(r"v?(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    return tuple(int(x) for x in m.groups(default="0")) if m else ()


def find_kustomize() -> tuple[list[str] | None, str]:
    """Return (command prefix, description) or (None, reason to skip)."""
    reasons = []
    kubectl = shutil.which("kubectl")
    if kubectl:
        try:
            out = subprocess.run([kubectl, "version", "--client", "-o", "json"],
                                 capture_output=True, text=True, timeout=60)
            kver = json.loads(out.stdout or "{}").get("kustomizeVersion", "")
        except (subprocess.SubprocessError, ValueError) as exc:  # pragma: no cover
            kver = ""
            reasons.append(f"kubectl version failed: {exc}")
        if kver and _version_tuple(kver) >= MIN_KUSTOMIZE:
            return [kubectl, "kustomize"], f"kubectl ({kver})"
        reasons.append(f"kubectl at {kubectl} embeds kustomize {kver or 'unknown'}, need >= v4.1")
    standalone = shutil.which("kustomize")
    if standalone:
        out = subprocess.run([standalone, "version"], capture_output=True, text=True, timeout=60)
        if _version_tuple(out.stdout) >= MIN_KUSTOMIZE:
            return [standalone, "build"], f"kustomize ({out.stdout.strip()})"
        reasons.append(f"kustomize at {standalone} is too old: {out.stdout.strip()}")
    if not reasons:
        reasons.append("neither kubectl nor kustomize is on PATH")
    return None, ("; ".join(reasons) + ". Install the 'kubectl' apt package from the Kubernetes "
                  "repository (the project's machine image has it) or a kustomize v5 binary.")


@pytest.fixture(scope="session")
def kustomize_cmd():
    cmd, why = find_kustomize()
    if cmd is None:
        pytest.skip(why)
    return cmd


_render_cache: dict[str, list[dict]] = {}


def render(kustomize_cmd, target: str) -> list[dict]:
    if target not in _render_cache:
        path = K8S / target
        proc = subprocess.run([*kustomize_cmd, str(path)], capture_output=True, text=True,
                              timeout=300, cwd=ROOT)
        assert proc.returncode == 0, f"kustomize failed for {target}:\n{proc.stderr}"
        _render_cache[target] = [d for d in yaml.safe_load_all(proc.stdout) if d]
    return _render_cache[target]


@pytest.fixture(scope="session", params=("base",) + tuple(f"overlays/{o}" for o in OVERLAYS))
def rendered(request, kustomize_cmd):
    """(name, documents) for k8s/base and every overlay."""
    return request.param, render(kustomize_cmd, request.param)


@pytest.fixture(scope="session", params=OVERLAYS)
def overlay(request, kustomize_cmd):
    """(overlay name, documents) for every overlay."""
    return request.param, render(kustomize_cmd, f"overlays/{request.param}")


def of_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def by_name(docs, kind, name):
    found = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    assert found, f"no {kind} named {name}"
    return found[0]


def selector_matches(selector: dict, labels: dict) -> bool:
    """matchLabels / matchExpressions (In, NotIn, Exists, DoesNotExist) against labels."""
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True
