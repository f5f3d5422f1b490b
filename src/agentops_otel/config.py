"""Settings: one table of (environment variables, default, parser), read once per ``init()``.

Precedence, lowest first: OpenTelemetry's own variables, then ``AGENTOPS_*`` ones, then the
arguments of ``init()``/``configure()``. A bad environment value is a warning and the default
(the program still starts); a bad argument is an :class:`InvalidArgumentError`.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, cast, get_args

from opentelemetry.sdk.trace.export import SpanExporter

from .content import Redactor, content_on_spans
from .exceptions import InvalidArgumentError
from .integrations import check_names
from .tags import normalize_tags

T = TypeVar("T")
logger = logging.getLogger("agentops_otel")

ExporterName = Literal["otlp", "otlp_http", "file", "console", "none"]
"""Where spans and metrics go, by name (``init(exporter=...)``, ``AGENTOPS_EXPORTER``); ``exporting`` builds each."""
EXPORTER_NAMES: tuple[ExporterName, ...] = get_args(ExporterName)

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE or lowered in _FALSE:
        return lowered in _TRUE
    raise ValueError(text)


def _parse_capture(text: str) -> bool:
    """``true``/``false``, or one of ``opentelemetry-util-genai``'s modes, so one variable means the same to both."""
    on_spans = content_on_spans(text)
    return _parse_bool(text) if on_spans is None else on_spans


def _check_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise InvalidArgumentError(f"Invalid value {value!r}: expected True or False.")


