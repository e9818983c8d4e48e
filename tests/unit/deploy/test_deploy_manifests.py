"""The deployment files, validated offline: the compose file against the Compose Specification, every Kubernetes
overlay rendered by kustomize (kubectl from the test tools), the built-in kinds by kubernetes-validate --strict, and
the operators' custom resources against the schemas vendored from their CRDs (deploy/kubernetes/crd-schemas).

The tools come from requirements-test.lock; a missing tool fails these tests, it never skips them."""
from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import yaml

from shared import config as config_mod
from shared import topology
from sodsong import registry

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
BIN = Path(sys.executable).parent
OVERLAYS = ("small", "large")
BUILTIN_GROUPS = {"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1"}


def _tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is missing from the test tools: pip install -r requirements-test.lock"
    return str(path)


# -- image and dependencies ---------------------------------------------------------------------------------------
def test_runtime_lock_has_no_test_tools_and_the_image_installs_only_it():
    runtime = {line.split("==")[0].lower() for line in (ROOT / "requirements.lock").read_text().splitlines()
               if "==" in line}
    test_only = {line.split("==")[0].lower() for line in (ROOT / "requirements-test.lock").read_text().splitlines()
                 if "==" in line}
    assert not runtime & test_only
    for tool in ("pytest", "playwright", "schemathesis", "hypothesis", "aiosmtpd", "kubernetes-validate"):
        assert tool not in runtime and tool in test_only
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = [line for line in dockerfile.splitlines() if line and not line.startswith("#")]
    assert not [line for line in instructions if "requirements-test.lock" in line]
    assert "COPY requirements.lock /src/requirements.lock" in instructions
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
    assert dockerfile.count("FROM ") == 2  # build stage, runtime stage
    makefile = (ROOT / "Makefile").read_text()
    run_target = re.search(r"^run: (.*)$", makefile, re.M).group(1)
    assert run_target.strip() == "$(VENV)/.installed"
    assert "requirements-test.lock" not in re.search(r"^\$\(VENV\)/\.installed:.*?(?=^\S)", makefile,
                                                        re.M | re.S).group(0)


# -- compose ------------------------------------------------------------------------------------------------------
def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())


