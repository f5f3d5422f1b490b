"""How long `agentops-otel report` takes on a 100,000-span file, per output mode.

Run: .venv/bin/python benchmarks/report_scale.py [--sessions 1000] [--spans-per-session 100] [--rounds 3]

The file is written by agentops-otel itself (sessions with decorated tools and actions, an
agent, LLM events and failures, exported in batches by the JSON-lines file exporter), then each
mode runs as a user would run it, `python -m agentops_otel.report.cli report ...` in a fresh
process, so the times include interpreter start-up. Medians over the rounds; peak RSS per mode.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("AGENTOPS_QUIET", "1")


def write_file(path: Path, sessions: int, spans_per_session: int) -> int:
    """Record `sessions` sessions of `spans_per_session` spans each (root included); returns the span count."""
    from opentelemetry.exporter.otlp.json.file import FileSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    import agentops_otel as agentops
    from agentops_otel.decorators import record_action, record_tool, track_agent
    from agentops_otel.ids import SessionIdGenerator

    provider = TracerProvider(id_generator=SessionIdGenerator())
    # A queue large enough that a tight loop drops nothing; batches of 512, as the default pipeline writes.
    provider.add_span_processor(BatchSpanProcessor(FileSpanExporter(path), max_queue_size=1_000_000))
    agentops.init(tracer_provider=provider, auto_start_session=False, exporter="none")

    @record_tool("search")
    def search(query: str) -> str:
        return query

    @record_action("plan")
    def plan(step: int) -> None:
        if step % 25 == 24:
            raise ValueError("no plan")

    @track_agent("worker")
    def work(session: agentops.Session, children: int) -> None:
        for step in range(children - 1):  # the agent's own span is one child
            kind = step % 4
            if kind == 0:
                session.record(agentops.LLMEvent(model="gpt-4o", prompt_tokens=100, completion_tokens=20, cost=0.001))
            elif kind == 1:
                search(f"q{step}")
            else:
                with contextlib.suppress(ValueError):
                    plan(step)

    for index in range(sessions):
        session = agentops.start_session(["bench", f"batch-{index % 10}"])
        with session:
            work(session, spans_per_session - 1)
    agentops.shutdown()
    provider.shutdown()
    return sessions * spans_per_session


def run_mode(arguments: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one report run in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "agentops_otel.report.cli", "report", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"report {arguments} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--spans-per-session", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "agentops-traces.jsonl"
        started = time.perf_counter()
        spans = write_file(path, options.sessions, options.spans_per_session)
        print(f"wrote {spans:,} spans in {time.perf_counter() - started:.1f} s: {path.stat().st_size / 2**20:.0f} MiB")
        session_id = subprocess.run(
            [sys.executable, "-m", "agentops_otel.report.cli", "report", str(path), "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split('"session_id": "')[1][:36]
        modes = {
            "table": [str(path)],
            "--json": [str(path), "--json"],
            "--state Fail --tag batch-3": [str(path), "--state", "Fail", "--tag", "batch-3"],
            "--session ID": [str(path), "--session", session_id],
            "--html": [str(path), "--html", str(Path(directory) / "report.html")],
        }
        print(f"{'mode':<28} {'seconds':>8} {'spans/s':>10} {'peak RSS':>10}")
        for name, arguments in modes.items():
            runs = [run_mode(arguments) for _ in range(options.rounds)]
            seconds = statistics.median(run[0] for run in runs)
            print(f"{name:<28} {seconds:>8.2f} {spans / seconds:>10,.0f} {max(run[1] for run in runs):>7.0f} MiB")
        page = Path(directory) / "report.html"
        print(f"HTML page: {page.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
