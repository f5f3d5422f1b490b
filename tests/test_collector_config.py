"""collector-config.yaml stays a valid Collector configuration (no Collector binary can be had here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

CONFIG_PATH = Path(__file__).resolve().parents[1] / "collector-config.yaml"
REMOVED_COMPONENTS = {"logging", "jaeger", "jaeger_thrift"}


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CONFIG_PATH.read_text())
    return loaded


def component_type(component_id: str) -> str:
    """`otlp/jaeger` is an `otlp` component named `jaeger`."""
    return component_id.split("/", 1)[0]


def test_every_pipeline_references_defined_components(config: dict[str, Any]) -> None:
    pipelines = config["service"]["pipelines"]
    assert "traces" in pipelines
    for name, pipeline in pipelines.items():
        for kind in ("receivers", "processors", "exporters"):
            for component in pipeline.get(kind, []):
                assert component in config[kind], f"pipeline {name} uses undefined {kind[:-1]} {component}"
        assert pipeline["receivers"] and pipeline["exporters"], name


def test_every_defined_component_is_used(config: dict[str, Any]) -> None:
    used = {
        component
        for pipeline in config["service"]["pipelines"].values()
        for kind in ("receivers", "processors", "exporters")
        for component in pipeline.get(kind, [])
    }
    defined = {component for kind in ("receivers", "processors", "exporters") for component in config[kind]}
    assert defined == used


def test_memory_limiter_runs_first_and_batch_last(config: dict[str, Any]) -> None:
    for pipeline in config["service"]["pipelines"].values():
        assert pipeline["processors"][0] == "memory_limiter"
        assert pipeline["processors"][-1] == "batch"


def test_otlp_receiver_listens_on_all_interfaces_on_the_standard_ports(config: dict[str, Any]) -> None:
    protocols = config["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"] == "0.0.0.0:4317"
    assert protocols["http"]["endpoint"] == "0.0.0.0:4318"


def test_exporters_use_current_components_and_targets(config: dict[str, Any]) -> None:
    exporters = config["exporters"]
    assert not {component_type(name) for name in exporters} & REMOVED_COMPONENTS
    assert exporters["otlp/jaeger"] == {"endpoint": "jaeger:4317", "tls": {"insecure": True}}
    assert exporters["otlp/honeycomb"]["endpoint"] == "api.honeycomb.io:443"
    assert exporters["otlp/honeycomb"]["headers"] == {"x-honeycomb-team": "${env:HONEYCOMB_API_KEY}"}
    assert "debug" in exporters


def strings(node: object) -> list[str]:
    """Every string value in the parsed config (comments are not part of it)."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return [node] if isinstance(node, str) else []


def test_environment_references_use_the_env_provider_syntax(config: dict[str, Any]) -> None:
    # Bare $VAR expansion was removed around Collector v0.104; only ${env:VAR} is expanded.
    references = [match for text in strings(config) for match in re.findall(r"\$\{?[^}\s]*\}?", text)]
    assert references, "expected at least the Honeycomb key"
    assert all(re.fullmatch(r"\$\{env:[A-Z_][A-Z0-9_]*\}", reference) for reference in references), references
