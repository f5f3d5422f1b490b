"""The process-wide client: settings, the tracer provider, exporters, instrumentors, exit hooks.

Never replaces a TracerProvider the application (or ``opentelemetry-instrument``) set up: it adds
its span processor to that provider. Only when none is set does it create and install one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import logging
import os
import sys
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import wrapt  # type: ignore[import-untyped, unused-ignore]
from opentelemetry import metrics, trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.metrics._internal import _ProxyMeterProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanLimits, TracerProvider

from .attributes import GENAI_SCHEMA_URL, SCOPE
from .config import Config, given
from .content import ATTRIBUTE_LENGTH_LIMIT_VARIABLES, DEFAULT_ATTRIBUTE_LENGTH_LIMIT, configure_content
from .exporting import ExportPipeline, build_metric_exporter, build_span_exporter, run_within
from .foreign import SessionTracerProvider
from .ids import SessionIdGenerator
from .instrumentation.metrics import OperationDurations
from .integrations import Integration, integration_options, selected
from .internal_errors import handle_internal_errors
from .lifecycle import ExitHooks
from .processor import SessionSpanProcessor
from .registry import registry
from .session import EndState, Session
from .summary import enable as enable_summaries
from .summary import report_ended
from .tags import normalize_tags
from .version import __version__

logger = logging.getLogger("agentops_otel")

# Settings that can change while running; the rest shape the pipeline built by init().
_LIVE_SETTINGS = frozenset(
    {
        "default_tags",
        "skip_auto_end_session",
        "capture_content",
        "redact_content",
        "quiet",
        "flush_timeout",
        "trust_incoming_sessions",
    }
)
SHUTDOWN_REASON = "agentops.shutdown() was called"


class Client:
    """Everything one ``init()`` set up; ``shutdown()`` takes it down again."""

    def __init__(
        self,
        config: Config,
        *,
        tracer_provider: TracerProvider | None = None,
        add_exporter: bool = False,
    ) -> None:
        self.config = config
        self.provider, created = _provider_for(tracer_provider, config)
        self.provider.add_span_processor(SessionSpanProcessor(registry))
        # Metrics go where our spans go, when we set the pipeline up; otherwise the global meter provider.
        self.meter_provider = _meter_provider_for(config) if created else None
        self._pipeline: ExportPipeline | None = None
        self._export_gave_up = False  # a flush missed its deadline: the exporter is stopped
        if created or add_exporter:
            exporter = build_span_exporter(config)
            if exporter is not None:
                self._pipeline = ExportPipeline(exporter, config)
                self.provider.add_span_processor(self._pipeline.processor)
        meter = metrics.get_meter(SCOPE, __version__, self.meter_provider, schema_url=GENAI_SCHEMA_URL)
        self.provider.add_span_processor(OperationDurations(meter))
        self.tracer = self.provider.get_tracer(SCOPE, __version__, schema_url=GENAI_SCHEMA_URL)
        # Set up by `opentelemetry-instrument` (distro.py): the app's first init() adopts this client.
        self.awaiting_init = False
        self.process_session: Session | None = None
        self._apply_live_settings()
        self._instrumentors: list[tuple[BaseInstrumentor, bool]] = []
        self._awaiting_clients: set[str] = set()  # integrations to turn on when their client is imported
        # What the integrations record on: their spans join sessions by the rules table at start.
        self._session_provider = SessionTracerProvider(self.provider, registry, self.meter_provider)
        self._instrument(llm_calls=config.instrument_llm_calls)
        self._hooks = ExitHooks(self)
        self._hooks.install()

    # --- sessions -------------------------------------------------------------------------------

    def start_session(
        self,
        tags: str | Iterable[str] | None = (),
        *,
        inherited_session_id: str | None = None,
        name: str | None = None,
        user_id: str | None = None,
    ) -> Session:
        """Start a session with the default tags followed by `tags`."""
        return Session(
            self.tracer,
            registry,
            tags=normalize_tags([*self.config.default_tags, *normalize_tags(tags)]),
            name=name,
            inherited_session_id=inherited_session_id,
            user_id=user_id,
            on_end=report_ended,
        )

    def end_all_sessions(self, end_state: EndState, end_state_reason: str | None) -> None:
        """End every running session (from any thread)."""
        registry.end_all(end_state, end_state_reason)

    # --- settings -------------------------------------------------------------------------------

    def configure(self, arguments: Mapping[str, object], built_by: str = "agentops.init()") -> None:
        """Apply settings that can change while running; warn about the rest."""
        settings = given(arguments)
        # Every setting is checked, live or not; tracer_provider is not a setting but can arrive here.
        checked = self.config.with_arguments({k: v for k, v in settings.items() if k != "tracer_provider"})
        live = {name: getattr(checked, name) for name in settings if name in _LIVE_SETTINGS}
        self.config = dataclasses.replace(self.config, **live)
        for name in sorted(set(settings) - _LIVE_SETTINGS):
            logger.warning("%s=... is ignored: the export pipeline was already set up by %s.", name, built_by)
        self._apply_live_settings()

    def _apply_live_settings(self) -> None:
        enable_summaries(self.config.quiet)
        configure_content(self.config.capture_content, self.config.redact_content)
        registry.trust_incoming_sessions = self.config.trust_incoming_sessions

    # --- instrumentation ------------------------------------------------------------------------

    def _instrument(self, *, llm_calls: bool) -> None:
        """Turn on the integrations (integrations.py): each LLM one once its client is imported."""
        for integration in selected(self.config.instruments):
            if integration.client is None or (llm_calls and integration.before_import and _installed(integration)):
                self._instrument_with(integration)
            elif llm_calls:
                self._awaiting_clients.add(integration.name)
                # Runs at once if the client is already imported, else right after its import.
                wrapt.when_imported(integration.client)(functools.partial(self._on_client_imported, integration))

    def _on_client_imported(self, integration: Integration, _module: object) -> None:
        if integration.name in self._awaiting_clients:  # not after shutdown() or stop_instrumenting()
            self._awaiting_clients.discard(integration.name)
            self._instrument_with(integration)

    def _instrument_with(self, integration: Integration) -> None:
        instrumentor = _instrumentor(integration)
        if instrumentor is None or instrumentor.is_instrumented_by_opentelemetry:
            return  # not installed, or someone else (e.g. opentelemetry-instrument) did: theirs to undo
        if integration.ours:
            with handle_internal_errors(f"instrumenting with {integration.instrumentor}"):
                instrumentor.instrument(tracer_provider=self.provider, meter_provider=self.meter_provider)
        else:
            try:
                instrumentor.instrument(
                    tracer_provider=self._session_provider,
                    meter_provider=self.meter_provider,
                    **integration_options(integration, capture_content=self.config.capture_content),
                )
            except Exception as error:
                logger.warning(
                    "Not recording %s calls: %s.instrument() raised %r.", integration.name, integration.module, error
                )
                return
            if not instrumentor.is_instrumented_by_opentelemetry:  # it refused the installed client's version
                logger.warning(
                    "Not recording %s calls: %s declined to instrument (see its log line above).",
                    integration.name,
                    integration.module,
                )
                return
        self._instrumentors.append((instrumentor, integration.client is not None))

    def stop_instrumenting(self) -> None:
        """Stop recording LLM calls (AgentOps 0.3), whoever instrumented the clients.

        Instrumentors are singletons, so this also undoes what ``opentelemetry-instrument`` did.
        A client imported later is not instrumented either.
        """
        self._awaiting_clients.clear()
        for integration in selected(None):
            if integration.client is None or integration.client not in sys.modules:
                continue  # not an LLM client, or never imported: nothing can be instrumented
            instrumentor = _instrumentor(integration, quiet=True)
            if instrumentor is not None and instrumentor.is_instrumented_by_opentelemetry:
                with handle_internal_errors("removing instrumentation"):
                    instrumentor.uninstrument()
        self._instrumentors = [(instrumentor, is_llm) for instrumentor, is_llm in self._instrumentors if not is_llm]
        _client_llm_spans.stop()

    def _uninstrument_ours(self) -> None:
        self._awaiting_clients.clear()
        for instrumentor, _is_llm in self._instrumentors:
            with handle_internal_errors("removing instrumentation"):
                instrumentor.uninstrument()
        self._instrumentors = []

    # --- export ---------------------------------------------------------------------------------

    @property
    def flush_timeout(self) -> int:
        """Milliseconds a flush (or a whole process exit) may wait for the exporter."""
        return self.config.flush_timeout

    def flush(self, timeout_millis: int | None = None) -> None:
        """Export queued spans, waiting at most `timeout_millis` (default: the flush timeout)."""
        pipeline = self._pipeline
        if pipeline is not None and not self._export_gave_up:
            self._export_gave_up = not run_within(pipeline.processor.force_flush, self._bound(timeout_millis))
            if self._export_gave_up:
                pipeline.abort()

    def close(self, timeout_millis: int | None = None) -> None:
        """Export queued spans and metrics and stop exporting: one deadline for both."""
        pipeline, meter_provider = self._pipeline, self.meter_provider

        def shut_down() -> None:
            if pipeline is not None:
                pipeline.processor.shutdown()  # type: ignore[no-untyped-call]
            if meter_provider is not None:
                meter_provider.shutdown()

        if self._export_gave_up:  # the exporter was stopped after a missed deadline: nothing to wait for
            with contextlib.suppress(RuntimeError):  # no new threads late in interpreter shutdown
                threading.Thread(target=shut_down, name="agentops-otel-close", daemon=True).start()
        elif not run_within(shut_down, self._bound(timeout_millis)) and pipeline is not None:
            self._export_gave_up = True
            pipeline.abort()

    def _bound(self, timeout_millis: int | None) -> int:
        return self.config.flush_timeout if timeout_millis is None else timeout_millis

    def shutdown(self) -> None:
        """End running sessions, undo instrumentation and hooks, flush and stop exporting."""
        self.end_all_sessions(EndState.INDETERMINATE, SHUTDOWN_REASON)
        self._uninstrument_ours()
        self._hooks.uninstall()
        registry.trust_incoming_sessions = False
        _client_llm_spans.stopped = False
        self.close()


class _ClientLLMSpans:
    """The LLM call spans client libraries make themselves (the ``anthropic`` SDK's ``anthropic.messages.create``).

    While our instrumentor runs it turns that span off for the calls it records; once
    ``stop_instrumenting()`` removed it, the SDK's span would come back. So stopping also turns the
    SDK's LLM call spans off, until ``shutdown()``. The SDK's other spans (files, batches, token
    counting) stay. One wrapper per process, installed when ``anthropic`` is imported, reads the flag.
    """

    SDK_LLM_SPANS = frozenset({"anthropic.messages.create"})

    def __init__(self) -> None:
        self.stopped = False
        self._installed = False

    def stop(self) -> None:
        """Turn them off (now, or when ``anthropic`` is imported)."""
        self.stopped = True
        if not self._installed:
            self._installed = True
            wrapt.when_imported("anthropic")(self._install)

    def _install(self, _module: object) -> None:
        with handle_internal_errors("turning the anthropic SDK's LLM spans off"):
            wrapt.wrap_function_wrapper("anthropic._base_client", "start_api_call_span", self._start_span)

    def _start_span(self, wrapped: Any, _instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        # start_api_call_span(tracer, base_url, options, ...): the SDK documents None as "no span".
        options = args[2] if len(args) > 2 else kwargs.get("options")
        if self.stopped and getattr(options, "span_name", None) in self.SDK_LLM_SPANS:
            return None
        return wrapped(*args, **kwargs)


_client_llm_spans = _ClientLLMSpans()


def _instrumentor(integration: Integration, *, quiet: bool = False) -> BaseInstrumentor | None:
    """The (singleton) instrumentor; None when its package is not installed, or (one warning) cannot be imported."""
    try:
        instrumentor: BaseInstrumentor = getattr(
            importlib.import_module(integration.module), integration.instrumentor
        )()
    except ModuleNotFoundError as error:
        if error.name and (integration.module + ".").startswith(error.name + "."):
            logger.debug("%s is not installed; not recording %s calls.", integration.module, integration.name)
            return None
        _warn_unusable(integration, error, quiet)
        return None
    except Exception as error:  # an instrumentation that does not work with the installed client
        _warn_unusable(integration, error, quiet)
        return None
    return instrumentor


def _installed(integration: Integration) -> bool:
    """Whether the integration's client can be imported (found without importing it)."""
    try:
        return integration.client is not None and importlib.util.find_spec(integration.client) is not None
    except (ImportError, ValueError):
        return False


def _warn_unusable(integration: Integration, error: Exception, quiet: bool) -> None:
    if not quiet:
        logger.warning("Not recording %s calls: importing %s failed: %r.", integration.name, integration.module, error)


def _meter_provider_for(config: Config) -> MeterProvider | None:
    """A meter provider exporting where our spans go (installed globally if none is), or None."""
    exporter = build_metric_exporter(config)
    if exporter is None:
        return None
    provider = MeterProvider(
        metric_readers=[PeriodicExportingMetricReader(exporter)],
        resource=Resource.create(resource_attributes(config)),
        shutdown_on_exit=False,  # close() shuts it down, within the flush timeout
    )
    # The API has no public "nothing set yet" check for metrics (traces have ProxyTracerProvider).
    if isinstance(metrics.get_meter_provider(), _ProxyMeterProvider):
        metrics.set_meter_provider(provider)
    return provider


def _provider_for(tracer_provider: TracerProvider | None, config: Config) -> tuple[TracerProvider, bool]:
    """The provider to record on, and whether we created it."""
    if tracer_provider is not None:
        return tracer_provider, False
    current: Any = trace.get_tracer_provider()
    if hasattr(current, "add_span_processor"):
        return current, False
    if not isinstance(current, trace.ProxyTracerProvider):
        logger.warning(
            "The global tracer provider %s cannot take span processors; agentops-otel records on its own provider.",
            type(current).__name__,
        )
    provider = TracerProvider(
        resource=Resource.create(resource_attributes(config)),
        id_generator=SessionIdGenerator(),
        span_limits=_span_limits(),
    )
    if isinstance(current, trace.ProxyTracerProvider):
        trace.set_tracer_provider(provider)
    return provider, True


def _span_limits() -> SpanLimits | None:
    """Our attribute length default, unless the standard variables set one (the SDK reads those)."""
    if any(os.environ.get(name) for name in ATTRIBUTE_LENGTH_LIMIT_VARIABLES):
        return None
    return SpanLimits(max_span_attribute_length=DEFAULT_ATTRIBUTE_LENGTH_LIMIT)


def resource_attributes(config: Config) -> dict[str, str]:
    """Resource attributes we add to the SDK's (which reads OTEL_SERVICE_NAME and friends)."""
    attributes = {"telemetry.distro.name": "agentops-otel", "telemetry.distro.version": __version__}
    if config.service_name:
        attributes["service.name"] = config.service_name
    return attributes


_lock = threading.Lock()
_client: Client | None = None
_pending: dict[str, object] = {}  # configure() before init(): used by the next init()


def get_client() -> Client | None:
    """The running client, if ``init()`` was called (and not shut down since)."""
    return _client


def init(
    arguments: Mapping[str, Any],
    tracer_provider: TracerProvider | None = None,
    inherited_session_id: str | None = None,
    *,
    trace_name: str | None = None,
    user_id: str | None = None,
) -> Session | None:
    """Set up the process's client (or adopt the distro's) and start the session ``init()`` returns.

    `trace_name` (AgentOps 0.4) names that session; `user_id` is its user.
    """
    client, fresh = _get_or_create(arguments, tracer_provider)
    if not fresh:
        logger.warning(
            "agentops.init() was already called; keeping the running client. "
            "Use agentops.configure(...) to change settings, agentops.start_session() for another session."
        )
        return None
    if inherited_session_id is not None:
        session = client.start_session(inherited_session_id=inherited_session_id, user_id=user_id)
    elif not client.config.auto_start_session:
        return None
    elif client.process_session is not None and client.process_session.end_state is None:
        return client.process_session  # the distro's AGENTOPS_AUTO_START_SESSION session is this init()'s session
    else:
        session = client.start_session(name=trace_name, user_id=user_id)
    session.make_current()  # single-session programs expect their own spans in it (docs/concepts.md)
    return session


def start_from_distro() -> Client:
    """Create the client for ``opentelemetry-instrument``, on the provider the SDK just installed.

    Under the distro a session starts only if ``AGENTOPS_AUTO_START_SESSION=true`` asks for one;
    it then covers the whole process (it is attached to the main thread's context).
    """
    global _client
    with _lock:
        config = Config.load(_pending, defaults={"auto_start_session": False})
        _pending.clear()
        # The SDK just installed the global provider, which Client adopts (as init() would), and
        # turns the integrations on; opentelemetry-instrument then loads the other instrumentors.
        _client = client = Client(config, add_exporter=True)
        client.awaiting_init = True
    if config.auto_start_session:
        client.process_session = client.start_session()
        client.process_session.make_current()  # the main thread's context, for the process's lifetime
    return client


def get_or_create_client() -> Client:
    """The running client, creating one with default settings if ``init()`` was not called."""
    return _get_or_create({}, None)[0]


def configure(arguments: Mapping[str, object]) -> None:
    """Change settings: on the running client, or for the next ``init()`` if there is none yet."""
    with _lock:
        client = _client
        if client is None:
            Config.load({**_pending, **arguments})  # check now, so a bad value fails at this call
            _pending.update(given(arguments))
            return
    client.configure(arguments)


def _get_or_create(arguments: Mapping[str, Any], tracer_provider: TracerProvider | None) -> tuple[Client, bool]:
    global _client
    with _lock:
        if _client is not None and _client.awaiting_init:
            _client.awaiting_init = False
            # The distro does not start sessions by default; an init() call does, as always.
            auto_start = Config.load(arguments).auto_start_session
            _client.config = dataclasses.replace(_client.config, auto_start_session=auto_start)
            _client.configure(
                {**arguments, "tracer_provider": tracer_provider} if tracer_provider else arguments,
                built_by="opentelemetry-instrument",
            )
            return _client, True
        if _client is not None:
            return _client, False
        arguments = {**_pending, **given(arguments)}
        _pending.clear()
        add_exporter = arguments.get("exporter") is not None or arguments.get("traces_file") is not None
        _client = Client(Config.load(arguments), tracer_provider=tracer_provider, add_exporter=add_exporter)
        return _client, True


def shutdown() -> None:
    """Shut the running client down, so a later ``init()`` starts afresh."""
    global _client
    with _lock:
        client, _client = _client, None
    if client is not None:
        client.shutdown()
