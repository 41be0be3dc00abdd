"""The one multi-stage Dockerfile and its .dockerignore."""
from __future__ import annotations

import re
import shlex

from .conftest import ROOT

COMPILERS = re.compile(r"\b(gcc|g\+\+|cc|clang|make|build-essential|[\w.+-]+-dev|cargo|rustc)\b")
REMOTE_ACCESS = re.compile(r"\b(openssh-server|openssh-client|ssh|sshd|dropbear|telnetd?|netcat[\w-]*|ncat|socat)\b")


def parse(text: str):
    """Instructions as (KEYWORD, argument) with continuation lines joined and comments dropped."""
    out, buf = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        kw, _, arg = buf.partition(" ")
        out.append((kw.upper(), arg.strip()))
        buf = ""
    return out


def stages():
    instrs = parse((ROOT / "Dockerfile").read_text())
    args = {}
    result, current = [], None
    for kw, arg in instrs:
        if kw == "ARG" and current is None:
            name, _, default = arg.partition("=")
            args[name] = default
        if kw == "FROM":
            parts = arg.split()
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), parts[0])
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            current = {"image": image, "name": name, "instrs": []}
            result.append(current)
        elif current is not None:
            current["instrs"].append((kw, arg))
    return result


def test_multi_stage_on_python_311_slim():
    st = stages()
    assert len(st) >= 2
    assert all(re.fullmatch(r"python:3\.11-slim(-\w+)?", s["image"]) for s in st), [s["image"] for s in st]
    builder = st[0]
    runs = " ".join(a for k, a in builder["instrs"] if k == "RUN")
    assert "venv" in runs and "requirements/services.txt" in runs


def test_final_stage_is_slim_and_safe():
    final = stages()[-1]
    instrs = final["instrs"]
    runs = " ".join(a for k, a in instrs if k == "RUN")
    for m in re.finditer(r"apt-get\s+install([^&;|]*)", runs):
        assert not COMPILERS.search(m.group(1)), f"compiler in the final stage: {m.group(1)}"
        assert not REMOTE_ACCESS.search(m.group(1)), f"remote-access tool in the final stage: {m.group(1)}"
    assert not re.search(r"\b(pip|pip3)\s+install\b", runs), "install dependencies in the builder stage"
    copies = [a for k, a in instrs if k == "COPY"]
    assert any("--from=" in c and "/opt/venv" in c for c in copies), "the venv comes from the builder"
    users = [a for k, a in instrs if k == "USER"]
    assert users, "no USER in the final stage"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0") and user == "10001"
    env = " ".join(a for k, a in instrs if k == "ENV")
    assert re.search(r"\bPYTHONUNBUFFERED=1\b", env)
    labels = " ".join(a for k, a in instrs if k == "LABEL")
    for key in ("title", "version", "revision", "source", "created"):
        assert f"org.opencontainers.image.{key}=" in labels, key
    cmd = [a for k, a in instrs if k == "CMD"][-1]
    assert "nameko" in cmd and "run" in cmd
    assert not [a for k, a in instrs if k == "EXPOSE" and re.search(r"\b22\b", a)]


def test_no_secrets_baked_in():
    text = (ROOT / "Dockerfile").read_text()
    for kw, arg in parse(text):
        if kw in ("ENV", "ARG"):
            assert not re.search(r"(?i)(secret|password|token|jwt)[\w]*=", arg), arg


def test_dockerignore():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    for entry in (".git", ".env", ".venv", "tests", "k8s", "**/__pycache__"):
        assert entry in ignored, f".dockerignore misses {entry}"
    assert not any(e.startswith("!") and "env" in e for e in ignored)
    for needed in ("requirements", "chassis", "services", "gateway"):
        assert needed not in ignored, f"{needed} must be in the build context"


def test_healthcheck_uses_python_not_curl():
    hc = [a for k, a in stages()[-1]["instrs"] if k == "HEALTHCHECK"]
    if hc:
        assert "python" in hc[0] and "/readyz" in hc[0] and "curl" not in hc[0]
    parts = shlex.split((ROOT / "Dockerfile").read_text(), comments=True)
    assert "curl" not in parts and "wget" not in parts
