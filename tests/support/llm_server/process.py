"""The test server in a child process, for tests that need it out of process (kill it, restart it)."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import IO

REPO_ROOT = Path(__file__).resolve().parents[3]
_READY = re.compile(r"READY port=(\d+)")


class LLMServerProcess:
    """Runs ``python -m tests.support.llm_server`` and waits, at most ``ready_timeout`` s, for READY."""

    def __init__(self, port: int = 0, *, ready_timeout: float = 10.0) -> None:
        self._requested_port = port
        self._ready_timeout = ready_timeout
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None
        self.port = 0
        self.returncode: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return self.base_url + "/v1"

    def start(self) -> LLMServerProcess:
        # stderr goes to a file, not a pipe, so a chatty child can never block on a full pipe;
        # it stays open until stop() reads it, so it cannot be a with block.
        self._stderr = tempfile.TemporaryFile("w+")  # noqa: SIM115
        command = [sys.executable, "-m", "tests.support.llm_server", "--port", str(self._requested_port)]
        self._process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr, text=True
        )
        line = self._first_line(self._process)
        match = _READY.fullmatch(line.strip())
        if match is None:
            stderr = self._stop_and_read_stderr()
            raise RuntimeError(f"llm_server did not become ready (stdout: {line!r}); stderr:\n{stderr}")
        self.port = int(match[1])
        return self

    def stop(self) -> None:
        self._stop_and_read_stderr()

    def _first_line(self, process: subprocess.Popen[str]) -> str:
        """The child's first stdout line, or "" if none comes within the timeout."""
        assert process.stdout is not None
        stdout = process.stdout
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            return lines.get(timeout=self._ready_timeout)
        except queue.Empty:
            return ""

    def _stop_and_read_stderr(self) -> str:
        """Terminate the child (kill it if it lingers) and return what it wrote on stderr."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self.returncode = self._process.returncode
            assert self._process.stdout is not None
            self._process.stdout.close()
            self._process = None
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        stderr = self._stderr.read()
        self._stderr.close()
        self._stderr = None
        return stderr

    def __enter__(self) -> LLMServerProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
