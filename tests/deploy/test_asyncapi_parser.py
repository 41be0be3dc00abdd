"""docs/asyncapi.yaml passes the official AsyncAPI parser (@asyncapi/parser 3.x, pinned in
tools/asyncapi/package-lock.json). Needs node and npm; the first run installs the parser
with `npm ci` (network: the npm registry), later runs reuse tools/asyncapi/node_modules
until package-lock.json changes."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess

import pytest

from .conftest import ROOT

TOOL = ROOT / "tools" / "asyncapi"
DOCUMENT = ROOT / "docs" / "asyncapi.yaml"
STAMP = TOOL / "node_modules" / ".ocop-package-lock.sha256"
# @stoplight/spectral-* pull in @scarf/scarf (install analytics): keep it off.
QUIET = {"SCARF_ANALYTICS": "false", "DO_NOT_TRACK": "1", "NO_UPDATE_NOTIFIER": "1",
         "npm_config_update_notifier": "false", "npm_config_fund": "false",
         "npm_config_audit": "false"}

node, npm = shutil.which("node"), shutil.which("npm")
needs_node = pytest.mark.skipif(
    not (node and npm),
    reason="needs Node.js and npm on PATH (`node`: %s, `npm`: %s) to run the AsyncAPI parser"
           % (node or "missing", npm or "missing"))


def _env():
    return {**os.environ, **QUIET}


def _lock_digest():
    return hashlib.sha256((TOOL / "package-lock.json").read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def parser_installed():
    """`npm ci` when node_modules is missing or was installed from another lock file."""
    parser = TOOL / "node_modules" / "@asyncapi" / "parser" / "package.json"
    digest = _lock_digest()
    if not (parser.exists() and STAMP.exists() and STAMP.read_text().strip() == digest):
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=TOOL, env=_env(),
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
        STAMP.write_text(digest + "\n")
    return TOOL


def validate(path):
    return subprocess.run([node, "validate.mjs", os.path.relpath(path, TOOL)], cwd=TOOL,
                          env=_env(), capture_output=True, text=True, timeout=300)


def test_the_parser_is_pinned_exactly():
    package = json.loads((TOOL / "package.json").read_text())
    lock = json.loads((TOOL / "package-lock.json").read_text())
    wanted = package["dependencies"]["@asyncapi/parser"]
    assert wanted[0].isdigit() and wanted.startswith("3."), wanted
    assert lock["packages"]["node_modules/@asyncapi/parser"]["version"] == wanted
    assert package["scarfSettings"] == {"enabled": False}


@needs_node
def test_the_committed_document_is_valid_asyncapi(parser_installed):
    done = validate(DOCUMENT)
    print(done.stdout, done.stderr)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "valid AsyncAPI 3.0.0" in done.stdout


@needs_node
def test_an_invalid_document_is_refused(parser_installed, tmp_path):
    broken = tmp_path / "asyncapi.yaml"
    broken.write_text(DOCUMENT.read_text(encoding="utf-8")
                      .replace("type: topic", "type: fanfare", 1), encoding="utf-8")
    done = validate(broken)
    assert done.returncode == 1, f"{done.stdout}\n{done.stderr}"
    assert "error" in done.stdout and "exchange.type" in done.stdout
