"""The part of an instrumentor that does not depend on the provider: wrap, unwrap, telemetry."""

from __future__ import annotations

import importlib
from collections.abc import Collection, Iterable
from typing import Any

import wrapt  # type: ignore[import-untyped, unused-ignore]
from opentelemetry import trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.metrics import get_meter

from ..attributes import GENAI_SCHEMA_URL
from ..version import __version__
from .call import Telemetry
from .duplicates import no_markers, peer_markers
from .metrics import Instruments
from .wrappers import Switch, Target, Wrapper, wrapper_for


class GenAIInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Wraps each target method with the wrapper its hooks call for; ``uninstrument()`` restores them.

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
        provider, meter_provider = kwargs.get("tracer_provider"), kwargs.get("meter_provider")
        tracer = trace.get_tracer(self.__module__, __version__, provider, schema_url=GENAI_SCHEMA_URL)
        meter = get_meter(self.__module__, __version__, meter_provider, schema_url=GENAI_SCHEMA_URL)
        targets = list(self.targets())
        # A peer can only sit inside our wrapper if it wrapped first; otherwise its markers are dead weight.
        peer_inside = any(
            isinstance(vars(_owner(module, cls)).get(method), wrapt.FunctionWrapper)
            for module, cls, method, *_ in targets
        )
        self._switch = Switch(Telemetry(tracer, Instruments(meter), peer_markers() if peer_inside else no_markers))
        self._wrappers: dict[tuple[str, str, str], Wrapper] = {}
        for target in targets:
            wrapper = wrapper_for(self._switch, target)
            wrapt.wrap_function_wrapper(target.module, f"{target.cls}.{target.method}", wrapper)
            self._wrappers[(target.module, target.cls, target.method)] = wrapper
        self._switch.active = True

    def _uninstrument(self, **kwargs: Any) -> None:
        # Wrappers the client cached (``with_raw_response`` keeps bound methods) stay in place but
        # only pass calls through once the switch is off.
        self._switch.active = False
        for (module, cls, method), wrapper in self._wrappers.items():
            _unwrap(_owner(module, cls), method, wrapper)
        self._wrappers.clear()


def _unwrap(owner: type, method: str, wrapper: Wrapper) -> None:
    """Put the original method back, if our wrapper is the outermost one.

    If another instrumentation wrapped the method after us, removing ours would remove theirs
    too; ours then stays in the chain, switched off.
    """
    current = vars(owner).get(method)
    if isinstance(current, wrapt.FunctionWrapper) and getattr(current, "_self_wrapper", None) is wrapper:
        setattr(owner, method, current.__wrapped__)


def _owner(module: str, cls: str) -> type:
    """The client class a target names."""
    owner: type = getattr(importlib.import_module(module), cls)
    return owner
