"""The ``agentops`` drop-in (``compat/agentops``): unchanged ``import agentops`` code, in real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DROPIN = REPO / "compat" / "agentops" / "src"

# AgentOps 0.3 and 0.4 calls in one script, as users wrote them, with `import agentops`.
SCRIPT = """
import agentops, agentops_otel

session = agentops.init(api_key="key", endpoint="https://api.agentops.ai", trace_name="run", tags=["x"])
assert agentops.init is agentops_otel.init and agentops.__version__ == agentops_otel.__version__
assert sorted(agentops.__all__) == sorted(agentops_otel.__all__)

@agentops.tool(cost=0.1)
def search(query):
    return query

@agentops.record_action("plan")
def plan():
    return search("otel")

tracer = agentops.start_trace(trace_name="second", tags=["y"])
plan()
agentops.end_trace(tracer, end_state=agentops.TraceState.SUCCESS)
agentops.end_session("Success")
assert session.end_state == "Success" and tracer.session.get_analytics()["Tool calls"] == 1
print("ok")
"""


def _run(code: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(path) for path in paths), "AGENTOPS_EXPORTER": "none"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_import_agentops_code_runs_unchanged() -> None:
    result = _run(SCRIPT, DROPIN)
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr
    assert result.stderr.count("configured the AgentOps server") == 1


def test_installed_next_to_the_real_agentops_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    real = tmp_path / "agentops-0.4.21.dist-info"  # what `pip install agentops` leaves in site-packages
    real.mkdir()
    (real / "METADATA").write_text("Metadata-Version: 2.1\nName: agentops\nVersion: 0.4.21\n")
    result = _run("import agentops", DROPIN, tmp_path)
    assert result.returncode == 1
    assert "Both the AgentOps SDK (agentops 0.4.21) and agentops-otel's drop-in" in result.stderr
    assert "pip uninstall agentops" in result.stderr


def test_without_the_drop_in_there_is_no_agentops_module() -> None:
    result = _run("import agentops")
    assert "No module named 'agentops'" in result.stderr
