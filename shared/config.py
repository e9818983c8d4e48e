"""Configuration: declared defaults < YAML file (SODSONG_CONFIG) < environment variables.

Every setting is declared once, with its type, default and meaning (`Setting`): the shared ones at the end of
this module (`SHARED`), each service's in `services/<service>/settings.py`; the composition root
(sodsong/settings.py) assembles them, registers them here and generates docs/settings.md and
deploy/sodsong.example.yaml from them. `load()` merges the YAML over the declared defaults, applies the
environment, and checks every declared setting's type.

Environment overrides:
  SODSONG_AMQP_URI, SODSONG_DB_URL, SODSONG_DATA_DIR, SODSONG_KEYS_DIR, SODSONG_CONFIG (path of a YAML file),
  SODSONG_DB_URL_<SERVICE> (one service's database), SODSONG_AMQP_URI_<SERVICE> (one service's broker user),
  SODSONG_LOG_LEVEL,
  SODSONG_DB_POOL_SIZE / SODSONG_DB_MAX_OVERFLOW (PostgreSQL connections per process: 4 kept open + up to 6 more
  while a burst reuses them; shared.connection_pool),
  and SODSONG__<section>__<key>=<yaml value> for anything else (e.g. SODSONG__intake__http=0.0.0.0:8000). A part
  of the name that matches a known key whatever its case is that key (SODSONG__INTAKE__HTTP works too); any
  other part keeps its case (SODSONG__casework__deadlines__agencies__PACC-R3__acknowledge_days=5).
"""
from __future__ import annotations

import copy
import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SERVICES = ("intake", "routing", "casework", "notify", "audit")

_UNSET = object()


class SettingError(ValueError):
    """A setting has a value of the wrong type (the message names the setting, never the value)."""


@dataclass(frozen=True)
class Setting:
    path: str                 # dotted: "intake.attachments.max_files"
    type: type                # int, float, str, bool, list or dict
    default: object
    doc: str
    optional: bool = False    # None is allowed (always when the default is None)
    example: object = _UNSET  # a deployment's value, written uncommented in deploy/sodsong.example.yaml

    def accepts(self, value) -> bool:
        if value is None:
            return self.optional or self.default is None
        if self.type is float:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if self.type is int:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, self.type)

    @property
    def env(self) -> str:
        return "SODSONG__" + self.path.replace(".", "__")


@dataclass
class Settings:
    """The settings one part of Sodsong declares (shared, or a service)."""
    owner: str
    title: str
    items: tuple[Setting, ...] = field(default_factory=tuple)

    def __init__(self, owner: str, title: str, *items: Setting):
        self.owner, self.title, self.items = owner, title, tuple(items)

    def defaults(self, prefix: str = "") -> dict:
        """The declared defaults (under `prefix`, as a nested dict)."""
        tree: dict = {}
        for item in self.items:
            if prefix and not item.path.startswith(prefix + "."):
                continue
            parts = item.path[len(prefix) + 1 if prefix else 0:].split(".")
            node = tree
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = copy.deepcopy(item.default)
        return tree

    def section(self, config: dict | None, prefix: str) -> dict:
        """`prefix` of a loaded (or hand-made) configuration over the declared defaults."""
        node = config or {}
        for part in prefix.split("."):
            node = (node or {}).get(part) if isinstance(node, dict) else None
        return _merge(self.defaults(prefix), node or {})

    def value(self, config: dict | None, path: str):
        """One setting's value in a configuration, or its declared default."""
        prefix, _, key = path.rpartition(".")
        return self.section(config, prefix)[key] if prefix else _merge(self.defaults(), config or {})[key]


_registered: dict[str, Settings] = {}


def register(*groups: Settings) -> None:
    """The composition root registers every service's settings (shared's are always there)."""
    for group in groups:
        _registered[group.owner] = group


