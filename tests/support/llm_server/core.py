"""The fake model: deterministic replies and token counts shared by both providers.

Both wire formats render the same :class:`Reply`, so a test can assert the same
numbers whichever client it drives.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]
SSEEvent = tuple[str | None, JSON | str]
"""One server-sent event: its ``event:`` name (or None) and its data (a str is sent verbatim)."""

REPLY_WORDS = ("Hello", "from", "the", "test", "server")
DEFAULT_CHUNKS = len(REPLY_WORDS)
PROMPT_OVERHEAD_TOKENS = 10
REASONING_TOKENS = 8
_TEXT_KEYS = ("messages", "system", "instructions", "input", "content", "text")
_EXAMPLE_VALUES: JSON = {"string": "test", "integer": 1, "number": 1.5, "boolean": True, "array": [], "object": {}}
_REPLAYED_CALLS = "Calling tools:"
_REPLAYED_NAME = re.compile(r"'name': '([^']+)'")
_DATED = re.compile(r"\d{4}-?\d{2}-?\d{2}$")


@dataclass(frozen=True)
class Call:
    """One API request as the fake model sees it: the JSON body and the test-control headers."""

    body: JSON
    chunks: int = DEFAULT_CHUNKS
    content_filtered: bool = False
    string_argument: str = "test"
    """The value a tool call gives each string argument (``x-test-string-argument``)."""


@dataclass(frozen=True)
class ToolSpec:
    """The tool the fake model calls (:func:`next_tool`)."""

    name: str
    schema: JSON


@dataclass(frozen=True)
class Reply:
    """What the fake model answers, split into the pieces a stream sends one per chunk."""

    pieces: tuple[str, ...]
    tool: ToolSpec | None
    input_tokens: int
    reasoning_tokens: int

    @property
    def text(self) -> str:
        """The answer text, or the tool call's JSON arguments."""
        return "".join(self.pieces)

    @property
    def output_tokens(self) -> int:
        return len(self.pieces) + self.reasoning_tokens

    @property
    def cached_tokens(self) -> int:
        """Prompt tokens read from the cache."""
        return self.input_tokens // 2

    @property
    def cache_write_tokens(self) -> int:
        """Prompt tokens written to the cache."""
        return self.input_tokens // 4


@dataclass(frozen=True)
class Provider:
    """What differs between providers outside a successful body: error JSON and request-id header."""

    error_body: Callable[[int, str], JSON]
    request_id_header: str


def encode_sse(name: str | None, data: JSON | str) -> bytes:
    """One server-sent event (a str ``data`` is sent verbatim)."""
    event = f"event: {name}\n" if name else ""
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"{event}data: {payload}\n\n".encode()


@dataclass(frozen=True)
class Framing:
    """How a stream's events go on the wire: SSE, unless the provider streams otherwise."""

    content_type: str
    encode: Callable[[str | None, JSON | str], bytes]


SSE = Framing("text/event-stream; charset=utf-8", encode_sse)


@dataclass(frozen=True)
class Endpoint:
    """One route: its provider, its JSON reply and, if it can stream, its events and their framing."""

    provider: Provider
    respond: Callable[[Call], JSON]
    stream: Callable[[Call], Iterator[SSEEvent]] | None = None
    framing: Framing = SSE


def count_words(value: object) -> int:
    """Whitespace-separated words in the prompt text (ints, as token ids, count one each)."""
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return 1
    if isinstance(value, list):
        return sum(count_words(item) for item in value)
    if isinstance(value, dict):
        return sum(count_words(value[key]) for key in _TEXT_KEYS if key in value)
    return 0


def next_tool(body: JSON, schema_key: str, wrapper: str | None = None) -> ToolSpec | None:
    """The first offered tool the conversation has not called yet (None: every one was called).

    So an agent loop against this server calls each of its tools once, in order, then answers,
    and a handoff (a tool to the framework) happens at a known turn. ``wrapper`` is the key
    that nests a tool's spec (``function`` in Chat Completions).
    """
    called = set(_called_tool_names(body.get("messages") or body.get("input") or []))
    for tool in body.get("tools") or []:
        spec = tool.get(wrapper, {}) if wrapper else tool
        name = str(spec.get("name", ""))
        if name not in called:
            return ToolSpec(name, spec.get(schema_key) or {})
    return None


def _called_tool_names(value: object) -> Iterator[str]:
    """Names of the tool calls in a conversation: Chat's ``tool_calls``, Responses' ``function_call``
    items, Anthropic's ``tool_use`` blocks, Gemini's ``functionCall`` parts, and smolagents' calls replayed as text."""
    if isinstance(value, list):
        for item in value:
            yield from _called_tool_names(item)
    elif isinstance(value, str):
        if value.startswith(_REPLAYED_CALLS):  # smolagents replays its calls to the model as text
            yield from _REPLAYED_NAME.findall(value)
    elif isinstance(value, dict):
        if value.get("type") in {"function_call", "tool_use"} and "name" in value:
            yield str(value["name"])
        for call in value.get("tool_calls") or []:
            yield str((call.get("function") or {}).get("name", ""))
        if "functionCall" in value:
            yield str(value["functionCall"].get("name", ""))
        yield from _called_tool_names(value.get("content"))
        yield from _called_tool_names(value.get("parts"))
        yield from _called_tool_names(value.get("text"))


def make_reply(call: Call, tool: ToolSpec | None) -> Reply:
    """Answer ``call``: call ``tool`` if there is one, else say the reply words."""
    reasoning = "reasoning_effort" in call.body or "reasoning" in call.body
    pieces = _split(_tool_arguments(tool.schema, call.string_argument), call.chunks) if tool else _words(call.chunks)
    return Reply(
        pieces=pieces,
        tool=tool,
        input_tokens=PROMPT_OVERHEAD_TOKENS + count_words(call.body),
        reasoning_tokens=REASONING_TOKENS if reasoning else 0,
    )


def _tool_arguments(schema: JSON, string: str) -> str:
    """JSON arguments with one value per property of the tool's schema: its first ``enum`` value, else
    an example of its type (`string` for strings; Gemini's schemas spell types in capitals)."""
    properties: JSON = schema.get("properties") or {}
    values = {**_EXAMPLE_VALUES, "string": string}
    return json.dumps(
        {
            name: (spec.get("enum") or [values.get(str(spec.get("type")).lower(), string)])[0]
            for name, spec in properties.items()
        }
    )


def dated_model(model: str, suffix: str) -> str:
    """The model name a provider reports: an alias gets a snapshot date, a dated name is kept."""
    return model if _DATED.search(model) else model + suffix


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:24]


def now() -> int:
    return int(time.time())


def _words(count: int) -> tuple[str, ...]:
    """``count`` pieces cycling through the reply words, each but the first with a leading space."""
    words = (REPLY_WORDS[index % len(REPLY_WORDS)] for index in range(count))
    return tuple(word if index == 0 else " " + word for index, word in enumerate(words))


def _split(text: str, count: int) -> tuple[str, ...]:
    """``text`` cut into ``count`` nearly equal pieces (fewer if it is shorter)."""
    count = max(1, min(count, len(text)))
    bounds = [len(text) * index // count for index in range(count + 1)]
    return tuple(text[start:end] for start, end in itertools.pairwise(bounds))
