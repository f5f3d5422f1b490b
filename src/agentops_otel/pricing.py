"""The cost of one LLM call in US dollars, from the offline price data of ``genai-prices``.

``genai_prices.calc_price`` takes ~60 µs, too much for every call. For the usual model prices
(a fixed rate per token kind, plus maybe a fixed rate per request) the price is linear in each
token count, so we ask ``genai-prices`` once per (provider, model, service tier) for the rate of
each kind and do the arithmetic ourselves, exactly: each rate is kept as a whole number of
``1 / scale`` dollars, so a call's price is an exact integer divided once, which Python rounds to
the nearest float (float rates turned $0.00000255 into 2.5499999999999997e-06; ``Decimal`` is
exact too but cost the call more than the rest of its pricing). Tiered prices (the rate depends
on the prompt size) are not linear: those calls are priced by ``genai-prices`` every time. Rates
are re-read after ``_RATE_TTL`` seconds, because some prices change at a date or by time of day.

The model name comes from the server, so anyone answering as an LLM can send any number of
distinct names: the cache holds at most :data:`MAX_CACHED_MODELS` entries (oldest dropped first),
and models are looked up without ``calc_price``, whose own lookup caches keep every name given.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.util.types import AttributeValue

from .attributes import LLM_OPERATIONS
from .usage import Usage

if TYPE_CHECKING:
    from genai_prices.types import ModelInfo, Provider

logger = logging.getLogger("agentops_otel")

_PER = 1_000_000
_Model = tuple["Provider", "ModelInfo"]
_RATE_TTL = 300.0


_Key = tuple[str, str, "str | None"]


@dataclass(frozen=True)
class _Rates:
    """Price per token of each kind, and per request, in ``1 / scale`` USD; ``tiered``: "not linear, ask each time"."""

    model: _Model
    input: int
    output: int
    cache_read: int
    cache_write: int
    request: int
    scale: int
    tiered: bool
    expires: float


MAX_CACHED_MODELS = 1024
"""Price cache entries (priced or unknown models); far more than the models one application calls."""
_cache: dict[_Key, _Rates | None] = {}  # None: no price known; insertion order is age
_MISSING = object()
_lock = threading.Lock()


def cost_usd(provider: str, model: str, usage: Usage, service_tier: str | None = None) -> float | None:
    """The call's cost, or None for a model ``genai-prices`` does not know (logged at debug level)."""
    key = (provider, model, service_tier)
    rates = _cache.get(key, _MISSING)
    if rates is _MISSING or (isinstance(rates, _Rates) and rates.expires < time.monotonic()):
        rates = _load_rates(key)
    if not isinstance(rates, _Rates):
        return None
    if rates.tiered:
        return float(_calc(rates.model, usage, service_tier))
    uncached = usage.input - usage.cache_read - usage.cache_write
    cost = (
        rates.request
        + uncached * rates.input
        + usage.cache_read * rates.cache_read
        + usage.cache_write * rates.cache_write
        + usage.output * rates.output
    )
    return cost / rates.scale  # the nearest float to the exact price: its repr is the price's digits


PRICE_PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "aws.bedrock": "aws",
    "azure.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "gcp.gemini": "google",
    "gcp.gen_ai": "google",
    "gcp.vertex_ai": "google",
    "groq": "groq",
    "mistral_ai": "mistral",
    "openrouter": "openrouter",
    "perplexity": "perplexity",
    "x_ai": "x-ai",
}
"""``gen_ai.provider.name`` (the conventions' well-known values) to the ``genai-prices`` provider id.

A provider not listed (``ollama``, an unknown host) is never priced: guessing OpenAI's price
for another provider's model would be a wrong number, worse than none.
"""


