"""Start a web service (uvicorn) as a real subprocess and wait until it answers."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from tests.support.scripts import script_env

REPO_ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


class Service:
    """``uvicorn APP --port 0`` in a subprocess; `url` once it listens. Stops with SIGTERM."""

    def __init__(self, app: str, env: Mapping[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", "0", "--workers", "1"],
                cwd=REPO_ROOT,
                env=script_env(env),
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        self.url = f"http://127.0.0.1:{self._wait_for_port(timeout=30)}"

    def _wait_for_port(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = _LISTENING.search(self.log_path.read_text())
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"service did not start:\n{self.log()}")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> int:
        """SIGTERM (graceful), SIGKILL after 20 s; returns the exit code."""
        self.process.terminate()
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=5)
