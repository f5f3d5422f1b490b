#!/usr/bin/env bash
# The integrations suite (issue 12, docs/integrations.md): each real client library with the kept
# instrumentation `agentops-otel[<extra>]` installs, against the local LLM server on 127.0.0.1, in
# a venv of its own. An integration that does not install on this Python is left out with pip's
# reason printed; its tests then skip naming the missing package (-rs), never silently.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv-integrations
pip=(.venv-integrations/bin/python -m pip install --quiet)
"${pip[@]}" --upgrade pip
"${pip[@]}" -e '.[test]'

# extra:client (the extras install the instrumentation; an application brings its own client)
for pair in google-genai:google-genai litellm:litellm bedrock:boto3 mistral:mistralai groq:groq \
    cohere:cohere ollama:ollama; do
    extra=${pair%%:*} client=${pair#*:}
    if ! "${pip[@]}" -e ".[test,$extra]" "$client"; then
        echo "integrations: agentops-otel[$extra] with $client does not install on $(python3 --version); skipped" >&2
    fi
done

.venv-integrations/bin/python -m pytest -m integrations -rs tests/integrations
# AgentOps 0.4 code calling LiteLLM (issue 16): one LLM span per call, in the session.
.venv-integrations/bin/python -m pytest -rs tests/test_agentops04.py -k litellm
