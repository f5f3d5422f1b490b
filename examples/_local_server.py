"""The repository's local OpenAI/Anthropic-compatible test server, for examples run without an API key."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any


def start_local_server(stack: ExitStack) -> Any:
    """Start ``tests/support/llm_server`` on 127.0.0.1 for the life of `stack`; returns the server."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support.llm_server import LLMServer

    return stack.enter_context(LLMServer())
