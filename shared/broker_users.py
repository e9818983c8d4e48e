"""A RabbitMQ user per service (least privilege on the bus).

Each service's user may configure only its own queues, publish only the event types it produces (topic
permissions on the events exchange) and consume or bind only its own queues for the types it consumes; see
`shared.topology.permissions`. `sodsong broker setup --users` applies them with `rabbitmqctl` (run it on a broker
node, as the broker's administrator); `sodsong broker definitions --users` writes the same as a definitions
document. Services then connect with `SODSONG_AMQP_URI_<SERVICE>=amqp://sodsong-<service>:<password>@host/vhost`.

Passwords come from `SODSONG_BROKER_PASSWORD_<SERVICE>`, or are generated once into
`<keys_dir>/broker-<service>.password` (mode 0600).
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
import subprocess
from urllib.parse import quote, urlparse, urlunparse

from shared import keys as keys_mod
from shared import topology
from shared.config import SERVICES


def password_for(config: dict, service: str, env=None) -> tuple[str, str]:
    """(password, where it came from)."""
    env = os.environ if env is None else env
    given = env.get(f"SODSONG_BROKER_PASSWORD_{service.upper()}")
    if given:
        return given, f"SODSONG_BROKER_PASSWORD_{service.upper()}"
    name = f"broker-{service}.password"
    # hex: never a leading "-", which rabbitmqctl would take for an option
    secret = keys_mod.private_file(config, name, lambda: secrets.token_hex(24)).decode().strip()
    return secret, str(keys_mod.keys_dir(config) / name)


def rabbit_password_hash(password: str) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password)), 4-byte salt."""
    salt = secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode("utf-8")).digest()).decode()


def _ctl(*args, ok_codes=(0,)):
    result = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)
    if result.returncode not in ok_codes:
        raise RuntimeError(f"rabbitmqctl {args[0]} failed: {result.stderr.strip()[:300]}")
    return result


def apply(config: dict, vhost: str, subscriptions, services=SERVICES, env=None) -> list[dict]:
    """Create or update each service's user and set its permissions on `vhost` (via rabbitmqctl); `subscriptions`:
    every consumer queue (the composition root's list), which says what each service may bind."""
    done = []
    existing = set(_ctl("list_users", "--quiet", "--no-table-headers").stdout.split())
    for service in services:
        user = topology.service_user(service, config)
        password, source = password_for(config, service, env)
        if user in existing:
            _ctl("change_password", user, password)
        else:
            _ctl("add_user", user, password)
        perms = topology.permissions(service, subscriptions)
        _ctl("set_permissions", "-p", vhost, user, perms["configure"], perms["write"], perms["read"])
        _ctl("set_topic_permissions", "-p", vhost, user, topology.EVENTS_EXCHANGE.name,
             perms["topic_write"], perms["topic_read"])
        done.append({"service": service, "user": user, "password_from": source})
    return done


def remove(config: dict, services=SERVICES) -> None:
    for service in services:
        _ctl("delete_user", topology.service_user(service, config), ok_codes=(0, 69, 70))


def definitions(config: dict, vhost: str, subscriptions, services=SERVICES, env=None) -> dict:
    users, perms, topic = [], [], []
    for service in services:
        user = topology.service_user(service, config)
        password, _ = password_for(config, service, env)
        p = topology.permissions(service, subscriptions)
        users.append({"name": user, "password_hash": rabbit_password_hash(password),
                      "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []})
        perms.append({"user": user, "vhost": vhost, "configure": p["configure"], "write": p["write"],
                      "read": p["read"]})
        topic.append({"user": user, "vhost": vhost, "exchange": topology.EVENTS_EXCHANGE.name,
                      "write": p["topic_write"], "read": p["topic_read"]})
    return {"users": users, "permissions": perms, "topic_permissions": topic}


def uri_for(base_uri: str, config: dict, service: str, password: str) -> str:
    parsed = urlparse(base_uri)
    netloc = f"{quote(topology.service_user(service, config), safe='')}:{quote(password, safe='')}@" \
             f"{parsed.hostname}{':' + str(parsed.port) if parsed.port else ''}"
    return urlunparse(parsed._replace(netloc=netloc))
