"""A real Arize Phoenix (``phoenix serve``) as a child process, and reading back what it stored.

Phoenix is large and kept out of the project's dependencies: it lives in its own virtualenv, and
these tests run only when ``AGENTOPS_PHOENIX`` names its ``phoenix`` executable
(``.ci/browser_and_backends.sh`` sets it up). It listens on loopback only, and every feature that
would reach the internet (telemetry, the assistant, MCP, sandbox downloads) is switched off.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

PHOENIX = os.environ.get("AGENTOPS_PHOENIX", "")
needs_phoenix = pytest.mark.skipif(
    not PHOENIX or not Path(PHOENIX).exists(),
    reason="set AGENTOPS_PHOENIX to a `phoenix` executable (pip install arize-phoenix in its own venv)",
)
_OFFLINE = {
    "PHOENIX_TELEMETRY_ENABLED": "false",
    "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
    "PHOENIX_DISABLE_AGENT_ASSISTANT": "true",
    "PHOENIX_ENABLE_MCP_SERVER": "false",
    "PHOENIX_ALLOWED_SANDBOX_PROVIDERS": "NONE",
}
_SESSIONS = """{ projects { edges { node { name sessions(first: 50) { edges { node {
  sessionId numTraces tokenUsage { prompt completion } costSummary { total { cost } } } } } } } } }"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Phoenix:
    """``phoenix serve`` on loopback ports, with its database in `directory`; stopped by :meth:`stop`."""

    def __init__(self, directory: Path) -> None:
        self.http_port, self.grpc_port = _free_port(), _free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.log = directory / "phoenix.log"
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("OTEL_", "PHOENIX_"))},
            **_OFFLINE,
            "PHOENIX_WORKING_DIR": str(directory),
            "PHOENIX_HOST": "127.0.0.1",
            "PHOENIX_PORT": str(self.http_port),
            "PHOENIX_GRPC_PORT": str(self.grpc_port),
        }
        with self.log.open("w") as log:
            self.process = subprocess.Popen([PHOENIX, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_healthy(timeout=180)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.25)
        self.stop()
        raise AssertionError(f"Phoenix did not start; its log ends:\n{self.log.read_text()[-3000:]}")

    def sessions(self, project: str) -> list[dict[str, Any]]:
        """The sessions Phoenix grouped in `project` (by ``session.id``), with its token and cost figures."""
        request = urllib.request.Request(
            self.url + "/graphql", json.dumps({"query": _SESSIONS}).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            projects = json.load(response)["data"]["projects"]["edges"]
        for edge in projects:
            if edge["node"]["name"] == project:
                return [session["node"] for session in edge["node"]["sessions"]["edges"]]
        return []

    def spans(self, project: str) -> list[dict[str, Any]]:
        """The spans of `project`, through Phoenix's REST API."""
        with urllib.request.urlopen(f"{self.url}/v1/projects/{project}/spans?limit=1000", timeout=30) as response:
            return list(json.load(response)["data"])

    def wait_for_sessions(self, project: str, count: int, timeout: float = 60) -> list[dict[str, Any]]:
        """Poll until `project` has `count` sessions whose LLM figures are in (Phoenix ingests asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.sessions(project)
            if len(found) >= count and all(session["tokenUsage"]["prompt"] for session in found):
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(f"Phoenix has {found} in {project!r} after {timeout} s")
            time.sleep(0.25)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
