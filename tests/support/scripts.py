"""Run a small Python program in a real subprocess, as a user's script would run."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import textwrap
import threading
from collections.abc import Mapping
from pathlib import Path

from tests.support.otlp_receiver import OTLPReceiver

PROTOCOLS = ("grpc", "http/protobuf")


def otlp_env(receiver: OTLPReceiver, protocol: str) -> dict[str, str]:
    """Environment that points the standard OTLP variables at the test receiver."""
    endpoint = f"http://{receiver.grpc_endpoint}" if protocol == "grpc" else receiver.http_endpoint
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": protocol}


def write_script(directory: Path, code: str) -> Path:
    path = directory / "app.py"
    path.write_text(textwrap.dedent(code))
    return path


def run_script(
    directory: Path, code: str, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `code` as ``python app.py`` in `directory`; bounded by `timeout` seconds."""
    return subprocess.run(
        [sys.executable, str(write_script(directory, code))],
        cwd=directory,
        env=script_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


_started: list[subprocess.Popen[str]] = []


def start_script(directory: Path, code: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """Start `code` as ``python app.py`` without waiting, for signal tests.

    The child is killed after the test if it is still running (see :func:`kill_started_scripts`),
    so one hung child cannot outlive its test and fail others.
    """
    process = subprocess.Popen(
        [sys.executable, str(write_script(directory, code))],
        cwd=directory,
        env=script_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _started.append(process)
    return process


def kill_started_scripts() -> None:
    """Kill every started script still running, and reap it."""
    while _started:
        process = _started.pop()
        if process.poll() is None:
            process.kill()
        process.communicate()


def script_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OTEL_", "AGENTOPS_"))}
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(extra or {})
    return env


class OutputLines:
    """A started script's stdout, read by a thread, so a test can wait for a line with a deadline."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self._lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        stdout = process.stdout
        threading.Thread(target=lambda: [self._lines.put(line.strip()) for line in stdout], daemon=True).start()

    def wait_for(self, line: str, timeout: float = 30.0) -> None:
        """Return once the script printed `line`; AssertionError (with what it printed) after `timeout` s."""
        try:
            while line not in self.seen:
                self.seen.append(self._lines.get(timeout=timeout))
        except queue.Empty:
            printed = self.seen
            raise AssertionError(f"the script did not print {line!r} within {timeout}s; it printed {printed}") from None
