"""The cost of one LLM call in US dollars, from the offline price data of ``genai-prices``.

``genai_prices.calc_price`` takes ~60 µs, too much for every call. For the usual model prices
(a fixed rate per token kind, plus maybe a fixed rate per request) the price is linear in each
token count, so we ask ``genai-prices`` once per (provider, model, service tier) for the rate of
each kind and do the arithmetic ourselves. Tiered prices (the rate depends on the prompt size)
are not linear: those calls go through ``calc_price`` every time. Rates are re-read after
``_RATE_TTL`` seconds, because some prices change at a date or by time of day.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, Protocol

logger = logging.getLogger("agentops_otel")

_PER = 1_000_000
_RATE_TTL = 300.0


class TokenCounts(Protocol):
    """What a price needs from a call's usage (``genai.Usage`` is one)."""

    @property
    def input(self) -> int:
        """Input tokens, cache reads and writes included."""

    @property
    def output(self) -> int:
        """Output tokens."""

    @property
    def cache_read(self) -> int:
        """Input tokens read from the provider's cache."""

    @property
    def cache_write(self) -> int:
        """Input tokens written to the provider's cache."""


class TokenUsage(NamedTuple):
    """Token counts of one call; ``input`` includes the cache reads and writes."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0


@dataclass(frozen=True)
class _Rates:
    """USD per token of each kind, and per request; ``tiered`` means "not linear, ask each time"."""

    input: float
    output: float
    cache_read: float
    cache_write: float
    request: float
    tiered: bool
    expires: float


_UNKNOWN = object()
_cache: dict[tuple[str, str, str | None], _Rates | object] = {}
_lock = threading.Lock()


def cost_usd(provider: str, model: str, usage: TokenCounts, service_tier: str | None = None) -> float | None:
    """The call's cost, or None for a model ``genai-prices`` does not know (logged at debug level)."""
    key = (provider, model, service_tier)
    rates = _cache.get(key)
    if rates is None or (isinstance(rates, _Rates) and rates.expires < time.monotonic()):
        rates = _load_rates(key)
    if not isinstance(rates, _Rates):
        return None
    if rates.tiered:
        return float(_calc(provider, model, usage, service_tier))
    uncached = usage.input - usage.cache_read - usage.cache_write
    return (
        rates.request
        + uncached * rates.input
        + usage.cache_read * rates.cache_read
        + usage.cache_write * rates.cache_write
        + usage.output * rates.output
    )


def _load_rates(key: tuple[str, str, str | None]) -> _Rates | object:
    """Probe ``genai-prices`` with one million tokens of each kind; cache the rates (or the miss)."""
    provider, model, service_tier = key
    try:
        base = _calc(provider, model, TokenUsage(), service_tier)
        rates: _Rates | object = _Rates(
            input=_rate(provider, model, TokenUsage(input=_PER), service_tier, base),
            output=_rate(provider, model, TokenUsage(output=_PER), service_tier, base),
            cache_read=_rate(provider, model, TokenUsage(input=_PER, cache_read=_PER), service_tier, base),
            cache_write=_rate(provider, model, TokenUsage(input=_PER, cache_write=_PER), service_tier, base),
            request=float(base),
            tiered=_is_tiered(provider, model),
            expires=time.monotonic() + _RATE_TTL,
        )
    except LookupError:
        logger.debug("No price known for %s model %r; its calls carry no cost.", provider, model)
        rates = _UNKNOWN
    with _lock:
        _cache[key] = rates
    return rates


def _rate(provider: str, model: str, usage: TokenUsage, service_tier: str | None, base: Decimal) -> float:
    return float(_calc(provider, model, usage, service_tier) - base) / _PER


def _calc(provider: str, model: str, usage: TokenCounts, service_tier: str | None) -> Decimal:
    from genai_prices import Usage, calc_price

    priced = Usage(
        input_tokens=usage.input,
        output_tokens=usage.output,
        cache_read_tokens=usage.cache_read,
        cache_write_tokens=usage.cache_write,
    )
    context = {"service_tier": service_tier} if service_tier else None
    return calc_price(priced, model, provider_id=provider, price_context=context).total_price


def _is_tiered(provider: str, model: str) -> bool:
    from datetime import datetime, timezone

    from genai_prices import data_snapshot
    from genai_prices.types import TieredPrices

    _, info = data_snapshot.get_snapshot().find_provider_model(model, None, provider, None)
    prices = info.get_prices(datetime.now(timezone.utc))
    return any(isinstance(value, TieredPrices) for value in vars(prices).values())
