"""A local OpenAI- and Anthropic-compatible HTTP server for tests, examples and benchmarks.

The real ``openai`` and ``anthropic`` clients talk to it over HTTP on 127.0.0.1, so
instrumentation is exercised through their whole stack. Standard library only.

Use it in-process (``with LLMServer() as server:``), as a child process
(``LLMServerProcess``), or from a shell: ``python -m tests.support.llm_server [--port N]``
(from the repository root; prints ``READY port=<port>``, exits on SIGTERM/SIGINT)::

    openai.OpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0)
    anthropic.Anthropic(base_url=server.base_url, api_key="test", max_retries=0)

Endpoints: ``POST /v1/chat/completions``, ``/v1/responses``, ``/v1/messages`` (JSON, or
SSE with ``"stream": true``), ``POST /v1/embeddings``, ``GET /health``.

Replies
    Without ``tools``, the reply text is N words cycling through "Hello from the test
    server" (N = 5 by default, so exactly that sentence). With ``tools``, the model calls
    the first offered tool the conversation has not called yet (so an agent loop calls each
    tool once, in order, then answers in text) with arguments ``{property: example}`` per
    property of its schema (the first ``enum`` value, else string "test", integer 1, number
    1.5, boolean true, array [], object {}), and streams those arguments split into
    min(N, len(arguments)) fragments. Gemini's offered ``functionDeclarations`` are called so
    too, one ``functionCall`` part a turn (a stream sends it whole).
    Finish reasons: ``stop``/``tool_calls`` (OpenAI), ``end_turn``/``tool_use`` (Anthropic).
    Models: a name not ending in a date gets ``-2024-07-18`` (OpenAI) or ``-20250514``
    (Anthropic): ``gpt-4o-mini`` -> ``gpt-4o-mini-2024-07-18``. Embeddings echo the model.

Token counts
    W = whitespace-separated words in every string under the request keys ``messages``,
    ``system``, ``instructions``, ``input``, ``content`` and ``text`` (walked recursively;
    an int, as a token id, counts 1). R = 8 if the request sets ``reasoning_effort`` or
    ``reasoning``, else 0. P = 10 + W.

    - OpenAI chat and responses: prompt/input tokens = P, cached_tokens = P // 2,
      cache_write_tokens = P // 4, completion/output tokens = pieces + R,
      reasoning_tokens = R, total = sum. "pieces" is N, or the number of argument
      fragments for a tool call.
    - Anthropic: input_tokens = P - P // 2 - P // 4 (the uncached rest),
      cache_read_input_tokens = P // 2, cache_creation_input_tokens = P // 4,
      output_tokens = pieces (``message_start`` says 1; ``message_delta`` the total).
    - Embeddings: prompt_tokens = total_tokens = W. Vectors have 8 dimensions (or the
      request's ``dimensions``), derived from a hash of the input; base64 when asked.

Streams
    Chat: a role chunk, N content (or tool-argument) chunks, a finish chunk, then with
    ``stream_options.include_usage`` a ``"choices": []`` chunk carrying usage (every other
    chunk then has ``"usage": null``), then ``data: [DONE]``. Responses: created,
    in_progress, output_item.added, content_part.added, N output_text.delta (or
    function_call_arguments.delta), the matching done events, response.completed with
    usage. Anthropic: message_start, ping, content_block_start, N content_block_delta
    (text_delta or input_json_delta), content_block_stop, message_delta, message_stop.

Control headers
    ``x-test-chunks: N``   N content pieces (default 5), e.g. 1000 for a benchmark.
    ``x-test-error: 400|429|500``   that status with the provider's error JSON
                           (429 adds ``retry-after: 0``).
    ``x-test-error: malformed``   200 with a truncated JSON body (or SSE data).
    ``x-test-error: cut``  a stream sends 2 events, a JSON body half of itself, then the
                           connection is dropped.
    ``x-test-string-argument: S``   a tool call gives every string argument the value S
                           (default "test"), e.g. an agent's name for a framework's handoff tool.
    ``x-test-content-filter: true``   a (non-stream) chat choice has ``"message": null``
                           and finish reason ``content_filter``, as Azure OpenAI's filter answers.

A body that is not a JSON object with a string ``model``, or lacks a field the reply
needs, gets a 400; an unknown path a 404. Every request is recorded in
``LLMServer.requests``; responses carry a request id (``x-request-id`` for OpenAI,
``request-id`` for Anthropic).
"""

from __future__ import annotations

from .core import DEFAULT_CHUNKS, REPLY_WORDS
from .process import LLMServerProcess
from .server import CUT_AFTER_EVENTS, LLMServer, RecordedRequest

REPLY_TEXT = " ".join(REPLY_WORDS)

__all__ = [
    "CUT_AFTER_EVENTS",
    "DEFAULT_CHUNKS",
    "REPLY_TEXT",
    "LLMServer",
    "LLMServerProcess",
    "RecordedRequest",
]
