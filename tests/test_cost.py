"""Cost: exact Decimal arithmetic end to end, and a price cache that stays bounded."""

from __future__ import annotations

from genai_prices import data_snapshot

from agentops_otel import pricing
from agentops_otel.pricing import cost_usd
from agentops_otel.usage import Usage


def test_a_calls_cost_is_the_exact_decimal_price_without_float_noise() -> None:
    """The attribute is a float, but the nearest one to the exact price, so it reads back as the price."""
    # gpt-4o-mini: $0.15 per million input tokens, $0.60 per million output: 1 in, 4 out = $0.00000255.
    # Float arithmetic on per-token rates gave 2.5499999999999997e-06.
    assert repr(cost_usd("openai", "gpt-4o-mini", Usage(input=1, output=4))) == "2.55e-06"


def test_100k_distinct_model_names_keep_the_price_caches_bounded() -> None:
    snapshot = data_snapshot.get_snapshot()
    before = len(snapshot._provider_cache) + len(snapshot._lookup_cache)  # genai-prices' own caches
    for index in range(100_000):
        assert cost_usd("openai", f"server-sent-model-{index}", Usage(10, 10)) is None
    assert len(pricing._cache) <= pricing.MAX_CACHED_MODELS
    assert len(snapshot._provider_cache) + len(snapshot._lookup_cache) <= before + 1
    assert cost_usd("openai", "gpt-4o-mini", Usage(1, 4)) is not None  # still prices known models
