"""The HTML report and `serve` at scale: 10,000 sessions, 200,000 spans, in real Chromium.

Run: .venv/bin/python benchmarks/report_browser_scale.py [--sessions 10000] [--spans-per-session 20]

Needs Debian's chromium at /usr/bin/chromium and `pip install -e .[browser]`. Measures, on a file
written by agentops-otel itself (benchmarks/report_scale.py's writer):
  * build: `agentops-otel report FILE --html OUT` in a fresh process (start-up included);
  * open: from navigation to the drawn table, in headless Chromium via Playwright;
  * filter: state, tag and text (the first text search builds the search index; the second reuses it),
    each from the input event to the table redrawn and laid out, measured inside the page;
  * serve: spans per second `serve` takes over OTLP/HTTP protobuf (the SDK's exporter, batches of
    100 from 4 threads), and how long the live view then takes to read them all in;
  * serve, live: 1,000 spans/s arriving for --live-seconds (a new session every second) with the
    live page open in Chromium: how far behind the page's span count falls, and how long after the
    last span it shows them all.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report_scale import run_mode, write_file

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_SHOWN_SPANS = "() => Number((document.querySelector('#meta').textContent.match(/(\\d+) spans?/) || [0, 0])[1])"
"""The span count the live page shows in its header."""
_FILTER = """([selector, value]) => {
  const input = document.querySelector(selector);
  const started = performance.now();
  input.value = value;
  input.dispatchEvent(new Event("input"));
  document.body.offsetHeight;  // force layout: the redrawn table, not just the DOM change
  return [performance.now() - started, document.querySelector("#shown").textContent];
}"""


def browser_figures(page_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(300_000)
        started = time.perf_counter()
        page.goto(page_path.as_uri(), wait_until="load")
        page.wait_for_function("document.querySelector('#shown').textContent !== ''")
        print(f"open (navigation to drawn table)    {time.perf_counter() - started:8.2f} s")
        memory = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize / 2**20 : 0")
        print(f"JS heap after open                  {memory:8.0f} MiB")
        for label, selector, value in (
            ("filter state=Fail", "#state", "Fail"),
            ("filter state=any", "#state", ""),
            ("filter tag=batch-3", "#tag", "batch-3"),
            ("filter tag=any", "#tag", ""),
            ("find text (builds the index)", "#find", "q17"),
            ("find text again", "#find", "search"),
            ("find text, no match", "#find", "no-such-text"),
            ("find cleared", "#find", ""),
        ):
            seconds, shown = page.evaluate(_FILTER, [selector, value])
            print(f"{label:<35} {seconds / 1000:8.3f} s  ({shown})")
        started = time.perf_counter()
        page.locator("th[data-key=cost_usd]").click()
        page.wait_for_function("document.querySelector('th[data-key=cost_usd]').className !== ''")
        print(f"sort by cost (click to redrawn)     {time.perf_counter() - started:8.3f} s")
        browser.close()


def serve_figures(directory: Path, batches: int = 400, batch_size: int = 100, threads: int = 4) -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("bench")
    for index in range(batch_size):
        with tracer.start_as_current_span(
            "chat gpt-4o", attributes={"session.id": f"s-{index % 10}", "gen_ai.usage.input_tokens": 100}
        ):
            pass
    batch: Any = memory.get_finished_spans()
    server, url = _start_serve(directory / "live.jsonl")
    try:

        def send(count: int) -> None:
            exporter = OTLPSpanExporter(endpoint=url + "/v1/traces")
            for _ in range(count):
                exporter.export(batch)
            exporter.shutdown()

        started = time.perf_counter()
        workers = [threading.Thread(target=send, args=(batches // threads,)) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        spans = batches * batch_size
        print(f"serve ingest: {spans:,} spans in {elapsed:.2f} s = {spans / elapsed:,.0f} spans/s")
        import urllib.request

        started = time.perf_counter()
        with urllib.request.urlopen(url + "/data.json", timeout=300) as response:
            body = response.read()
        print(
            f"serve live view: read all {spans:,} spans and answered in {time.perf_counter() - started:.2f} s "
            f"({len(body) / 2**20:.1f} MiB of JSON)"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def _start_serve(path: Path) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "agentops_otel.report.cli", "serve", str(path), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    found = re.search(r"on (http://[\d.:]+)/", server.stdout.readline())
    assert found, "serve did not start"
    return server, found[1]


def live_figures(directory: Path, seconds: int, rate: int = 1000, batch_size: int = 100) -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from playwright.sync_api import sync_playwright

    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("bench")
    server, url = _start_serve(directory / "sustained.jsonl")
    exporter = OTLPSpanExporter(endpoint=url + "/v1/traces")
    sent = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.set_default_timeout(300_000)
            page.goto(url + "/")
            shown = _SHOWN_SPANS
            behind: list[int] = []
            started = time.monotonic()
            for tick in range(seconds * rate // batch_size):
                due = started + tick * batch_size / rate
                time.sleep(max(due - time.monotonic(), 0))
                for index in range(batch_size):
                    session = f"live-{int(time.monotonic() - started)}"  # a new session every second
                    with tracer.start_as_current_span(
                        "execute_tool step", attributes={"session.id": session, "n": index}
                    ):
                        pass
                exporter.export(memory.get_finished_spans())
                memory.clear()
                sent += batch_size
                if tick % 10 == 9:
                    behind.append(sent - page.evaluate(shown))
            elapsed = time.monotonic() - started
            last = time.monotonic()
            page.wait_for_function(f"() => ({shown})() >= {sent}", polling=100)
            caught_up = time.monotonic() - last
            browser.close()
        print(
            f"serve live: {sent:,} spans at {sent / elapsed:,.0f} spans/s for {elapsed:.0f} s; the page was at most "
            f"{max(behind):,} spans behind (median {sorted(behind)[len(behind) // 2]:,}); it showed them all "
            f"{caught_up:.2f} s after the last one"
        )
    finally:
        exporter.shutdown()
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--spans-per-session", type=int, default=20)
    parser.add_argument("--live-seconds", type=int, default=30)
    parser.add_argument("--only-live", action="store_true", help="measure serve only")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        if options.only_live:
            serve_figures(directory)
            live_figures(directory, options.live_seconds)
            return
        path = directory / "agentops-traces.jsonl"
        started = time.perf_counter()
        spans = write_file(path, options.sessions, options.spans_per_session)
        print(
            f"wrote {options.sessions:,} sessions, {spans:,} spans in {time.perf_counter() - started:.1f} s: "
            f"{path.stat().st_size / 2**20:.0f} MiB"
        )
        page = directory / "report.html"
        seconds, rss = run_mode([str(path), "--html", str(page)])
        print(
            f"build (report --html)               {seconds:8.2f} s, peak RSS {rss:.0f} MiB, "
            f"page {page.stat().st_size / 2**20:.0f} MiB"
        )
        browser_figures(page)
        serve_figures(directory)
        live_figures(directory, options.live_seconds)


if __name__ == "__main__":
    main()
