"""Configuration: built-in defaults < YAML file (SODSONG_CONFIG) < environment variables.

Environment overrides:
  SODSONG_AMQP_URI, SODSONG_DB_URL, SODSONG_DATA_DIR, SODSONG_KEYS_DIR, SODSONG_CONFIG (path of a YAML file),
  SODSONG_DB_URL_<SERVICE> (one service's database), SODSONG_AMQP_URI_<SERVICE> (one service's broker user),
  SODSONG_LOG_LEVEL,
  SODSONG_DB_POOL_SIZE / SODSONG_DB_MAX_OVERFLOW (PostgreSQL connections per process; default 4 + 6),
  and SODSONG__<section>__<key>=<yaml value> for anything else (e.g. SODSONG__intake__http=0.0.0.0:8000).
"""
from __future__ import annotations

import copy
import os
import re
from pathlib import Path

import yaml

SERVICES = ("intake", "routing", "casework", "notify", "audit")

DEFAULTS: dict = {
    "amqp_uri": "memory://localhost/",
    "db_url": None,  # None: one SQLite file per service under data_dir
    "data_dir": "./sodsong-data",
    # secret keys, apart from the data (None: "<data_dir>-keys" beside it); see shared/keys.py
    "keys_dir": None,
    # keyrings by name ({current, keys: {id: base64}}); unset ones are generated in keys_dir on first use
    "keys": {},
    "log_level": "INFO",
    "max_workers": 10,
    "heartbeat_seconds": 5,
    # Prometheus /metrics of this process; each process (instance) needs its own port
    "metrics": {"http": "127.0.0.1:9464"},
    # /livez and /readyz of this process (shared/health.py); empty: off. One port per process, like metrics.
    "health": {"http": "", "timeout_seconds": 2.0, "cache_seconds": 2.0},
    "intake": {
        "http": "127.0.0.1:8000",
        "max_body_bytes": 1_048_576,
        "argon2": {"time_cost": 3, "memory_cost_kib": 65536, "parallelism": 1},
    },
    "casework": {"http": "127.0.0.1:8001", "desk_url": "http://127.0.0.1:8001"},
    "routing": {"overrides": None},
    "notify": {
        # name -> channel settings; the embedded default writes one JSON line per message to a file
        "channels": {"file": {"type": "file", "path": None}},
        "office_channel": "file",
        # offices' contacts, notify's own (a YAML file: `offices: {CODE: {contacts: {channel: address}}}`);
        # None: the deployment file routing.overrides names, so one file can serve both
        "office_directory": None,
        "max_attempts": 6,
        "backoff_seconds": [1, 5, 30, 120, 600],
    },
    "audit": {
        # signed checkpoints of the chain (None: "<data_dir>-checkpoints/audit-checkpoints.jsonl"); ship it away
        "checkpoint_file": None,
        "checkpoint_every_seconds": 600,  # 0: only `sodsong audit checkpoint`
        "checkpoint_public_key": None,    # PEM; default: derived from the signing key
        # entries recorded before the chain was keyed (upgrades only): accepted unkeyed up to this seq
        "unkeyed_entries_up_to": 0,
    },
    # links from the desk to a tip's files, which stay encrypted in intake (shared/evidence_links.py):
    # link_key None = a key file in keys_dir (one host); set the same secret for casework and intake otherwise
    "evidence": {"link_key": None, "link_seconds": 60, "intake_url": None},
    "events": {
        # a failing handler is tried this many times in all before its event is dead-lettered
        "max_attempts": 4,
        "backoff_seconds": [0.2, 1.0, 3.0],
        # broker-side backstop against a message that crashes the consumer process itself
        "broker_delivery_limit": 20,
    },
    # queue_arguments: `arguments` (delivery limit and dead-letter exchange on each queue) or `policy` (from the
    # sodsong-consumers policy: `sodsong broker definitions` prints it; deploy/kubernetes declares it)
    "broker": {"queue_arguments": "arguments"},
    "outbox": {"poll_seconds": 0.5, "batch": 200, "replay_hours_on_memory_transport": 168},
}


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load(path: str | os.PathLike | None = None, env: dict | None = None) -> dict:
    env = os.environ if env is None else env
    config = copy.deepcopy(DEFAULTS)
    path = path or env.get("SODSONG_CONFIG")
    if path:
        with open(path, encoding="utf-8") as fh:
            config = _merge(config, _expand(yaml.safe_load(fh) or {}, env))
    simple = {
        "SODSONG_AMQP_URI": "amqp_uri",
        "SODSONG_DB_URL": "db_url",
        "SODSONG_DATA_DIR": "data_dir",
        "SODSONG_KEYS_DIR": "keys_dir",
        "SODSONG_LOG_LEVEL": "log_level",
    }
    for var, key in simple.items():
        if env.get(var):
            config[key] = env[var]
    for var, value in env.items():
        if var.startswith("SODSONG__"):
            *sections, leaf = var[len("SODSONG__"):].lower().split("__")
            node = config
            for section in sections:
                node = node.setdefault(section, {})
            node[leaf] = yaml.safe_load(value)
    config["data_dir"] = str(Path(config["data_dir"]).expanduser().resolve())
    for service in SERVICES:
        override = env.get(f"SODSONG_DB_URL_{service.upper()}")
        db_url = normalise_db_url(override) if override else db_url_for(config, service)
        config.setdefault(service, {})["db_url"] = db_url
        # a broker user of its own per service (least privilege, see `sodsong broker setup --users`)
        config[service]["amqp_uri"] = (env.get(f"SODSONG_AMQP_URI_{service.upper()}")
                                       or config[service].get("amqp_uri") or config["amqp_uri"])
    if not config["notify"].get("office_directory"):
        config["notify"]["office_directory"] = (config.get("routing") or {}).get("overrides")
    file_channel = config["notify"]["channels"].get("file")
    if file_channel is not None and not file_channel.get("path"):
        file_channel["path"] = str(Path(config["data_dir"]) / "notifications.jsonl")
    return config


def _expand(node, env):
    """${VAR} and ${VAR:default} inside YAML string values."""
    if isinstance(node, dict):
        return {k: _expand(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [_expand(v, env) for v in node]
    if isinstance(node, str) and "${" in node:
        def sub(match):
            name, _, default = match.group(1).partition(":")
            return env.get(name, default)

        return re.sub(r"\$\{([^}]+)\}", sub, node)
    return node


def normalise_db_url(url: str) -> str:
    """psycopg2 (made green by psycogreen) is the PostgreSQL driver: psycopg 3 would block the eventlet hub."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def db_url_for(config: dict, service: str) -> str:
    if config.get("db_url"):
        return normalise_db_url(config["db_url"])
    return f"sqlite:///{Path(config['data_dir']) / (service + '.db')}"


def is_memory_transport(config: dict) -> bool:
    return str(config["amqp_uri"]).startswith("memory://")


def nameko_config(config: dict, service: str) -> dict:
    """The dict a nameko ServiceContainer takes for one service."""
    out = {
        "AMQP_URI": (config.get(service) or {}).get("amqp_uri") or config["amqp_uri"],
        "max_workers": int(config.get("max_workers", 10)),
        "SODSONG": config,
        "SERIALIZER": "json",
    }
    if is_memory_transport(config):
        # kombu's virtual transports poll; the default second per poll would add a second to every hop
        out["TRANSPORT_OPTIONS"] = {"polling_interval": 0.01}
    http = (config.get(service) or {}).get("http")
    if http:
        out["WEB_SERVER_ADDRESS"] = http
    return out
