"""Settings: precedence (OTel env < AGENTOPS env < arguments), and bad values."""

from __future__ import annotations

import logging
import traceback

import pytest
from opentelemetry.sdk.trace.export import ConsoleSpanExporter

import agentops_otel as agentops
from agentops_otel import InvalidArgumentError
from agentops_otel.config import Config


def test_defaults() -> None:
    config = Config.load({}, environ={})
    assert config.auto_start_session is True
    assert config.max_wait_time == 5000
    assert config.max_queue_size == 512
    assert config.traces_file == "agentops-traces.jsonl"
    assert config.exporter is None
    assert config.capture_content is False
    assert config.trust_incoming_sessions is False  # incoming baggage is a claim, not a fact


def test_arguments_beat_agentops_env_which_beats_otel_env() -> None:
    environ = {"OTEL_TRACES_EXPORTER": "console", "AGENTOPS_EXPORTER": "none", "AGENTOPS_MAX_WAIT_TIME": "250"}
    assert Config.load({}, environ={"OTEL_TRACES_EXPORTER": "console"}).exporter == "console"
    assert Config.load({}, environ=environ).exporter == "none"
    assert Config.load({}, environ=environ).max_wait_time == 250
    assert Config.load({"exporter": "file", "max_wait_time": 10}, environ=environ).exporter == "file"
    assert Config.load({"max_wait_time": 10}, environ=environ).max_wait_time == 10


def test_env_parsing() -> None:
    environ = {
        "AGENTOPS_DEFAULT_TAGS": "a, b,,a",
        "AGENTOPS_AUTO_START_SESSION": "False",
        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true",
        "OTEL_TRACES_EXPORTER": "otlp,console",
        "AGENTOPS_TRUST_INCOMING_SESSIONS": "true",
    }
    config = Config.load({}, environ=environ)
    assert config.trust_incoming_sessions is True
    assert config.default_tags == ("a", "b")
    assert config.auto_start_session is False
    assert config.capture_content is True
    assert config.exporter == "otlp"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("AGENTOPS_MAX_WAIT_TIME", "soon"), ("AGENTOPS_QUIET", "maybe"), ("OTEL_TRACES_EXPORTER", "zipkin")],
)
def test_a_bad_env_value_warns_and_keeps_the_default(
    variable: str, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        config = Config.load({}, environ={variable: value})
    assert config == Config.load({}, environ={})
    assert variable in caplog.text


@pytest.mark.parametrize(
    "arguments",
    [
        {"max_wait_time": "5"},
        {"max_wait_time": -1},
        {"auto_start_session": "yes"},
        {"exporter": "zipkin"},
        {"exporter": 3},
        {"default_tags": [1]},
        {"no_such_setting": 1},
    ],
)
def test_a_bad_argument_is_a_typed_error(arguments: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        Config.load(arguments, environ={})


def test_an_exporter_instance_is_accepted() -> None:
    exporter = ConsoleSpanExporter()
    assert Config.load({"exporter": exporter}, environ={}).exporter is exporter


@pytest.mark.parametrize("key", [b"sk-planted-secret-1", 4242424242424242, ["sk-planted-secret-2"]])
def test_a_bad_api_key_error_never_shows_the_key(key: object) -> None:
    with pytest.raises(InvalidArgumentError) as raised:
        agentops.init(api_key=key, exporter="none")  # type: ignore[arg-type]
    shown = "".join(traceback.format_exception(raised.value))
    assert "planted-secret" not in shown and "4242424242424242" not in shown
    assert f"got a {type(key).__name__}" in str(raised.value)


@pytest.mark.parametrize("variable", ["AGENTOPS_TRACES_FILE", "AGENTOPS_METRICS_FILE", "AGENTOPS_SERVICE_NAME"])
def test_an_empty_name_in_the_environment_is_not_set(variable: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        config = Config.load({}, environ={variable: ""})
    assert config == Config.load({}, environ={})
    assert variable in caplog.text
