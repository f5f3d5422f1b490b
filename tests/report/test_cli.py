"""The report on a file written by a real run of the examples: numbers, filters, tree, JSON, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from agentops_otel.version import __version__
from tests.report.conftest import ExampleRun, run_report

TAGS = {("example", "first"), ("example", "second"), ("example", "single", "lisbon")}


def sessions_json(example_run: ExampleRun, *options: str) -> list[dict[str, object]]:
    result = run_report(example_run.traces, "--json", *options)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_numbers_match_what_the_examples_printed(example_run: ExampleRun) -> None:
    sessions = sessions_json(example_run)
    assert {session["session_id"] for session in sessions} == set(example_run.printed)
    for session in sessions:
        printed = example_run.printed[str(session["session_id"])]
        assert session["end_state"] == printed.end_state
        assert session["llm_calls"] == printed.analytics["LLM calls"]
        assert session["tool_calls"] == printed.analytics["Tool calls"]
        assert session["actions"] == printed.analytics["Actions"]
        assert session["errors"] == printed.analytics["Errors"]
        assert f"{session['cost_usd']:.6f}" == printed.analytics["Cost"]
    assert {tuple(session["tags"]) for session in sessions} == TAGS  # type: ignore[arg-type]
    fail = next(session for session in sessions if session["end_state"] == "Fail")
    assert fail["end_state_reason"] == "no hotel found"


def test_sessions_are_newest_first(example_run: ExampleRun) -> None:
    starts = [session["start_time_unix_nano"] for session in sessions_json(example_run)]
    assert starts == sorted(starts, reverse=True)  # type: ignore[type-var]
    assert sessions_json(example_run)[0]["tags"] == ["example", "single", "lisbon"]  # the last example ran last


def test_table_has_a_row_per_session_and_a_totals_line(example_run: ExampleRun) -> None:
    result = run_report(cwd=example_run.directory)  # FILE defaults to ./agentops-traces.jsonl
    assert result.returncode == 0, result.stderr
    header, *rows, blank, footer = result.stdout.splitlines()
    assert header.split()[:4] == ["SESSION", "USER", "STARTED", "STATE"]
    assert len(rows) == 3 and blank == ""
    assert {row.split()[0] for row in rows} == set(example_run.printed)
    fail_row = next(row for row in rows if " Fail " in row)
    assert fail_row.rstrip().endswith("example, second")
    assert footer == "3 sessions, 0 LLM calls, 0 tokens, $0.000000"


def test_filters(example_run: ExampleRun) -> None:
    assert [s["tags"] for s in sessions_json(example_run, "--state", "fail")] == [["example", "second"]]
    assert len(sessions_json(example_run, "--tag", "example")) == 3
    assert len(sessions_json(example_run, "--tag", "lisbon")) == 1
    assert len(sessions_json(example_run, "--since", "1h")) == 3
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    assert sessions_json(example_run, "--since", tomorrow) == []
    result = run_report(example_run.traces, "--state", "Indeterminate")
    assert result.returncode == 0
    assert result.stdout == f"No sessions match the filters (3 sessions in {example_run.traces}).\n"


def test_session_tree_by_id_prefix(example_run: ExampleRun) -> None:
    fail_id = next(sid for sid, printed in example_run.printed.items() if printed.end_state == "Fail")
    result = run_report(example_run.traces, "--session", fail_id[:8])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Session {fail_id}"
    assert lines[1].startswith("  Fail (no hotel found), started ")
    assert lines[2].startswith("  0 LLM calls, 1 tool call, 0 actions, 0 errors, tokens 0 in / 0 out")
    spans = [line for line in lines[4:] if line]
    assert [line[:48].rstrip() for line in spans] == [
        "session",
        "\u2514\u2500 research hotels",
        "   \u2514\u2500 execute_tool search",
    ]
    assert spans[0].endswith("ERROR: no hotel found")
    assert all("|" in line for line in spans)


def test_session_json_carries_the_spans_in_tree_order(example_run: ExampleRun) -> None:
    single_id = next(sid for sid, printed in example_run.printed.items() if printed.analytics["Actions"] == 1)
    session = json.loads(run_report(example_run.traces, "--session", single_id, "--json").stdout)
    assert session["session_id"] == single_id
    assert [(span["name"], span["depth"]) for span in session["spans"]] == [
        ("session", 0),
        ("plan", 1),
        ("execute_tool weather", 1),
        ("book_hotel", 1),
    ]
    assert session["spans"][2]["attributes"]["gen_ai.tool.name"] == "weather"


def test_unknown_or_ambiguous_session_ids_exit_2(example_run: ExampleRun) -> None:
    unknown = run_report(example_run.traces, "--session", "ffffffff-0000")
    assert unknown.returncode == 2
    assert unknown.stderr == (
        f"agentops-otel report: error: no session in {example_run.traces} has an id starting with 'ffffffff-0000'\n"
    )
    ambiguous = run_report(example_run.traces, "--session", "")
    assert ambiguous.returncode == 2
    assert ambiguous.stderr.endswith("'' starts 3 session ids in " + f"{example_run.traces}; give more of the id\n")


def test_bad_options_exit_2_with_usage(example_run: ExampleRun) -> None:
    result = run_report(example_run.traces, "--since", "yesterday-ish")
    assert result.returncode == 2
    assert "argument --since: 'yesterday-ish' is neither an age like 30m, 2h, 1d nor an ISO time" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_dash_m_report_works_too(example_run: ExampleRun) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "agentops_otel.report", str(example_run.traces), "--state", "Fail", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [session["end_state"] for session in json.loads(result.stdout)] == ["Fail"]


def test_an_unknown_state_is_refused_naming_the_valid_ones(example_run: ExampleRun) -> None:
    result = run_report(example_run.traces, "--state", "done")
    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        "argument --state: 'done' is not a session state: use Success, Fail, Indeterminate or running (any case)"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert len(sessions_json(example_run, "--state", " SUCCESS ")) == 2


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "agentops_otel.report.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, f"agentops-otel {__version__}\n")


def test_sessions_over_several_files_or_a_directory(example_run: ExampleRun, tmp_path: Path) -> None:
    lines = example_run.traces.read_text().splitlines(keepends=True)
    half = len(lines) // 2
    (tmp_path / "a.jsonl").write_text("".join(lines[:half]))
    (tmp_path / "b.jsonl").write_text("".join(lines[half:]))
    (tmp_path / "notes.txt").write_text("not read: only *.jsonl files of a directory are")
    whole = sessions_json(example_run)
    assert json.loads(run_report(tmp_path, "--json").stdout) == whole
    assert json.loads(run_report(tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--json").stdout) == whole
