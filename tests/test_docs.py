"""The runnable snippets in docs/concepts.md run, so the docs cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.scripts import run_script

CONCEPTS = Path(__file__).resolve().parents[1] / "docs" / "concepts.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", CONCEPTS.read_text(), flags=re.DOTALL)


def test_concepts_has_a_snippet_per_rule() -> None:
    assert len(SNIPPETS) >= 5


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"snippet {i}" for i in range(len(SNIPPETS))])
def test_snippet_runs(tmp_path: Path, snippet: str) -> None:
    result = run_script(tmp_path, snippet)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
