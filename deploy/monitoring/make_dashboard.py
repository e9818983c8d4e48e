"""Writes grafana-dashboard.json (run from the repo root: python deploy/monitoring/make_dashboard.py).

The dashboard is generated so that its queries stay in step with the metric names, which a test checks."""
import json
from pathlib import Path

PANELS = [
    ("Tips accepted (per minute)",
     'sum(rate(sodsong_http_requests_total{route="/api/v1/tips",status="201"}[5m])) * 60'),
    ("Queue backlog", "max by (queue) (sodsong_queue_messages_ready)"),
    ("Consumers per queue", "max by (queue) (sodsong_queue_consumers)"),
    ("Outbox lag (s)", "max by (service) (sodsong_outbox_lag_seconds)"),
    ("Unpublished outbox events", "sum by (service) (sodsong_outbox_unpublished)"),
    ("Dead letters", "sum by (service) (sodsong_dead_letters)"),
    ("Events handled / s", "sum by (service, event_type) (rate(sodsong_events_handled_total[5m]))"),
    ("Handler failures / s", "sum by (service, kind) (rate(sodsong_events_failed_total[5m]))"),
    ("Handler p95 (s)", "histogram_quantile(0.95, sum by (le, service) (rate(sodsong_handler_seconds_bucket[5m])))"),
    ("HTTP p95 (s)",
     "histogram_quantile(0.95, sum by (le, service, route) (rate(sodsong_http_request_seconds_bucket[5m])))"),
    ("HTTP responses / s", "sum by (service, status) (rate(sodsong_http_requests_total[5m]))"),
    ("Deliveries by state", "max by (state) (sodsong_deliveries)"),
    ("Overdue cases", "sum by (office, deadline) (sodsong_cases_overdue)"),
    ("Seconds since heartbeat", "time() - max by (service) (sodsong_service_heartbeat_timestamp_seconds)"),
]


def dashboard() -> dict:
    panels = []
    for i, (title, expr) in enumerate(PANELS):
        panels.append({
            "id": i + 1, "type": "timeseries", "title": title,
            "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i // 2) * 8},
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "targets": [{"refId": "A", "expr": expr}],
        })
    return {
        "title": "Sodsong", "uid": "sodsong-overview", "schemaVersion": 39, "version": 1, "editable": True,
        "time": {"from": "now-6h", "to": "now"}, "refresh": "30s", "tags": ["sodsong"],
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
        "panels": panels,
    }


if __name__ == "__main__":
    out = Path(__file__).with_name("grafana-dashboard.json")
    out.write_text(json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n")
    print(out)
