"""The part of an instrumentor that does not depend on the provider: wrap, unwrap, telemetry."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterable
from typing import Any

import wrapt  # type: ignore[import-untyped, unused-ignore]
from opentelemetry import trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.metrics import get_meter

from ..version import __version__
from .duplicates import peer_markers
from .genai import Telemetry
from .metrics import Instruments
from .wrappers import Switch, Wrapper

Target = tuple[str, str, str, Callable[[Switch], Wrapper]]
"""(module, class, method, wrapper factory)."""


class GenAIInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Wraps each target method with its factory's wrapper; ``uninstrument()`` restores them.

    Subclasses list their ``targets()`` and the client package they need.
    """

    _dependencies: Collection[str] = ()
    _switch: Switch

    def targets(self) -> Iterable[Target]:
        """The methods to wrap."""
        raise NotImplementedError

    def instrumentation_dependencies(self) -> Collection[str]:
        """The client package and versions this instrumentor works with."""
        return self._dependencies

    def _instrument(self, **kwargs: Any) -> None:
        tracer = trace.get_tracer(self.__module__, __version__, kwargs.get("tracer_provider"))
        meter = get_meter(self.__module__, __version__, kwargs.get("meter_provider"))
        self._switch = Switch(Telemetry(tracer, Instruments(meter), peer_markers()))
        self._wrappers: dict[tuple[str, str], Wrapper] = {}
        for module, cls, method, factory in self.targets():
            wrapper = factory(self._switch)
            wrapt.wrap_function_wrapper(module, f"{cls}.{method}", wrapper)
            self._wrappers[(f"{module}.{cls}", method)] = wrapper
        self._switch.active = True

    def _uninstrument(self, **kwargs: Any) -> None:
        # Wrappers the client cached (``with_raw_response`` keeps bound methods) stay in place but
        # only pass calls through once the switch is off.
        self._switch.active = False
        for (owner, method), wrapper in self._wrappers.items():
            _unwrap(owner, method, wrapper)
        self._wrappers.clear()


def _unwrap(owner: str, method: str, wrapper: Wrapper) -> None:
    """Put the original method back, if our wrapper is the outermost one.

    If another instrumentation wrapped the method after us, removing ours would remove theirs
    too; ours then stays in the chain, switched off.
    """
    module, _, cls_name = owner.rpartition(".")
    cls = getattr(importlib.import_module(module), cls_name)
    current = cls.__dict__.get(method)
    if isinstance(current, wrapt.FunctionWrapper) and getattr(current, "_self_wrapper", None) is wrapper:
        setattr(cls, method, current.__wrapped__)
