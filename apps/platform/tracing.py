"""Traces with OpenTelemetry: off unless an OTLP endpoint is configured
(OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; the SDK reads the other
OTEL_* variables itself: headers, sampler, service name, resource attributes).

Requests (Django), queries (psycopg) and Redis calls are traced by their instrumentations.
A trace goes on through the outbox: the context of the span that records an event is
stored with it (audit_event.traceparent), and the relay's deliveries, the steps the saga
takes from them and the live publish continue it, so one order is one trace from its
request to its fulfilment.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

# Stored with each event; W3C trace context, as every tracing system reads it.
_PROPAGATOR = TraceContextTextMapPropagator()
# Requests the probes and scrapers make all day long: no trace.
UNTRACED_PATHS = "health/,static/"

_provider: TracerProvider | None = None
_tracer: trace.Tracer = trace.NoOpTracer()


class NoBareClientRoots(Sampler):
    """A query or a Redis call made outside any request or delivery (the worker polling
    the outbox, the websocket server reading a token) starts no trace of its own; the
    configured sampler (OTEL_TRACES_SAMPLER) decides everything else."""

    def __init__(self, configured: Sampler):
        self._configured = configured

    def should_sample(
        self, parent_context, trace_id, name, kind=None, attributes=None, links=None,
        trace_state=None,
    ) -> SamplingResult:  # fmt: skip
        parent = trace.get_current_span(parent_context).get_span_context()
        if kind == SpanKind.CLIENT and not parent.is_valid:
            return SamplingResult(Decision.DROP)
        return self._configured.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"NoBareClientRoots{{{self._configured.get_description()}}}"


def _with_request_id(span, request, response) -> None:
    request_id = response.get("X-Request-ID")
    if request_id and span.is_recording():
        span.set_attribute("fusionops.request_id", request_id)


def start(processor: SpanProcessor, *, service_version: str = "") -> TracerProvider:
    """Trace this process, handing finished spans to `processor`."""
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    global _provider, _tracer
    if _provider is not None:
        raise RuntimeError("tracing has started already")
    attributes = {"service.version": service_version} if service_version else {}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.sampler = NoBareClientRoots(provider.sampler)
    provider.add_span_processor(processor)
    DjangoInstrumentor().instrument(
        tracer_provider=provider, excluded_urls=UNTRACED_PATHS, response_hook=_with_request_id
    )
    PsycopgInstrumentor().instrument(tracer_provider=provider)
    RedisInstrumentor().instrument(tracer_provider=provider)
    _provider, _tracer = provider, provider.get_tracer("fusionops")
    return provider


def stop() -> None:
    """Stop tracing this process (after sending what is buffered)."""
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    global _provider, _tracer
    if _provider is None:
        return
    DjangoInstrumentor().uninstrument()
    PsycopgInstrumentor().uninstrument()
    RedisInstrumentor().uninstrument()
    _provider.shutdown()
    _provider, _tracer = None, trace.NoOpTracer()


def start_from_settings(*, endpoint: str, service_version: str) -> bool:
    """Start tracing, exporting over OTLP/HTTP, when an endpoint is configured."""
    if not endpoint:
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    start(BatchSpanProcessor(OTLPSpanExporter()), service_version=service_version)
    return True


def enabled() -> bool:
    return _provider is not None


def current_traceparent() -> str:
    """The W3C traceparent of the current span, to store with what it records; '' when
    this process does not trace or nothing is being traced."""
    if _provider is None or not trace.get_current_span().get_span_context().is_valid:
        return ""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent", "")


def _parent(traceparent: str) -> otel_context.Context:
    # A fresh context: nothing of the caller's (such as a suppressed instrumentation) leaks
    # into the continued trace.
    if not traceparent:
        return otel_context.Context()
    return _PROPAGATOR.extract({"traceparent": traceparent}, context=otel_context.Context())


@contextmanager
def continued(
    traceparent: str, name: str, *, kind: SpanKind = SpanKind.CONSUMER, attributes=None
) -> Iterator[trace.Span | None]:
    """A span, current inside the block, continuing the trace `traceparent` names (a new
    trace when it is ''). An exception raised in the block is recorded on the span."""
    if _provider is None:
        yield None
        return
    token = otel_context.attach(_parent(traceparent))
    try:
        with _tracer.start_as_current_span(name, kind=kind, attributes=attributes) as span:
            yield span
    finally:
        otel_context.detach(token)


@contextmanager
def continued_each(
    traced: Iterable[tuple[str, dict]], name: str, *, kind: SpanKind = SpanKind.PRODUCER
) -> Iterator[None]:
    """One span per (traceparent, attributes) pair for one operation that serves several
    traces at once (a batch published to the live stream); pairs without a traceparent get
    none. The spans are not current: the operation's own calls belong to no one trace."""
    if _provider is None:
        yield
        return
    spans = [
        _tracer.start_span(name, context=_parent(traceparent), kind=kind, attributes=attributes)
        for traceparent, attributes in traced
        if traceparent
    ]
    try:
        yield
    except BaseException as exc:
        for span in spans:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        for span in spans:
            span.end()


@contextmanager
def client_span(name: str, *, attributes: dict) -> Iterator[None]:
    """A span for a call the instrumentations cannot see (a statement on a cursor of its
    own), under the current span; nothing when this process does not trace."""
    if _provider is None:
        yield
        return
    with _tracer.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes):
        yield
