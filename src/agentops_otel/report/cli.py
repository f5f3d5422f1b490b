"""``agentops-otel report``: the sessions in spans files, as a table, a span tree, JSON or a web page.

Also the entry point of ``export`` (send saved spans to an OTLP endpoint) and ``serve`` (the
page, live). Exit status 0 when the files were read (even if some lines had to be skipped: one
warning says how many), 2 for anything the user has to fix (no such file, nothing readable in
it, a bad option, an unknown session id), with a one-line message and never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from ..config import Config
from ..exceptions import AgentOpsError
from ..version import __version__
from . import export, html, serve
from .errors import ReportError
from .model import OUTSIDE, Filters, Report, Sessions, SessionSummary, tree
from .reading import SpanFile
from .text import can_draw, plural, session_tree, table

_STATES = ("Success", "Fail", "Indeterminate", "running")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_RELATIVE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``agentops-otel`` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "export":
            return export.run(args, span_files(args.files), sys.stdout, sys.stderr)
        if args.command == "serve":
            return serve.run(args, span_files(args.files), sys.stdout, sys.stderr)
        return report(args, sys.stdout, sys.stderr)
    except ReportError as error:
        sys.stderr.write(f"agentops-otel {args.command}: error: {error}\n")
        return 1 if isinstance(error, export.ExportFailed) else 2
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, and keep Python's exit flush from complaining.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentops-otel", description="Read back agentops-otel sessions.")
    parser.add_argument("--version", action="version", version=f"agentops-otel {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    command = commands.add_parser(
        "report",
        help="show the sessions in a spans file",
        description="Show the sessions recorded in an OTLP JSON-lines spans file, newest first.",
    )
    command.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="spans files, or directories of *.jsonl files (default: $AGENTOPS_TRACES_FILE or agentops-traces.jsonl)",
    )
    command.add_argument(
        "--state", type=state, help="only sessions that ended so: Success, Fail, Indeterminate, running (any case)"
    )
    command.add_argument("--tag", help="only sessions with this tag")
    command.add_argument("--user", metavar="USER_ID", help="only sessions of this user (user.id)")
    command.add_argument(
        "--since", type=since, metavar="WHEN", help="only sessions started since WHEN: 2h, 1d, ISO time"
    )
    one = command.add_mutually_exclusive_group()
    one.add_argument("--session", metavar="ID", help="show one session's span tree (an id or a unique prefix)")
    one.add_argument("--outside", action="store_true", help="show the spans outside any session as a tree")
    command.add_argument("--json", action="store_true", help="print JSON instead of text, for scripts")
    command.add_argument("--html", type=Path, metavar="OUT", help="write a self-contained HTML page to OUT")
    export.add_parser(commands)
    serve.add_parser(commands)
    return parser


def state(text: str) -> str:
    """``--state``: one of the end states or ``running``, any case; a typo must not silently match nothing."""
    wanted = text.strip().lower()
    if wanted not in (known.lower() for known in _STATES):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a session state: use {', '.join(_STATES[:-1])} or {_STATES[-1]} (any case)"
        )
    return wanted


def since(text: str) -> int:
    """``--since``: a relative age (``90s``, ``30m``, ``2h``, ``1d``, ``1w``) or an ISO time, as unix nanoseconds.

    An ISO time without an offset is local time, as a person typing it means.
    """
    relative = _RELATIVE.fullmatch(text.strip().lower())
    if relative:
        return time.time_ns() - int(float(relative[1]) * _UNITS[relative[2]] * 1e9)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither an age like 30m, 2h, 1d nor an ISO time") from None
    return int(moment.timestamp() * 1e9)


def report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``report`` with parsed `args`; raises ReportError for what the user has to fix."""
    paths = span_files(args.files)
    path = ", ".join(map(str, paths))
    wanted: str | None = args.session.strip().lower() if args.session is not None else None
    read = _read(paths, wanted, args.outside, keep_all=args.html is not None, err=err)
    single = read.outside if args.outside else _find(read, wanted, path) if wanted is not None else None
    if single is not None:
        sessions = [single]
    else:
        filters = Filters(args.state, args.tag, args.since, args.user)
        sessions = [summary for summary in read.sessions if filters(summary)]
        if read.outside.span_count and filters(read.outside):
            sessions.append(read.outside)
    if args.html is not None:
        try:
            args.html.write_text(html.page(sessions, path), encoding="utf-8")
        except OSError as error:
            raise ReportError(f"cannot write {args.html}: {error.strerror or error}") from None
        count = plural(sum(not summary.is_outside for summary in sessions), "session")
        out.write(f"Wrote {args.html} ({count}).\n")
    elif args.json:
        listed = [summary.to_json() for summary in sessions if not summary.is_outside]  # scripts expect sessions
        out.write(json.dumps(_with_spans(single) if single is not None else listed, indent=2) + "\n")
    elif single is not None:
        out.write(session_tree(single, fancy=can_draw(out.encoding)))
    elif sessions:
        out.write(table(sessions))
    elif read.sessions:
        out.write(f"No sessions match the filters ({len(read.sessions)} sessions in {path}).\n")
    else:
        out.write(f"No sessions in {path} ({read.outside.span_count} spans outside sessions).\n")
    return 0