def span_cost(span_attributes: Mapping[str, AttributeValue]) -> float | None:
    """The cost of a model call from its span's GenAI attributes (any instrumentation's), else None."""
    if span_attributes.get(gen_ai.GEN_AI_OPERATION_NAME) not in LLM_OPERATIONS:
        return None
    name = str(span_attributes.get(gen_ai.GEN_AI_PROVIDER_NAME) or span_attributes.get(gen_ai.GEN_AI_SYSTEM))
    provider = PRICE_PROVIDERS.get(name)
    model = span_attributes.get(gen_ai.GEN_AI_RESPONSE_MODEL) or span_attributes.get(gen_ai.GEN_AI_REQUEST_MODEL)
    if isinstance(model, str) and model.startswith(name + "/"):
        model = model[len(name) + 1 :]  # LiteLLM's "openai/gpt-4o-mini": the provider is already known
    usage = Usage.from_attributes(span_attributes)
    if provider is None or not isinstance(model, str) or usage is None:
        return None
    return cost_usd(provider, model, usage)


def _load_rates(key: _Key) -> _Rates | None:
    """Probe ``genai-prices`` with one million tokens of each kind; cache the rates (or the miss)."""
    provider, model, service_tier = key
    rates: _Rates | None
    try:
        found = _find(provider, model)
        base = _calc(found, Usage(), service_tier)
        prices = [
            _rate(found, Usage(input=_PER), service_tier, base),
            _rate(found, Usage(output=_PER), service_tier, base),
            _rate(found, Usage(input=_PER, cache_read=_PER), service_tier, base),
            _rate(found, Usage(input=_PER, cache_write=_PER), service_tier, base),
            base,
        ]
        scale = 10 ** max(0, *(-_exponent(price) for price in prices))  # every price a whole number of units
        input_rate, output_rate, cache_read_rate, cache_write_rate, request_rate = (
            int(price * scale) for price in prices
        )
        rates = _Rates(
            model=found,
            input=input_rate,
            output=output_rate,
            cache_read=cache_read_rate,
            cache_write=cache_write_rate,
            request=request_rate,
            scale=scale,
            tiered=_is_tiered(found),
            expires=time.monotonic() + _RATE_TTL,
        )
    except LookupError:
        logger.debug("No price known for %s model %r; its calls carry no cost.", provider, model)
        rates = None
    with _lock:
        _cache.pop(key, None)  # a refreshed entry is young again
        _cache[key] = rates
        while len(_cache) > MAX_CACHED_MODELS:
            del _cache[next(iter(_cache))]
    return rates


def _rate(found: _Model, usage: Usage, service_tier: str | None, base: Decimal) -> Decimal:
    return (_calc(found, usage, service_tier) - base) / _PER


def _exponent(price: Decimal) -> int:
    """The power of ten of `price`'s last digit (-7 for 1.5E-7)."""
    exponent = price.normalize().as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0  # NaN and infinity have none; genai-prices sends neither


def _find(provider_id: str, model: str) -> _Model:
    """The provider and model ``genai-prices`` prices `model` with; LookupError if it has none."""
    from genai_prices import data_snapshot

    snapshot = data_snapshot.get_snapshot()
    provider = snapshot.find_provider(None, provider_id, None)  # cached per provider, not per model name
    info = provider.find_model(model, all_providers=snapshot.providers)
    if info is None:
        raise LookupError(f"no price for {provider_id} model {model!r}")
    return provider, info


def _calc(found: _Model, usage: Usage, service_tier: str | None) -> Decimal:
    from genai_prices import Usage as PricedUsage

    provider, info = found
    priced = PricedUsage(
        input_tokens=usage.input,
        output_tokens=usage.output,
        cache_read_tokens=usage.cache_read,
        cache_write_tokens=usage.cache_write,
    )
    context = {"service_tier": service_tier} if service_tier else None
    return info.calc_price(priced, provider, price_context=context).total_price


def _is_tiered(found: _Model) -> bool:
    from genai_prices.types import TieredPrices

    prices = found[1].get_prices(datetime.now(timezone.utc))
    return any(isinstance(value, TieredPrices) for value in vars(prices).values())
