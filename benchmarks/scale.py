"""10,000 sessions running at once: memory per session, registry lookups as the count grows, end-all.

Run: .venv/bin/python benchmarks/scale.py [--sessions 10000]
Targets: under 4 KiB per running session beyond its span objects; flat lookup time.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
import tracemalloc
from collections.abc import Callable

from opentelemetry import context as otel_context

import agentops_otel as agentops
from agentops_otel.registry import registry
from benchmarks._harness import init_on_private_provider, measure

CHILDREN = 3


def memory_per_item(start: Callable[[], object], count: int) -> tuple[float, float]:
    """Bytes per item (tracemalloc, then RSS in a second pass) for `count` calls of `start`, kept alive."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [start() for _ in range(count)]
    traced = (tracemalloc.get_traced_memory()[0] - before) / count
    tracemalloc.stop()
    del kept
    gc.collect()
    rss_before = _rss()
    kept = [start() for _ in range(count)]
    rss = (_rss() - rss_before) / count
    del kept
    return traced, rss


def _rss() -> int:
    """Resident set size in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main(sessions: int = 10_000) -> str:
    provider = init_on_private_provider()
    tracer = provider.get_tracer("scale")

    def bare_root_span() -> object:
        return tracer.start_span("session", context=otel_context.Context(), attributes={"session.id": "x" * 36})

    def session_with_children() -> object:
        session = agentops.start_session(["scale"])
        ctx = session.context()
        for _ in range(CHILDREN):
            tracer.start_span("child", context=ctx).end()
        return session

    per_span, rss_span = memory_per_item(bare_root_span, sessions)
    per_session, rss_session = memory_per_item(session_with_children, sessions)
    agentops.end_all_sessions()

    counts = (1, 10, 100, 1_000, sessions)
    lookups: dict[str, dict[int, float]] = {}
    running: list[agentops.Session] = []
    for count in counts:
        while len(running) < count:
            running.append(agentops.start_session())
        probe = running[len(running) // 2]
        ctx = probe.context()
        token = otel_context.attach(ctx)
        try:
            timing = measure(
                {
                    "get_session(id)": lambda probe=probe: agentops.get_session(probe.session_id),
                    "current_session()": agentops.current_session,
                    "session_for_call()": registry.session_for_call,
                },
                rounds=7,
                ops=5000,
            )
        finally:
            otel_context.detach(token)
        for name, value in timing.items():
            lookups.setdefault(name, {})[count] = value

    started = time.perf_counter()
    agentops.shutdown()  # ends every running session, then flushes
    end_all = time.perf_counter() - started

    report = [
        f"### Memory ({sessions} sessions, {CHILDREN} ended children each)",
        "",
        "| what | bytes each (tracemalloc) | bytes each (RSS) |",
        "|---|---|---|",
        f"| bare root span (started, kept) | {per_span:.0f} | {rss_span:.0f} |",
        f"| running session incl. its root span | {per_session:.0f} | {rss_session:.0f} |",
        f"| **session beyond its span** | **{per_session - per_span:.0f}** | **{rss_session - rss_span:.0f}** |",
        "",
        "### Lookups (µs) as the running-session count grows",
        "",
        "| lookup | " + " | ".join(f"{count} running" for count in counts) + " | last / first |",
        "|---|" + "---|" * (len(counts) + 1),
        *(_lookup_row(name, by_count, counts) for name, by_count in lookups.items()),
        "",
        f"End-all: `agentops.shutdown()` ended {sessions} running sessions and flushed in {end_all:.2f} s.",
    ]
    return "\n".join(report)


def _lookup_row(name: str, by_count: dict[int, float], counts: tuple[int, ...]) -> str:
    cells = " | ".join(f"{by_count[count]:.2f}" for count in counts)
    return f"| {name} | {cells} | {by_count[counts[-1]] / by_count[counts[0]]:.2f}x |"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    print(main(parser.parse_args().sessions))
