"""What the broker says about Sodsong's queues: from the management API when it is there, else from passive
declares (message and consumer counts only)."""
from __future__ import annotations

from urllib.parse import quote, unquote, urlparse

from kombu import Connection

from shared import topology


def management_url(config: dict) -> str:
    explicit = (config.get("broker") or {}).get("management_url")
    if explicit:
        return explicit.rstrip("/")
    parsed = urlparse(config["amqp_uri"])
    return f"http://{parsed.hostname or '127.0.0.1'}:15672"


def _vhost(config) -> str:
    path = urlparse(config["amqp_uri"]).path
    return unquote(path[1:]) if path and path != "/" else "/"


def queue_names(subscriptions) -> list[str]:
    return [s.queue_name for s in subscriptions] + [topology.BROKER_DEAD_LETTER_QUEUE,
                                                                 topology.UNROUTABLE_QUEUE]


def from_management(config: dict, subscriptions) -> list[dict] | None:
    parsed = urlparse(config["amqp_uri"])
    auth = (unquote(parsed.username or "guest"), unquote(parsed.password or "guest"))
    import requests  # only here: a service process that never asks the management API does not load it

    vhost = quote(_vhost(config), safe="")
    try:
        response = requests.get(f"{management_url(config)}/api/queues/{vhost}", auth=auth, timeout=2,
                                params={"columns": "name,messages_ready,messages_unacknowledged,consumers,"
                                                   "message_stats.publish_details.rate,"
                                                   "message_stats.deliver_get_details.rate"})
        response.raise_for_status()
    except requests.RequestException:
        return None
    wanted = set(queue_names(subscriptions))
    rows = []
    for q in response.json():
        if q["name"] not in wanted:
            continue
        stats = q.get("message_stats") or {}
        rows.append({
            "queue": q["name"], "ready": q.get("messages_ready", 0), "unacked": q.get("messages_unacknowledged", 0),
            "consumers": q.get("consumers", 0),
            "publish_rate": (stats.get("publish_details") or {}).get("rate"),
            "deliver_rate": (stats.get("deliver_get_details") or {}).get("rate"),
            "source": "management",
        })
    return rows


def from_passive_declare(config: dict, subscriptions) -> list[dict]:
    rows = []
    with Connection(config["amqp_uri"], connect_timeout=5) as conn:
        for name in queue_names(subscriptions):
            channel = conn.channel()
            try:
                _, messages, consumers = channel.queue_declare(queue=name, passive=True)
                rows.append({"queue": name, "ready": messages, "unacked": None, "consumers": consumers,
                             "publish_rate": None, "deliver_rate": None, "source": "declare"})
            except Exception:  # not declared yet
                rows.append({"queue": name, "ready": None, "unacked": None, "consumers": 0, "publish_rate": None,
                             "deliver_rate": None, "source": "missing"})
            finally:
                try:
                    channel.close()
                except Exception:
                    pass
    return rows


def snapshot(config: dict, subscriptions) -> list[dict]:
    """Every queue of `subscriptions` (the composition root's list), plus the dead-letter and unroutable queues."""
    return from_management(config, subscriptions) or from_passive_declare(config, subscriptions)


def flag(rows: list[dict], earlier: list[dict] | None = None) -> list[dict]:
    """Mark queues that hold messages nobody consumes, and queues whose backlog grew since `earlier`."""
    before = {r["queue"]: r for r in earlier or []}
    for row in rows:
        flags = []
        if row["source"] == "missing":
            flags.append("missing")
        holding = row["queue"] in (topology.BROKER_DEAD_LETTER_QUEUE, topology.UNROUTABLE_QUEUE)
        if row["consumers"] == 0 and not holding:
            flags.append("no-consumers")
        if row["queue"] == topology.BROKER_DEAD_LETTER_QUEUE and (row["ready"] or 0) > 0:
            flags.append("dead-letters")
        if row["queue"] == topology.UNROUTABLE_QUEUE and (row["ready"] or 0) > 0:
            flags.append("unroutable")
        prior = before.get(row["queue"])
        if prior and (row["ready"] or 0) > (prior["ready"] or 0):
            flags.append("growing")
        row["flags"] = flags
    return rows
