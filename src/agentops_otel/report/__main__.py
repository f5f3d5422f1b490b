"""``python -m agentops_otel.report [FILE] [options]``: the same as ``agentops-otel report``."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main(["report", *sys.argv[1:]]))
