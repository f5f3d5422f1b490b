#!/usr/bin/env bash
# CI: agentops-otel sessions in a real Arize Phoenix (tests marked `phoenix`). Run after .ci/run.
# Phoenix is large and pins its own OpenTelemetry releases, so it gets its own virtualenv and runs
# as a separate process; it is never a dependency of agentops-otel. It listens on 127.0.0.1 only,
# with its telemetry, assistant, MCP and downloads switched off (tests/report/phoenix.py).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv-phoenix/bin/phoenix ] || {
  python3 -m venv .venv-phoenix
  .venv-phoenix/bin/python -m pip install --quiet --upgrade pip
  .venv-phoenix/bin/python -m pip install --quiet 'arize-phoenix>=20,<21'
}

AGENTOPS_PHOENIX="$PWD/.venv-phoenix/bin/phoenix" .venv/bin/python -m pytest -q -m phoenix tests/report/test_phoenix.py
