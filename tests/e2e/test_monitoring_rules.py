"""Alert rules and the dashboard parse, and every Sodsong metric they use exists on a running service."""
import json
import re
from pathlib import Path

import promql_parser
import requests
import yaml

from tests.support.environments import free_port

ROOT = Path(__file__).resolve().parents[2]
# Metrics RabbitMQ's own prometheus plugin exposes that the rules use (rabbitmq_prometheus, port 15692).
RABBITMQ_PLUGIN_METRICS = {"rabbitmq_alarms_memory_used_watermark", "rabbitmq_alarms_free_disk_space_watermark"}
SUFFIXES = ("_bucket", "_sum", "_count", "_total", "_created")


def _expressions():
    rules = yaml.safe_load((ROOT / "deploy/monitoring/alerts.yml").read_text())
    exprs = [(r["alert"], r["expr"]) for g in rules["groups"] for r in g["rules"]]
    dashboard = json.loads((ROOT / "deploy/monitoring/grafana-dashboard.json").read_text())
    exprs += [(p["title"], t["expr"]) for p in dashboard["panels"] for t in p["targets"]]
    return rules, exprs


def test_rules_are_well_formed_and_parse():
    rules, exprs = _expressions()
    names = [r["alert"] for g in rules["groups"] for r in g["rules"]]
    assert len(names) == len(set(names))
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}
            assert rule["labels"]["severity"] in ("warning", "critical")
            assert rule["annotations"]["summary"]
    for _name, expr in exprs:
        promql_parser.parse(expr)  # raises on a syntax error
    required = {"SodsongQueueWithoutConsumers", "SodsongQueueGrowing", "SodsongDeadLetters", "SodsongOutboxLag",
                "SodsongFailedDeliveries", "SodsongOverdueCases", "RabbitmqMemoryAlarm", "RabbitmqDiskAlarm"}
    assert required <= set(names)


def test_every_metric_used_exists_on_a_running_service(real_deployment):
    dep = real_deployment
    port = free_port()
    dep.env["SODSONG__metrics__http"] = f"127.0.0.1:{port}"
    dep.start("notify")
    exposition = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    exposed = set(re.findall(r"^# TYPE (\w+)", exposition, re.M))
    exposed |= {n + s for n in exposed for s in SUFFIXES}
    _, exprs = _expressions()
    used = {m for _, e in exprs for m in re.findall(r"\b((?:sodsong|rabbitmq)_[a-z_]+)\b", e)}
    missing = {m for m in used if m.startswith("sodsong_") and m not in exposed}
    assert not missing, missing
    assert {m for m in used if m.startswith("rabbitmq_")} <= RABBITMQ_PLUGIN_METRICS
