"""Users and scores in the report: a real run with ``init(user_id=...)`` and ``session.score(...)``, read by the CLI."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from opentelemetry.util.types import AttributeValue

from agentops_otel.report.model import build
from agentops_otel.report.text import session_tree, table
from tests.report.conftest import make_span, run_report
from tests.support.scripts import run_script

HOSTILE = "<img src=x onerror=alert(1)>"
RUN = f"""
import agentops_otel as agentops

alice = agentops.init(user_id="alice@example.org")
alice.record(agentops.ToolEvent(name="lookup"))
alice.score("helpfulness", 0.8, explanation="answered\\n  the question")
alice.score("tone", label="polite")
alice.score("{HOSTILE}", 0, label="{HOSTILE}", explanation="</script><script>alert(2)</script>")
agentops.end_session("Success")
bob = agentops.start_session(["support"], user_id="bob")
bob.score("accuracy", 0.25, label="fail")
bob.end_session("Fail", "wrong answer")
nobody = agentops.start_session(["anonymous"])
nobody.end_session("Success")
print(alice.session_id, bob.session_id, nobody.session_id)
"""


@dataclass
class Run:
    directory: Path
    alice: str
    bob: str
    nobody: str


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Three sessions written to the default traces file: alice's scored, bob's scored, one without a user."""
    directory = tmp_path_factory.mktemp("users")
    result = run_script(directory, RUN, {"AGENTOPS_QUIET": "1"})
    assert result.returncode == 0, result.stderr
    return Run(directory, *result.stdout.split())


def report(run: Run, *options: str) -> str:
    result = run_report(*options, cwd=run.directory)  # the default file, ./agentops-traces.jsonl
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_the_table_has_a_user_column(run: Run) -> None:
    header, *rows, _blank, _footer = report(run).splitlines()
    assert header.split()[:3] == ["SESSION", "USER", "STARTED"]
    users = {row.split()[0]: row.split()[1] for row in rows}
    assert users == {run.alice: "alice@example.org", run.bob: "bob", run.nobody: "-"}
    only_bob = report(run, "--user", "bob").splitlines()
    assert [row.split()[0] for row in only_bob[1:-2]] == [run.bob]


def test_json_has_the_user_and_the_scores(run: Run) -> None:
    sessions = {session["session_id"]: session for session in json.loads(report(run, "--json"))}
    assert {sid: session["user_id"] for sid, session in sessions.items()} == {
        run.alice: "alice@example.org",
        run.bob: "bob",
        run.nobody: "",
    }
    assert sessions[run.alice]["scores"] == [
        {"name": "helpfulness", "value": 0.8, "label": "", "explanation": "answered\n  the question"},
        {"name": "tone", "value": None, "label": "polite", "explanation": ""},
        {"name": HOSTILE, "value": 0.0, "label": HOSTILE, "explanation": "</script><script>alert(2)</script>"},
    ]
    assert sessions[run.bob]["scores"] == [{"name": "accuracy", "value": 0.25, "label": "fail", "explanation": ""}]
    assert sessions[run.nobody]["scores"] == []
    assert [session["session_id"] for session in json.loads(report(run, "--json", "--user", "alice@example.org"))] == [
        run.alice
    ]
    one = json.loads(report(run, "--session", run.bob, "--json"))
    assert (one["user_id"], one["scores"][0]["label"]) == ("bob", "fail")


def test_the_tree_header_shows_the_user_and_each_score(run: Run) -> None:
    lines = report(run, "--session", run.alice[:8]).splitlines()
    assert lines[1].startswith("  Success, started ") and lines[1].endswith(", user: alice@example.org, tags: -")
    assert lines[3:6] == [
        "  score helpfulness: 0.8 (answered the question)",  # an explanation stays on its line
        "  score tone: polite",
        f"  score {HOSTILE}: 0 {HOSTILE} (</script><script>alert(2)</script>)",
    ]
    assert lines[6] == ""
    bob = report(run, "--session", run.bob).splitlines()
    assert bob[1].startswith("  Fail (wrong answer), ") and ", user: bob, " in bob[1]
    assert bob[3:5] == ["  score accuracy: 0.25 fail", ""]
    nobody = report(run, "--session", run.nobody).splitlines()
    assert ", user: -, tags: anonymous" in nobody[1] and nobody[3] == ""  # no score lines


def test_the_page_embeds_users_and_scores_as_escaped_data(run: Run) -> None:
    report(run, "--html", "page.html")
    page = (run.directory / "page.html").read_text()
    embedded = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', page, re.S)
    assert embedded is not None
    sessions = {session["id"]: session for session in json.loads(embedded[1])["sessions"]}
    assert {sid: session["user"] for sid, session in sessions.items()} == {
        run.alice: "alice@example.org",
        run.bob: "bob",
        run.nobody: "",
    }
    assert sessions[run.alice]["scores"] == [
        ["helpfulness", "0.8", "answered\n  the question"],
        ["tone", "polite", ""],
        [HOSTILE, f"0 {HOSTILE}", "</script><script>alert(2)</script>"],
    ]
    assert sessions[run.bob]["scores"] == [["accuracy", "0.25 fail", ""]]
    assert "<img" not in page and "alert(2)</script>" not in page  # every "<" of the data is escaped
    for select in ('id="user"', 'id="score"', 'data-key="user"'):
        assert select in page  # the user and score filters, the sortable User column


def test_a_session_without_its_root_still_has_its_user() -> None:
    attributes: dict[str, AttributeValue] = {"session.id": "s-1", "user.id": "carol"}
    summary = build([make_span("step", 1, attributes=attributes)]).sessions[0]
    assert (summary.state, summary.user_id, summary.scores) == ("running/unknown", "carol", [])
    assert table([summary]).splitlines()[1].split()[:2] == ["s-1", "carol"]
    assert ", user: carol, " in session_tree(summary).splitlines()[1]
