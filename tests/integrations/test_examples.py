"""examples/integrations/*.py run on a fresh machine: no API key, the local test server, a priced session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integrations.conftest import installed
from tests.support.scripts import script_env

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "integrations"
NEEDS = {
    "litellm_chat.py": ("litellm", "openinference.instrumentation.litellm"),
    "groq_chat.py": ("groq", "openinference.instrumentation.groq"),
    "google_genai_chat.py": ("google.genai", "openinference.instrumentation.google_genai"),
    "mistral_chat.py": ("mistralai.client", "openinference.instrumentation.mistralai"),
    "cohere_chat.py": ("cohere", "openinference.instrumentation.cohere"),
    "ollama_chat.py": ("ollama", "openinference.instrumentation.ollama"),
    "bedrock_converse.py": ("boto3", "opentelemetry.instrumentation.genai.bedrock"),
}
UNPRICED = {"ollama_chat.py"}  # a local model has no price
KEYS = ("OPENAI_API_KEY", "GROQ_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "MISTRAL_API_KEY", "CO_API_KEY")


@pytest.mark.parametrize("example", sorted(NEEDS))
def test_example_runs_against_the_local_server(example: str, tmp_path: Path) -> None:
    missing = [module for module in NEEDS[example] if not installed(module)]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (pip install -e '.[integrations]')")
    env = {"AGENTOPS_EXPORTER": "none", "OLLAMA_HOST": "", "AWS_ACCESS_KEY_ID": "", **dict.fromkeys(KEYS, "")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / example)],
        cwd=tmp_path,
        env=script_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "reply: Hello from the test server" in done.stdout
    assert ("cost $0," if example in UNPRICED else "cost $0.0000") in done.stdout  # priced, not zero


def test_every_example_is_run_here() -> None:
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == sorted(NEEDS)
