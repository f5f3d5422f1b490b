#!/usr/bin/env bash
# CI: the report's real-browser tests (Playwright driving Debian's Chromium). Run after .ci/run has
# made .venv; the main run skips them while the `browser` extra (Playwright) is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
.venv/bin/python -m pip install --quiet -e '.[browser]'

# Playwright launches /usr/bin/chromium itself (executable_path): no `playwright install` download.
.venv/bin/python -m pytest -q tests/report/test_browser.py tests/report/test_browser_kinds.py tests/report/test_serve.py