def declared() -> tuple[Settings, ...]:
    return (SHARED, *(g for owner, g in _registered.items() if owner != SHARED.owner))


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load(path: str | os.PathLike | None = None, env: dict | None = None,
         groups: tuple[Settings, ...] | None = None) -> dict:
    env = os.environ if env is None else env
    groups = declared() if groups is None else groups
    config: dict = {}
    for group in groups:
        config = _merge(config, group.defaults())
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
    for var, value in sorted(env.items()):
        if var.startswith("SODSONG__"):
            apply_override(config, var[len("SODSONG__"):].split("__"), yaml.safe_load(value))
    unset_to_default(config, groups)
    check(config, groups)
    config["data_dir"] = str(Path(config["data_dir"]).expanduser().resolve())
    for service in SERVICES:
        override = env.get(f"SODSONG_DB_URL_{service.upper()}")
        db_url = normalise_db_url(override) if override else db_url_for(config, service)
        config.setdefault(service, {})["db_url"] = db_url
        # a broker user of its own per service (least privilege, see `sodsong broker setup --users`)
        config[service]["amqp_uri"] = (env.get(f"SODSONG_AMQP_URI_{service.upper()}")
                                       or config[service].get("amqp_uri") or config["amqp_uri"])
    notify = config.get("notify") or {}
    if "notify" in config and not notify.get("office_directory"):
        # notify's own directory of office contacts; by default the deployment file routing.overrides names
        notify["office_directory"] = (config.get("routing") or {}).get("overrides")
    file_channel = (config.get("notify") or {}).get("channels", {}).get("file")
    if file_channel is not None and not file_channel.get("path"):
        file_channel["path"] = str(Path(config["data_dir"]) / "notifications.jsonl")
    return config


def apply_override(config: dict, parts: list[str], value) -> None:
    """Set `value` at the path `parts`: a part is an existing key if one matches it ignoring case, else itself
    as written (office codes and channel names keep their case)."""
    node = config
    for i, part in enumerate(parts):
        key = next((k for k in node if isinstance(k, str) and k.lower() == part.lower()), part)
        if i == len(parts) - 1:
            node[key] = value
        else:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]


def unset_to_default(config: dict, groups: tuple[Settings, ...]) -> None:
    """A setting left empty (`key:` in YAML, an empty environment variable) has its default, unless it may be
    null (then empty means off or unset)."""
    for group in groups:
        for item in group.items:
            *parents, leaf = item.path.split(".")
            node = config
            for part in parents:
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, dict) and leaf in node and node[leaf] is None and not item.accepts(None):
                node[leaf] = copy.deepcopy(item.default)


def check(config: dict, groups: tuple[Settings, ...]) -> None:
    """Every declared setting present in `config` has its declared type."""
    for group in groups:
        for item in group.items:
            node = config
            for part in item.path.split("."):
                node = node.get(part, _UNSET) if isinstance(node, dict) else _UNSET
            if node is not _UNSET and not item.accepts(node):
                raise SettingError(f"setting {item.path} ({item.env}) must be {_type_name(item)}, "
                                   f"not {type(node).__name__}")


def _type_name(item: Setting) -> str:
    name = {int: "an integer", float: "a number", str: "a string", bool: "true or false", list: "a list",
            dict: "a mapping"}[item.type]
    return name + (" or null" if item.optional or item.default is None else "")


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
        "max_workers": int(config["max_workers"]),
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


