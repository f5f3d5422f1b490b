"""OTLP JSON metric records (``{"resourceMetrics": [...]}`` lines) as the SDK's ``MetricsData``.

``export`` sends saved metrics (``agentops-metrics.jsonl``, or metric lines in a spans file) with
the SDK's own OTLP metric exporters, which take SDK objects; the line is decoded with the same
OTLP JSON codec as spans and rebuilt point by point. Summaries have no SDK type and are left out
(the count says how many).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry.proto_json.collector.metrics.v1.metrics_service import ExportMetricsServiceRequest
from opentelemetry.proto_json.metrics.v1 import metrics as otlp
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    Buckets,
    ExponentialHistogram,
    ExponentialHistogramDataPoint,
    Gauge,
    Histogram,
    HistogramDataPoint,
    Metric,
    MetricsData,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
    Sum,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.util.instrumentation import InstrumentationScope

from .reading import attribute_map

_Data = Sum | Gauge | Histogram | ExponentialHistogram


class Decoded:
    """One metrics line: the SDK's ``MetricsData``, its point count, and how many summaries were left out."""

    def __init__(self, data: dict[str, Any]) -> None:
        request = ExportMetricsServiceRequest.from_dict(data)
        self.points = 0
        self.summaries = 0
        self.data = MetricsData(
            resource_metrics=[
                ResourceMetrics(
                    resource=Resource(attribute_map(resource.resource.attributes if resource.resource else [])),
                    scope_metrics=[self._scope(scope) for scope in resource.scope_metrics],
                    schema_url=resource.schema_url or "",
                )
                for resource in request.resource_metrics
            ]
        )

    def _scope(self, scope: otlp.ScopeMetrics) -> ScopeMetrics:
        metrics = []
        for metric in scope.metrics:
            data = self._data(metric)
            if data is not None:
                metrics.append(Metric(metric.name or "", metric.description or "", metric.unit or "", data))
        name = scope.scope.name if scope.scope else ""
        version = scope.scope.version if scope.scope else None
        return ScopeMetrics(InstrumentationScope(name or "", version or None), metrics, scope.schema_url or "")

    def _data(self, metric: otlp.Metric) -> _Data | None:
        if metric.sum is not None:
            self.points += len(metric.sum.data_points)
            return Sum(
                _numbers(metric.sum.data_points),
                _temporality(metric.sum.aggregation_temporality),
                bool(metric.sum.is_monotonic),
            )
        if metric.gauge is not None:
            self.points += len(metric.gauge.data_points)
            return Gauge(_numbers(metric.gauge.data_points))
        if metric.histogram is not None:
            self.points += len(metric.histogram.data_points)
            return Histogram(
                [
                    HistogramDataPoint(
                        attribute_map(point.attributes),
                        point.start_time_unix_nano or 0,
                        point.time_unix_nano or 0,
                        point.count or 0,
                        point.sum or 0.0,
                        list(point.bucket_counts),
                        list(point.explicit_bounds),
                        point.min if point.min is not None else float("inf"),
                        point.max if point.max is not None else float("-inf"),
                    )
                    for point in metric.histogram.data_points
                ],
                _temporality(metric.histogram.aggregation_temporality),
            )
        if metric.exponential_histogram is not None:
            self.points += len(metric.exponential_histogram.data_points)
            return ExponentialHistogram(
                [_exponential(point) for point in metric.exponential_histogram.data_points],
                _temporality(metric.exponential_histogram.aggregation_temporality),
            )
        if metric.summary is not None:
            self.summaries += len(metric.summary.data_points)
        return None


def _numbers(points: Sequence[otlp.NumberDataPoint]) -> list[NumberDataPoint]:
    return [
        NumberDataPoint(
            attribute_map(point.attributes),
            point.start_time_unix_nano or 0,
            point.time_unix_nano or 0,
            point.as_int if point.as_int is not None else point.as_double or 0.0,
        )
        for point in points
    ]


def _exponential(point: otlp.ExponentialHistogramDataPoint) -> ExponentialHistogramDataPoint:
    def buckets(side: otlp.ExponentialHistogramDataPoint.Buckets | None) -> Buckets:
        return Buckets(side.offset or 0, list(side.bucket_counts)) if side else Buckets(0, [])

    return ExponentialHistogramDataPoint(
        attribute_map(point.attributes),
        point.start_time_unix_nano or 0,
        point.time_unix_nano or 0,
        point.count or 0,
        point.sum or 0.0,
        point.scale or 0,
        point.zero_count or 0,
        buckets(point.positive),
        buckets(point.negative),
        point.flags or 0,
        point.min if point.min is not None else float("inf"),
        point.max if point.max is not None else float("-inf"),
    )


def _temporality(value: int | None) -> AggregationTemporality:
    return AggregationTemporality(value or AggregationTemporality.CUMULATIVE)