def span_files(given: Sequence[Path]) -> list[Path]:
    """The files to read: those given, the ``*.jsonl`` files of directories given, else the configured file.

    A session whose spans were written to several files (several processes, a rotated file) is
    one session: the report groups spans by ``session.id`` across all of them.
    """
    if not given:
        try:
            return [Path(Config.load().traces_file)]
        except AgentOpsError as error:
            raise ReportError(str(error)) from None
    paths: list[Path] = []
    for path in given:
        if not path.is_dir():
            paths.append(path)
            continue
        found = sorted(path.glob("*.jsonl"))
        if not found:
            raise ReportError(f"{path} is a directory with no *.jsonl files in it")
        paths.extend(found)
    return paths


def _read(paths: Sequence[Path], wanted: str | None, outside: bool, *, keep_all: bool, err: TextIO) -> Report:
    """Read `paths`, keeping the spans of the sessions that will be drawn; one warning per file with skipped lines."""

    def keep(session_id: str) -> bool:
        if session_id == OUTSIDE:
            return keep_all or outside
        return keep_all or (wanted is not None and session_id.startswith(wanted))

    sessions = Sessions(keep)
    any_skipped = False
    for path in paths:
        span_file = SpanFile(path)
        try:
            sessions.add(span_file.spans())
        except OSError as error:
            raise ReportError(f"cannot read {path}: {error.strerror or error}") from None
        skipped = span_file.skipped
        if skipped.count:
            any_skipped = True
            err.write(
                f"agentops-otel report: warning: skipped {plural(skipped.count, 'unreadable line')} in {path} "
                f"(first: line {skipped.first_line}, {skipped.first_reason})\n"
            )
    read = sessions.report()
    if not read.span_count:
        named = ", ".join(map(str, paths))
        raise ReportError(f"{named} holds no OTLP JSON spans" + ("" if any_skipped else " (it is empty)"))
    return read


def _find(read: Report, wanted: str, path: str) -> SessionSummary:
    """The session whose id is `wanted`, or the only one starting with it."""
    found = [summary for summary in read.sessions if summary.session_id.startswith(wanted)]
    exact = [summary for summary in found if summary.session_id == wanted]
    if len(exact or found) == 1:
        return (exact or found)[0]
    if not found:
        raise ReportError(f"no session in {path} has an id starting with {wanted!r}")
    raise ReportError(f"{wanted!r} starts {len(found)} session ids in {path}; give more of the id")


def _with_spans(summary: SessionSummary) -> dict[str, object]:
    """One session for ``--session ID --json``: its summary and its spans in tree order."""
    spans = [
        {
            "name": row.span.name,
            "depth": row.depth,
            "span_id": f"{row.span.context.span_id:016x}" if row.span.context else "",
            "parent_span_id": f"{row.span.parent.span_id:016x}" if row.span.parent else "",
            "kind": row.span.kind.name,
            "status": row.span.status.status_code.name,
            "status_message": row.span.status.description or "",
            "start_time_unix_nano": row.span.start_time,
            "end_time_unix_nano": row.span.end_time,
            "attributes": dict(row.span.attributes or {}),
        }
        for row in tree(summary)
    ]
    return {**summary.to_json(), "spans": spans}


if __name__ == "__main__":
    sys.exit(main())