def _check_millis(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise InvalidArgumentError(f"Invalid value {value!r}: expected a positive whole number of milliseconds/items.")


def _parse_millis(text: str) -> int:
    return _check_millis(int(text))


def _check_str(value: object) -> str:
    if isinstance(value, str) and value:
        return value
    raise InvalidArgumentError(f"Invalid value {value!r}: expected a non-empty string.")


def _check_secret(value: object) -> str:
    """Like :func:`_check_str`, but the error names only the type: the value may be a key."""
    if isinstance(value, str) and value:
        return value
    given_kind = "an empty string" if isinstance(value, str) else f"a {type(value).__name__}"
    raise InvalidArgumentError(f"Invalid api_key: expected a non-empty string, got {given_kind} (value not shown).")


def _parse_str(text: str) -> str:
    """A name from the environment: ``VAR=""`` means not set (a warning), never an empty file name."""
    if text.strip():
        return text
    raise ValueError(text)


def _check_exporter(value: object) -> SpanExporter | ExporterName:
    if isinstance(value, SpanExporter):
        return value
    name = value.strip().lower() if isinstance(value, str) else None
    for known in EXPORTER_NAMES:
        if name == known:
            return known
    raise InvalidArgumentError.expected("exporter", value, [*EXPORTER_NAMES, "a SpanExporter instance"])


def _check_tags(value: object) -> tuple[str, ...]:
    return tuple(normalize_tags(value))


def _parse_tags(text: str) -> tuple[str, ...]:
    return tuple(normalize_tags([tag.strip() for tag in text.split(",") if tag.strip()]))


def _parse_exporter(text: str) -> SpanExporter | ExporterName:
    # OTEL_TRACES_EXPORTER may list several; one file/OTLP destination is what we set up.
    return _check_exporter(text.split(",", 1)[0])


def _check_redactor(value: object) -> Redactor:
    if callable(value):
        return cast(Redactor, value)
    raise InvalidArgumentError(f"Invalid redact_content {value!r}: expected a function from str to str.")


def _parse_redactor(text: str) -> Redactor:
    """``package.module:function``, imported now so a typo shows at start-up."""
    module_name, _, attribute = text.strip().partition(":")
    try:
        return _check_redactor(getattr(importlib.import_module(module_name), attribute))
    except (ImportError, AttributeError) as error:
        raise ValueError(text) from error


def _parse_names(text: str) -> tuple[str, ...]:
    try:
        return check_names(text)
    except InvalidArgumentError as error:
        raise ValueError(text) from error


@dataclass(frozen=True)
class _Param(Generic[T]):
    env_vars: tuple[str, ...]  # highest priority first
    default: T
    check: Callable[[object], T]
    parse: Callable[[str], T]


_PARAMS: dict[str, _Param[Any]] = {
    "api_key": _Param(("AGENTOPS_API_KEY",), None, _check_secret, str),
    "default_tags": _Param(("AGENTOPS_DEFAULT_TAGS",), (), _check_tags, _parse_tags),
    "auto_start_session": _Param(("AGENTOPS_AUTO_START_SESSION",), True, _check_bool, _parse_bool),
    "instrument_llm_calls": _Param(("AGENTOPS_INSTRUMENT_LLM_CALLS",), True, _check_bool, _parse_bool),
    "skip_auto_end_session": _Param(("AGENTOPS_SKIP_AUTO_END_SESSION",), False, _check_bool, _parse_bool),
    "max_wait_time": _Param(("AGENTOPS_MAX_WAIT_TIME",), 5000, _check_millis, _parse_millis),
    "max_queue_size": _Param(("AGENTOPS_MAX_QUEUE_SIZE",), 512, _check_millis, _parse_millis),
    "service_name": _Param(("AGENTOPS_SERVICE_NAME",), None, _check_str, _parse_str),
    "exporter": _Param(("AGENTOPS_EXPORTER", "OTEL_TRACES_EXPORTER"), None, _check_exporter, _parse_exporter),
    "traces_file": _Param(("AGENTOPS_TRACES_FILE",), "agentops-traces.jsonl", _check_str, _parse_str),
    "metrics_file": _Param(("AGENTOPS_METRICS_FILE",), "agentops-metrics.jsonl", _check_str, _parse_str),
    "capture_content": _Param(
        ("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",), False, _check_bool, _parse_capture
    ),
    "redact_content": _Param(("AGENTOPS_CONTENT_REDACTOR",), None, _check_redactor, _parse_redactor),
    "quiet": _Param(("AGENTOPS_QUIET",), False, _check_bool, _parse_bool),
    "flush_timeout": _Param(("AGENTOPS_FLUSH_TIMEOUT",), 5000, _check_millis, _parse_millis),
    "trust_incoming_sessions": _Param(("AGENTOPS_TRUST_INCOMING_SESSIONS",), False, _check_bool, _parse_bool),
    # None: every integration (integrations.py); a parse error is a ValueError, as for the others.
    "instruments": _Param(("AGENTOPS_INSTRUMENTS",), None, check_names, _parse_names),
}


@dataclass(frozen=True)
class Config:
    """Every setting, resolved. ``docs/configuration.md`` documents each one."""

    api_key: str | None = dataclasses.field(repr=False)  # never in a log line or a traceback
    default_tags: tuple[str, ...]
    auto_start_session: bool
    instrument_llm_calls: bool
    skip_auto_end_session: bool
    max_wait_time: int
    max_queue_size: int
    service_name: str | None
    exporter: SpanExporter | ExporterName | None
    traces_file: str
    metrics_file: str
    capture_content: bool
    redact_content: Redactor | None
    quiet: bool
    flush_timeout: int
    trust_incoming_sessions: bool
    instruments: tuple[str, ...] | None

    @classmethod
    def load(
        cls,
        arguments: Mapping[str, object] = {},
        environ: Mapping[str, str] | None = None,
        defaults: Mapping[str, object] = {},
    ) -> Config:
        """Resolve every setting from `arguments` (None = not given), the environment and defaults.

        `defaults` replaces built-in defaults, for callers whose defaults differ (the distro).
        """
        _reject_unknown(arguments)
        environ = os.environ if environ is None else environ
        return cls(
            **{
                name: _resolve(name, param, arguments.get(name), environ, defaults.get(name, param.default))
                for name, param in _PARAMS.items()
            }
        )

    def with_arguments(self, arguments: Mapping[str, object]) -> Config:
        """This config with the given (non-None) arguments applied, for ``configure()``."""
        _reject_unknown(arguments)
        changes = {name: _PARAMS[name].check(value) for name, value in given(arguments).items()}
        return dataclasses.replace(self, **changes)


SERVER_SETTINGS = ("endpoint", "parent_key", "app_url", "exporter_endpoint", "log_session_replay_url")
"""AgentOps 0.3/0.4 settings that configured the AgentOps server: accepted, and they do nothing here."""


def without_server_settings(arguments: Mapping[str, object], call: str) -> dict[str, object]:
    """`arguments` without the AgentOps server's settings, with one warning naming those given."""
    named = [name for name in SERVER_SETTINGS if arguments.get(name) is not None]
    if named:
        logger.warning(
            "%s(%s) configured the AgentOps server; agentops-otel sends OpenTelemetry to your own backend "
            "(OTEL_EXPORTER_OTLP_ENDPOINT, docs/configuration.md), so %s nothing here.",
            call,
            ", ".join(f"{name}=..." for name in named),
            "it does" if len(named) == 1 else "they do",
        )
    return {name: value for name, value in arguments.items() if name not in SERVER_SETTINGS}


def given(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments a caller set: throughout the API, None means "not given"."""
    return {name: value for name, value in arguments.items() if value is not None}


def _reject_unknown(arguments: Mapping[str, object]) -> None:
    unknown = sorted(set(arguments) - set(_PARAMS))
    if unknown:
        raise InvalidArgumentError.expected("setting", unknown[0], sorted(_PARAMS))


def _resolve(name: str, param: _Param[T], argument: object, environ: Mapping[str, str], default: Any) -> T:
    if argument is not None:
        return param.check(argument)
    for variable in param.env_vars:
        text = environ.get(variable)
        if text is None:
            continue
        try:
            return param.parse(text)
        except ValueError:
            logger.warning("Ignoring %s=%.60r: not a valid %s; using %r.", variable, text, name, default)
    return cast(T, default)