# -- the generated documentation -------------------------------------------------------------------------------
def _flow(value) -> str:
    """A value as YAML on one line."""
    if value is None:
        return "null"
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def render_yaml(groups: tuple[Settings, ...], header: str) -> str:
    """The example configuration: every setting, with its meaning as a comment above it. A setting with an
    example value is written as it would be set; the others are commented out with their defaults."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    written: set[str] = set()  # sections already opened (live or commented)
    for group in groups:
        lines += ["", f"# == {group.title} " + "=" * max(0, 100 - len(group.title))]
        live = {item.path for item in group.items if item.example is not _UNSET}
        for item in group.items:
            parts = item.path.split(".")
            for depth in range(len(parts) - 1):
                section = ".".join(parts[:depth + 1])
                if section in written:
                    continue
                written.add(section)
                is_live = any(p.startswith(section + ".") for p in live)
                lines.append(f"{'  ' * depth}{'' if is_live else '# '}{parts[depth]}:")
            indent = "  " * (len(parts) - 1)
            for doc_line in textwrap.wrap(item.doc, 116 - len(indent)) if item.doc else ():
                lines.append(f"{indent}# {doc_line}")
            if item.example is _UNSET:
                lines.append(f"{indent}# {parts[-1]}: {_flow(item.default)}")
            else:
                lines.append(f"{indent}{parts[-1]}: {_flow(item.example)}")
    return "\n".join(lines) + "\n"


def render_markdown(groups: tuple[Settings, ...], header: str) -> str:
    """docs/settings.md: every setting, its type, default, environment override and meaning."""
    out = [header.rstrip(), ""]
    for group in groups:
        out += [f"## {group.title}", "", "| Setting | Type | Default | Meaning |", "|---|---|---|---|"]
        for item in group.items:
            doc = item.doc.replace("|", "\\|")
            default = _flow(item.default).replace("|", "\\|")
            nullable = " or null" if item.optional or item.default is None else ""
            out.append(f"| `{item.path}` | {item.type.__name__}{nullable} | `{default}` | {doc} |")
        out.append("")
    return "\n".join(out)


S = Setting
SHARED = Settings(
    "shared", "Every service",
    S("amqp_uri", str, "memory://localhost/",
      "The broker (also SODSONG_AMQP_URI; one user per service: SODSONG_AMQP_URI_<SERVICE>). `memory://` runs "
      "embedded, in one process.", example="${SODSONG_AMQP_URI:amqp://sodsong:change-me@127.0.0.1:5672/sodsong}"),
    S("db_url", str, None,
      "PostgreSQL for every service (also SODSONG_DB_URL; one service's: SODSONG_DB_URL_<SERVICE>). Unset: one "
      "SQLite file per service under data_dir.", example="${SODSONG_DB_URL:postgresql://sodsong@127.0.0.1:5432/sodsong}"),
    S("data_dir", str, "./sodsong-data", "SQLite files, the file channel's notifications and uploads in embedded "
      "mode (also SODSONG_DATA_DIR).", example="/var/lib/sodsong"),
    S("keys_dir", str, None, "Secret keys, kept apart from the data (also SODSONG_KEYS_DIR; unset: "
      "`<data_dir>-keys` beside it); see shared/keys.py.", example="/etc/sodsong/keys"),
    S("keys", dict, {}, "Keyrings by name (`{current, keys: {id: base64}}`), e.g. from a secret store; the ones not "
      "given are generated in keys_dir on first use."),
    S("log_level", str, "INFO", "Log level (also SODSONG_LOG_LEVEL).", example="INFO"),
    S("max_workers", int, 10, "nameko workers per service instance.", example=10),
    S("heartbeat_seconds", float, 5, "How often each instance writes its heartbeat and refreshes its gauges."),
    S("metrics.http", str, "127.0.0.1:9464",
      "Prometheus /metrics of this process; each process needs its own port (empty: off).", optional=True),
    S("health.http", str, "", "/livez and /readyz of this process (shared/health.py); one port per process "
      "(override per instance: SODSONG__health__http); empty: off.", example="127.0.0.1:8080", optional=True),
    S("health.timeout_seconds", float, 2.0, "How long a readiness check waits for the database or broker."),
    S("health.cache_seconds", float, 2.0, "How long a readiness answer is reused."),
    S("evidence.link_key", str, None, "The secret that signs the desk's links to a tip's files (at least 32 "
      "characters); the same for casework and intake. Unset: a key file in keys_dir (one host only).",
      example="${SODSONG_EVIDENCE_LINK_KEY}"),
    S("evidence.link_seconds", int, 60, "How long a signed link to a file works.", example=60),
    S("evidence.filing_ticket_seconds", int, 1800, "How long the desk's ticket for filing a tip on someone's "
      "behalf (staff recording a call, letter or visit; a volunteer helping a citizen) works; signed under "
      "evidence.link_key. The desk issues a new one whenever its form is opened.", example=1800),
    S("evidence.intake_url", str, None, "Where the caseworker's browser reaches intake's /evidence/... (unset: "
      "intake's listen address).", example="https://tips.example.org"),
    S("events.max_attempts", int, 4, "A failing handler is tried this many times in all before its event is "
      "dead-lettered.", example=4),
    S("events.backoff_seconds", list, [0.2, 1.0, 3.0], "Pauses between those tries.", example=[0.2, 1.0, 3.0]),
    S("events.broker_delivery_limit", int, 20, "Broker-side backstop (quorum queues) against a message that "
      "crashes its consumer process itself.", example=20),
    S("broker.queue_arguments", str, "arguments", "`arguments` (delivery limit and dead-letter exchange on each "
      "queue) or `policy` (from the sodsong-consumers policy: `sodsong broker definitions` prints it); fixed once "
      "a vhost's queues exist.", example="arguments"),
    S("broker.user_prefix", str, "sodsong-", "Each service's broker user is this prefix and the service's name "
      "(`sodsong broker setup --users`)."),
    S("outbox.poll_seconds", float, 2.0, "How often the outbox relay looks for events it was not woken for (a "
      "commit in the same process wakes it at once; this catches events written by other processes, e.g. the CLI).",
      example=2.0),
    S("outbox.batch", int, 200, "Events the relay publishes per transaction.", example=200),
    S("outbox.burst_linger_seconds", float, 0.005, "When events were committed while a relay pass ran (a burst), "
      "the next pass waits this long so that those committed meanwhile go out with them, in one transaction and "
      "one confirm round trip; an event committed while the relay is idle goes out at once. 0: never wait."),
    S("outbox.replay_hours_on_memory_transport", float, 168, "Embedded mode: events of this many past hours are "
      "sent again at start-up (consumers ignore what they have seen)."),
    S("http_server.socket_timeout_seconds", float, 20, "Any single read or write on a client socket."),
    S("http_server.keepalive_seconds", float, 15, "An idle kept-alive connection is closed after this."),
    S("http_server.header_timeout_seconds", float, 10, "The request line and every header must arrive within this.",
      example=10),
    S("http_server.body_grace_seconds", float, 10, "A body must arrive within this plus its size at "
      "body_min_rate_bytes.", example=10),
    S("http_server.body_min_rate_bytes", int, 16384, "Bytes per second a body must keep up on average after the "
      "grace.", example=16384),
    S("http_server.max_connections", int, 1000, "Open client connections per process (more wait in the listen "
      "queue).", example=1000),
    S("http_server.max_body_bytes", int, 1_048_576, "A bigger body is refused (413) before it is read; a service "
      "may raise it (intake: its attachment limits). Per service: `<service>.http_server.*`."),
    S("http_server.large_body_bytes", int, 262_144, "Bodies above this take an upload slot while they are read "
      "and handled."),
    S("http_server.max_concurrent_uploads", int, 4, "Upload slots per process (each body is held in memory).",
      example=4),
    S("http_server.upload_wait_seconds", float, 15, "How long a large body waits for a slot before 503 + "
      "Retry-After."),
    S("retention.every_seconds", float, 3600, "How often the retention job runs (a cluster job: one instance of "
      "each service at a time); 0: only `sodsong retention run`."),
    S("retention.lease_seconds", float, 900, "How long the instance that ran it keeps the job to itself."),
    S("retention.published_outbox_days", float, 30, "Published outbox rows are deleted after this many days "
      "(longer than the week the embedded mode replays).", example=30),
    S("retention.inbox_days", float, 30, "Inbox rows (a redelivery after that would be processed again).",
      example=30),
    S("retention.settled_dead_letters_days", float, 30, "Dead letters an operator redrove or discarded.",
      example=30),
    S("retention.settled_deliveries_days", float, 90, "notify: deliveries sent, or dead after their retries.",
      example=90),
    S("retention.tipster_identity_days_after_closure", float, 90, "intake: the tipster's identity, after the case "
      "is closed (GlobaLeaks' default is 90 days).", example=90),
    S("retention.closed_case_days", float, 3650, "casework: closed cases are anonymised after this (see "
      "docs/security.md).", example=3650),
    S("retention.per_agency", dict, {}, "Periods per agency or office (matched on the office code's prefix), "
      "e.g. {PACC: {closed_case_days: 3650}}.", example={}),
)