def test_compose_file_follows_the_compose_specification():
    done = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec",
                           str(DEPLOY / "compose" / "compose.yaml")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_services_are_hardened_and_checked():
    services = _compose()["services"]
    assert {"postgres", "rabbitmq", "migrate", "broker-setup", "intake", "routing", "casework", "notify", "audit",
            "proxy", "backup"} <= set(services)
    for name, svc in services.items():
        assert svc["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in svc["security_opt"], name
        assert svc["read_only"] is True, name
        assert any(t.startswith("/tmp") for t in svc["tmpfs"]), name
        if name in ("migrate", "broker-setup"):
            assert svc["restart"] == "no" and svc["healthcheck"] == {"disable": True}
        else:
            assert svc["healthcheck"]["test"], name
        if name != "proxy":
            assert "ports" not in svc, f"{name} must not publish a port; only the proxy does"
    assert services["routing"]["deploy"]["replicas"] == 2 and services["notify"]["deploy"]["replicas"] == 2
    for name in ("intake", "routing", "casework", "notify", "audit"):
        svc = services[name]
        assert svc["command"] == ["run", "--no-migrate", "--service", name]
        assert svc["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "/readyz" in " ".join(svc["healthcheck"]["test"])
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert _compose()["networks"]["backend"]["internal"] is True
    assert "backend" not in services["proxy"]["networks"]


# -- kubernetes ---------------------------------------------------------------------------------------------------
def test_generated_manifests_are_up_to_date():
    done = subprocess.run([sys.executable, str(K8S / "generate.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@cache
def _render(overlay: str) -> tuple[str, tuple]:
    done = subprocess.run([_tool("kubectl"), "kustomize", str(K8S / "overlays" / overlay)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout, tuple(d for d in yaml.safe_load_all(done.stdout) if d)


def _docs(overlay):
    return [copy.deepcopy(d) for d in _render(overlay)[1]]


def _of(docs, kind, name=None):
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert found, f"no {kind} {name or ''}"
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_builtin_kinds_pass_kubernetes_validate_strict(overlay, tmp_path):
    text, docs = _render(overlay)
    rendered = tmp_path / f"{overlay}.yaml"
    rendered.write_text(text)
    done = subprocess.run([_tool("kubernetes-validate"), "--strict", str(rendered)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    builtin = [d for d in docs if d["apiVersion"] in BUILTIN_GROUPS]
    assert done.stdout.count("passed for resource") == len(builtin) > 20, done.stdout


def test_kubernetes_validate_strict_can_fail(tmp_path):
    """The check above would catch a misspelt field (a probe that Kubernetes would silently drop)."""
    deployment = copy.deepcopy(_of(_docs("small"), "Deployment", "sodsong-intake")[0])
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {"httpGet": {"path": "/readyz"}}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(deployment))
    done = subprocess.run([_tool("kubernetes-validate"), "--strict", str(bad)], capture_output=True, text=True)
    assert done.returncode != 0


def _strict(schema):
    """Kubernetes prunes or (with strict field validation) refuses fields a CRD's structural schema does not
    declare; jsonschema would accept them silently, so close every object that lists its properties."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if ("properties" in out and "additionalProperties" not in out
                and not out.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


@cache
def _crd_validator(api_version: str, kind: str):
    group, version = api_version.split("/")
    path = K8S / "crd-schemas" / group / f"{kind}.{version}.json"
    assert path.exists(), f"no vendored schema for {api_version} {kind}"
    sources = json.loads((K8S / "crd-schemas" / "sources.json").read_text())
    assert re.fullmatch(r"[0-9a-f]{40}", sources[f"{group}/{kind}.{version}"]["commit"])
    schema = _strict(json.loads(path.read_text()))
    schema["properties"]["metadata"] = {"type": "object"}
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_match_the_operators_crds(overlay):
    customs = [d for d in _docs(overlay) if d["apiVersion"] not in BUILTIN_GROUPS]
    kinds = {d["kind"] for d in customs}
    assert {"RabbitmqCluster", "Vhost", "User", "Permission", "Exchange", "Queue", "Binding", "Policy", "Cluster",
            "Pooler", "ScheduledBackup", "PodMonitor", "ServiceMonitor", "PrometheusRule"} <= kinds
    for doc in customs:
        errors = sorted(_crd_validator(doc["apiVersion"], doc["kind"]).iter_errors(doc), key=str)
        assert not errors, f"{doc['kind']} {doc['metadata']['name']}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])


def test_a_custom_resource_with_an_unknown_field_is_refused():
    queue = copy.deepcopy(_of(_docs("small"), "Queue")[0])
    queue["spec"]["x-delivery-limit"] = 20
    assert list(_crd_validator(queue["apiVersion"], queue["kind"]).iter_errors(queue))


def test_topology_resources_cover_every_consumer_and_use_policies():
    docs = _docs("large")
    queues = {q["spec"]["name"]: q["spec"] for q in _of(docs, "Queue")}
    wanted = {s.queue_name for s in registry.subscriptions()} | {topology.BROKER_DEAD_LETTER_QUEUE,
                                                                    topology.UNROUTABLE_QUEUE}
    assert set(queues) == wanted
    assert all(q["type"] == "quorum" and q["durable"] and "arguments" not in q for q in queues.values())
    bindings = {(b["spec"]["destination"], b["spec"].get("routingKey", "")) for b in _of(docs, "Binding")}
    for sub in registry.subscriptions():
        for event_type in sub.event_types:
            assert (sub.queue_name, event_type) in bindings
    [policy] = _of(docs, "Policy")
    assert policy["spec"]["definition"] == {"delivery-limit": 20, "dead-letter-exchange": "sodsong.dead-letter"}
    pattern = re.compile(policy["spec"]["pattern"])
    for name in wanted:
        assert bool(pattern.search(name)) == (name not in (topology.BROKER_DEAD_LETTER_QUEUE,
                                                          topology.UNROUTABLE_QUEUE)), name
    users = {u["metadata"]["name"] for u in _of(docs, "User")}
    assert users == {f"sodsong-{s}" for s in config_mod.SERVICES}
    perms = {p["spec"]["userReference"]["name"]: p["spec"]["permissions"] for p in _of(docs, "Permission")}
    for service in config_mod.SERVICES:
        read = re.compile(perms[f"sodsong-{service}"]["read"])
        for sub in registry.subscriptions():
            assert bool(read.search(sub.queue_name)) == (sub.service == service)
    names = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workloads_have_probes_limits_budgets_and_only_the_proxy_reaches_the_web_services(overlay):
    docs = _docs(overlay)
    pdbs = {p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] for p in _of(docs, "PodDisruptionBudget")}
    for service in config_mod.SERVICES:
        [dep] = _of(docs, "Deployment", f"sodsong-{service}")
        pod = dep["spec"]["template"]["spec"]
        [c] = pod["containers"]
        assert c["args"] == ["run", "--no-migrate", "--service", service]
        assert c["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert c["resources"]["requests"] and c["resources"]["limits"]["memory"]
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert f"sodsong-{service}" in pdbs
        env = {e["name"]: e for e in c["env"]}
        assert env["RABBITMQ_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == f"sodsong-{service}-user-credentials"
    hpas = {h["spec"]["scaleTargetRef"]["name"] for h in _of(docs, "HorizontalPodAutoscaler")}
    assert {"sodsong-intake", "sodsong-routing"} <= hpas and "sodsong-audit" not in hpas
    [job] = _of(docs, "Job", "sodsong-migrate")
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["db", "upgrade"]
    policies = _of(docs, "NetworkPolicy")
    assert any(p["spec"]["podSelector"] == {} and p["spec"]["policyTypes"] == ["Ingress"] and "ingress" not in p["spec"]
               for p in policies)
    web = [p for p in policies if any(e.get("values") == ["sodsong-intake", "sodsong-casework"]
                                      for e in p["spec"]["podSelector"].get("matchExpressions", []))]
    assert len(web) == 1
    sources = [f for rule in web[0]["spec"]["ingress"] for f in rule["from"]]
    assert sources == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "sodsong-proxy"}}}]
    for service in ("intake", "casework"):  # no other policy that selects these pods opens their web port
        labels = _of(docs, "Deployment", f"sodsong-{service}")[0]["spec"]["template"]["metadata"]["labels"]
        for p in policies:
            if p is web[0] or not _selects(p["spec"]["podSelector"], labels):
                continue
            for rule in p["spec"].get("ingress", []):
                ports = {port["port"] for port in rule.get("ports", [])}
                if not ports or {8000, 8001} & ports:
                    pytest.fail(f"{p['metadata']['name']} opens {service}'s web port")
    [rabbit] = _of(docs, "RabbitmqCluster")
    assert rabbit["spec"]["replicas"] == 3
    assert "cluster_partition_handling = pause_minority" in rabbit["spec"]["rabbitmq"]["additionalConfig"]
    [db] = _of(docs, "Cluster")
    assert db["spec"]["instances"] == 3 and re.fullmatch(r"\d+d", db["spec"]["backup"]["retentionPolicy"])
    assert _of(docs, "ScheduledBackup")[0]["spec"]["cluster"]["name"] == "sodsong-db"
    assert _of(docs, "Pooler")[0]["spec"]["pgbouncer"]["poolMode"] == "transaction"
    rules = _of(docs, "PrometheusRule")[0]["spec"]["groups"]
    assert rules == yaml.safe_load((DEPLOY / "monitoring" / "alerts.yml").read_text())["groups"]


def _selects(selector: dict, labels: dict) -> bool:
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        present = labels.get(expr["key"])
        if expr["operator"] == "In" and present not in expr["values"]:
            return False
        if expr["operator"] == "NotIn" and present in expr["values"]:
            return False
        if expr["operator"] == "Exists" and present is None:
            return False
        if expr["operator"] == "DoesNotExist" and present is not None:
            return False
    return True


def test_overlays_differ_in_size():
    small = {d["metadata"]["name"]: d for d in _docs("small") if d["kind"] == "Deployment"}
    large = {d["metadata"]["name"]: d for d in _docs("large") if d["kind"] == "Deployment"}
    assert small["sodsong-routing"]["spec"]["replicas"] < large["sodsong-routing"]["spec"]["replicas"]
    assert _of(_docs("small"), "Cluster")[0]["spec"]["storage"]["size"] != \
        _of(_docs("large"), "Cluster")[0]["spec"]["storage"]["size"]
