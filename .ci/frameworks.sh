#!/usr/bin/env bash
# The frameworks suite (issue 13, docs/frameworks.md): each real agent framework with the kept
# instrumentation `agentops-otel[<extra>]` installs, against the local LLM server on 127.0.0.1, in
# venvs of their own (frameworks are heavy and pin much; nothing they bring may change what the
# main suite tests). A framework that does not install on this Python is left out with pip's
# reason printed; its tests then skip naming the missing package (-rs), never silently.
set -euo pipefail
cd "$(dirname "$0")/.."

# suite VENV "extra|framework packages" ...: a venv with each framework, then tests/frameworks in it
# (the extras install the instrumentation; an application brings its framework).
suite() {
    local venv=$1
    shift
    python3 -m venv "$venv"
    local pip=("$venv/bin/python" -m pip install --quiet)
    "${pip[@]}" --upgrade pip
    "${pip[@]}" -e '.[test]'
    for pair in "$@"; do
        local extra=${pair%%|*} packages=${pair#*|}
        # shellcheck disable=SC2086 # the package list is words
        if ! "${pip[@]}" -e ".[test,$extra]" $packages; then
            echo "frameworks: agentops-otel[$extra] with $packages does not install on $(python3 --version); skipped" >&2
        fi
    done
    "$venv/bin/python" -m pytest -m frameworks -rs tests/frameworks
}

suite .venv-frameworks "openai-agents|openai-agents" "langchain|langchain langchain-openai langgraph" \
    "test|pydantic-ai-slim[openai]" "mcp|mcp" "smolagents|smolagents"
# LlamaIndex's OpenAI LLM and CrewAI want openai 2.x, the Agents SDK 3.x: a venv of their own.
suite .venv-frameworks-openai2 "llama-index|llama-index-core llama-index-llms-openai" "crewai|crewai"
# AutoGen pins protobuf 5, older than the OTLP exporters now want: a venv of its own.
suite .venv-frameworks-autogen "autogen|autogen-agentchat autogen-ext[openai]"
# Google ADK 2.x caps OpenTelemetry at 1.44, below the 1.45 we need: ADK first, then us over it,
# as docs/frameworks.md tells users (pip warns of the cap and installs; the tests show it works).
python3 -m venv .venv-frameworks-adk
.venv-frameworks-adk/bin/python -m pip install --quiet google-adk
suite .venv-frameworks-adk "google-adk|"
