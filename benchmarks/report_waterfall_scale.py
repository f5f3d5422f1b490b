"""One framework session of many spans in the HTML report's waterfall, in real Chromium.

Run: .venv/bin/python benchmarks/report_waterfall_scale.py [--turns 76 ...]

Each turn is 8 spans (chain > agent > retriever, 2 x (tool > LLM), LLM: GenAI and OpenInference
kinds, made by the real SDK through the integrations' tracer provider; tests/report/framework_run.py),
so 76 turns make a 609-span session. Measures, per size:
  * build: `agentops-otel report FILE --html OUT` in a fresh process (start-up included);
  * open: from navigation to every row of the session's waterfall drawn;
  * scroll: the whole page top to bottom in 800 px steps, each step to the next frame painted;
  * filter: the Span kind filter (tool, then any), from the input event to the page laid out;
  * open a span: a click on the last row to its panel drawn.
Needs Debian's chromium at /usr/bin/chromium and `pip install -e .[browser]`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.report.browser import CHROMIUM, CHROMIUM_ARGS
from tests.report.framework_run import framework_script
from tests.support.scripts import script_env

_SCROLL = """async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const steps = [];
  window.scrollTo(0, 0);
  await frame();
  while (window.scrollY + innerHeight < document.body.scrollHeight - 1) {
    const started = performance.now();
    window.scrollBy(0, 800);
    await frame();
    steps.push(performance.now() - started);
  }
  return [steps.length, steps.reduce((a, b) => a + b, 0), Math.max(...steps)];
}"""
_FILTER = """(value) => {
  const input = document.querySelector("#kind");
  const started = performance.now();
  input.value = value;
  input.dispatchEvent(new Event("input"));
  document.body.offsetHeight;  // force layout: the rows shown or hidden, not just the DOM change
  const seconds = performance.now() - started;
  return [seconds, [...document.querySelectorAll(".span-row")].filter((row) => row.offsetParent !== null).length];
}"""


def measure(turns: int, directory: Path) -> None:
    """Write a session of 1 + 8 x `turns` spans, build its page, and time it in Chromium."""
    from playwright.sync_api import sync_playwright

    spans = 1 + 8 * turns
    (directory / "app.py").write_text(framework_script(turns))
    quiet = script_env({"AGENTOPS_QUIET": "1"})
    subprocess.run([sys.executable, "app.py"], cwd=directory, check=True, capture_output=True, env=quiet)
    started = time.perf_counter()
    report = ["report", "agentops-traces.jsonl", "--html", "page.html"]
    subprocess.run([sys.executable, "-m", "agentops_otel.report.cli", *report], cwd=directory, check=True)
    built = time.perf_counter() - started
    size = (directory / "page.html").stat().st_size / 2**20
    print(f"\n{spans} spans: build {built:.2f} s, a {size:.1f} MiB page")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(120_000)
        started = time.perf_counter()
        page.goto((directory / "page.html").as_uri())
        drawn = f"document.querySelectorAll('details.session[open] .span-row').length === {min(spans, 5000)}"
        page.wait_for_function(drawn)
        print(f"  open (navigation to every row drawn)  {time.perf_counter() - started:7.2f} s")
        steps, total, worst = page.evaluate(_SCROLL)
        print(f"  scroll top to bottom, {steps} steps     {total / 1000:7.2f} s (slowest step {worst:.0f} ms)")
        for value in ("tool", ""):
            seconds, rows = page.evaluate(_FILTER, value)
            print(f"  kind filter {value or 'any':<5} ({rows} rows shown)  {seconds / 1000:7.3f} s")
        started = time.perf_counter()
        page.locator(".span-row").last.click()
        page.locator("#panel:not([hidden]) #span-title").wait_for()
        print(f"  open the last span's panel            {time.perf_counter() - started:7.3f} s")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, nargs="+", default=[76], help="8 spans each (76: 609 spans)")
    args = parser.parse_args()
    for turns in args.turns:
        with tempfile.TemporaryDirectory() as directory:
            measure(turns, Path(directory))


if __name__ == "__main__":
    main()
