"""Prometheus metrics, defined once for every service.

Each process serves them on `metrics.http` (default 127.0.0.1:9464; one port per process, so give each
instance its own with SODSONG__metrics__http). Labels never carry tip content or identities.
"""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

EVENTS_HANDLED = Counter("sodsong_events_handled_total", "Events a handler finished without error",
                         ["service", "queue", "event_type"])
EVENTS_DUPLICATE = Counter("sodsong_events_duplicate_total", "Deliveries ignored because the event was already "
                           "processed (inbox)", ["service", "handler"])
EVENTS_FAILED = Counter("sodsong_events_failed_total", "Handler attempts that raised",
                        ["service", "queue", "event_type", "kind"])
EVENTS_RETRIED = Counter("sodsong_events_retried_total", "Handler attempts scheduled again after a failure",
                         ["service", "queue", "event_type"])
EVENTS_DEAD_LETTERED = Counter("sodsong_events_dead_lettered_total", "Events moved to a dead-letter queue",
                               ["service", "queue", "event_type"])
HANDLER_SECONDS = Histogram("sodsong_handler_seconds", "Time spent in an event handler attempt",
                            ["service", "queue"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
EVENTS_PUBLISHED = Counter("sodsong_events_published_total", "Outbox events confirmed by the broker",
                           ["service", "event_type"])
EVENTS_UNROUTABLE = Counter("sodsong_events_unroutable_total", "Outbox events the broker could not route",
                            ["service", "event_type"])
OUTBOX_UNPUBLISHED = Gauge("sodsong_outbox_unpublished", "Outbox events not yet confirmed", ["service"])
OUTBOX_LAG = Gauge("sodsong_outbox_lag_seconds", "Age of the oldest unpublished outbox event", ["service"])
DEAD_LETTERS = Gauge("sodsong_dead_letters", "Dead letters waiting for an operator", ["service"])
HTTP_REQUESTS = Counter("sodsong_http_requests_total", "HTTP requests answered",
                        ["service", "method", "route", "status"])
HTTP_SECONDS = Histogram("sodsong_http_request_seconds", "HTTP request latency", ["service", "method", "route"],
                         buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
DELIVERIES = Gauge("sodsong_deliveries", "Notification deliveries by state", ["state"])
CASES_OVERDUE = Gauge("sodsong_cases_overdue", "Open cases past a deadline", ["office", "deadline"])
QUEUE_READY = Gauge("sodsong_queue_messages_ready", "Messages waiting in a Sodsong queue (passive declare)",
                    ["queue"])
QUEUE_CONSUMERS = Gauge("sodsong_queue_consumers", "Consumers attached to a Sodsong queue", ["queue"])
HEARTBEAT = Gauge("sodsong_service_heartbeat_timestamp_seconds", "Last heartbeat of a service instance",
                  ["service"])

_server_started = False


class ByLabel:
    """A labelled metric's children for fixed labels and one label that varies (an event type, a status), each
    looked up once: `metric.labels(...)` hashes and checks every label at every call, on every event or request."""

    def __init__(self, metric, varying: str, **fixed):
        self.metric, self.varying, self.fixed = metric, varying, fixed
        self.children: dict = {}

    def __call__(self, value):
        child = self.children.get(value)
        if child is None:  # a bounded set of values (the catalogue's event types, HTTP statuses)
            child = self.children[value] = self.metric.labels(**{self.varying: str(value)}, **self.fixed)
        return child


def serve(address: str | None) -> None:
    """Start the /metrics HTTP server once per process (a green thread under eventlet)."""
    global _server_started
    if _server_started or not address:
        return
    host, _, port = address.rpartition(":")
    start_http_server(int(port), addr=host or "127.0.0.1")
    _server_started = True
