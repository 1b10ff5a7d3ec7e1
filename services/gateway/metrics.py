"""Prometheus metrics of the gateway. Names are a contract with deploy/ (rules, HPA, dashboards)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Latency buckets from 5 ms to 30 s: stage calls are milliseconds, full try-ons up to seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0,
                   10.0, 30.0)


class GatewayMetrics:
    """All gateway metrics on one registry (one per app, so tests do not share state)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.request_duration = Histogram(
            "tryon_request_duration_seconds", "End-to-end request latency.", ("route", "method", "status"),
            buckets=LATENCY_BUCKETS, registry=r)
        self.requests = Counter("tryon_requests", "Requests answered.", ("route", "method", "status"),
                                registry=r)
        self.in_flight = Gauge("tryon_requests_in_flight", "Requests being processed.", ("route",), registry=r)
        self.stage_duration = Histogram(
            "tryon_stage_duration_seconds", "Latency of one pipeline stage (pre-process + infer + post).",
            ("stage", "model", "version", "outcome"), buckets=LATENCY_BUCKETS, registry=r)
        self.errors = Counter("tryon_errors", "Requests that failed, by error code.", ("route", "code"),
                              registry=r)
        self.rejected = Counter("tryon_rejected", "Requests refused before work (rate, concurrency, shed).",
                                ("tenant", "reason"), registry=r)
        self.traffic_split = Gauge("tryon_traffic_split_ratio", "Share of traffic routed to a model version.",
                                   ("model", "version"), registry=r)
        self.model_ready = Gauge("tryon_model_ready", "1 when the model version answers readiness.",
                                 ("model", "version"), registry=r)
        self.orphan_blobs_swept = Counter(
            "tryon_orphan_blobs_swept", "Catalog blobs no garment referenced, deleted by the start-up sweep.",
            registry=r)
