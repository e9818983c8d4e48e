"""Broker topology: one topic exchange for all events, one durable queue per consuming handler, and a broker user
per service whose rights cover only its own queues and the event types it produces and consumes.

Every service declares the whole topology when it starts (declaration is idempotent), so an event published
before its consumer has ever run waits in that consumer's queue instead of being dropped as unroutable.
On RabbitMQ the queues are quorum queues with a delivery limit and a dead-letter exchange: a backstop for a
message that kills its consumer process over and over (ordinary handler failures are retried and
dead-lettered by the service itself, see shared.reliable).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from amqp.exceptions import AccessRefused, NotFound
from kombu import Connection, Exchange, Queue, binding

from shared.config import SERVICES, is_memory_transport
from shared.events import CATALOGUE

UNROUTABLE_EXCHANGE = Exchange("sodsong.unroutable", type="fanout", durable=True)
UNROUTABLE_QUEUE = "sodsong.unroutable"
# Events no queue is bound for are not dropped: the alternate exchange keeps them for an operator.
EVENTS_EXCHANGE = Exchange("sodsong.events", type="topic", durable=True,
                           arguments={"alternate-exchange": UNROUTABLE_EXCHANGE.name})
# The same exchange as named in bindings and by publishers: never (re)declared there, because a service's own broker
# user may not configure it (declaring an exchange needs configure rights, even when it already exists).
EVENTS_EXCHANGE_REF = Exchange(EVENTS_EXCHANGE.name, type="topic", durable=True, no_declare=True)
DEAD_LETTER_EXCHANGE = Exchange("sodsong.dead-letter", type="fanout", durable=True)
BROKER_DEAD_LETTER_QUEUE = "sodsong.dead-letter"


@dataclass(frozen=True)
class Subscription:
    service: str
    method: str
    event_types: tuple[str, ...]

    @property
    def queue_name(self) -> str:
        return queue_name(self.service, self.method)


def queue_name(service: str, method: str) -> str:
    return f"sodsong.{service}.{method}"


CONSUMER_POLICY = "sodsong-consumers"


def policy_mode(config: dict) -> bool:
    """`broker.queue_arguments: policy`: the delivery limit and the dead-letter exchange come from a RabbitMQ
    policy (operator policies can change them later without redeclaring queues), not from queue arguments.
    The default, `arguments`, keeps them on the queues as earlier releases declared them (a declared queue's
    arguments cannot change: switching an existing vhost means deleting and redeclaring its empty queues)."""
    return str((config.get("broker") or {}).get("queue_arguments", "arguments")) == "policy"


def consumer_queue(sub: Subscription, config: dict) -> Queue:
    args = {}
    if not is_memory_transport(config):
        args = {"x-queue-type": "quorum"}
        if not policy_mode(config):
            args.update({
                "x-delivery-limit": int(config["events"]["broker_delivery_limit"]),
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE.name,
            })
    return Queue(
        sub.queue_name,
        bindings=[binding(EVENTS_EXCHANGE_REF, routing_key=t) for t in sub.event_types],
        durable=True,
        queue_arguments=args,
    )


def dead_letter_queue(config: dict) -> Queue:
    args = {} if is_memory_transport(config) else {"x-queue-type": "quorum"}
    return Queue(BROKER_DEAD_LETTER_QUEUE, exchange=DEAD_LETTER_EXCHANGE, durable=True, queue_arguments=args)


def unroutable_queue(config: dict) -> Queue:
    args = {} if is_memory_transport(config) else {"x-queue-type": "quorum"}
    return Queue(UNROUTABLE_QUEUE, exchange=UNROUTABLE_EXCHANGE, durable=True, queue_arguments=args)


# `subscriptions` below: every consuming handler of the services concerned, as the composition root lists them
# (sodsong.registry); a running service reads its own from its class (shared.reliable.subscriptions_of).


def declare_all(config: dict, subscriptions, connection: Connection | None = None) -> list[str]:
    """Declare the exchanges and the consumer queues of `subscriptions` with their bindings. Safe to repeat."""
    own = connection is None
    connection = connection or Connection(config["amqp_uri"])
    try:
        channel = connection.default_channel
        UNROUTABLE_EXCHANGE(channel).declare()
        EVENTS_EXCHANGE(channel).declare()
        DEAD_LETTER_EXCHANGE(channel).declare()
        dead_letter_queue(config)(channel).declare()
        unroutable_queue(config)(channel).declare()
        names = []
        for sub in subscriptions:
            consumer_queue(sub, config)(channel).declare()
            names.append(sub.queue_name)
        return names
    finally:
        if own:
            connection.release()


def declare_for_service(config: dict, service: str, subscriptions) -> list[str]:
    """At a service's start: the whole topology (`subscriptions`) when its broker user may (shared credentials,
    embedded mode), so that events published before their consumer ever ran wait for it; otherwise (a user of its
    own, see `sodsong broker setup --users`) only its own queues, checking that the exchanges exist."""
    uri = (config.get(service) or {}).get("amqp_uri") or config["amqp_uri"]
    with Connection(uri) as connection:
        try:
            return declare_all(config, subscriptions, connection)
        except AccessRefused:
            pass
    with Connection(uri) as connection:
        channel = connection.channel()
        try:
            for exchange in (EVENTS_EXCHANGE, DEAD_LETTER_EXCHANGE):
                channel.exchange_declare(exchange.name, exchange.type, durable=True, passive=True)
        except NotFound:
            raise RuntimeError(f"exchange missing on the broker: run `sodsong broker setup` as the broker's "
                               f"administrator before starting {service}") from None
        names = []
        for sub in (s for s in subscriptions if s.service == service):
            consumer_queue(sub, config)(channel).declare()
            names.append(sub.queue_name)
        return names


# -- who may do what on the broker ----------------------------------------------------------------------------

def service_user(service: str, config: dict | None = None) -> str:
    prefix = ((config or {}).get("broker") or {}).get("user_prefix") or "sodsong-"
    return f"{prefix}{service}"


def service_of_user(username: str | None, config: dict | None = None) -> str | None:
    if not username:
        return None
    for service in SERVICES:
        if username == service_user(service, config):
            return service
    return None


def produced_types(service: str) -> list[str]:
    return sorted(name for name, spec in CATALOGUE.items() if spec.producer == service)


def consumed_keys(service: str, subscriptions) -> list[str]:
    return sorted({t for sub in subscriptions if sub.service == service for t in sub.event_types})


def _alternatives(items) -> str:
    return "^(" + "|".join(re.escape(i) for i in items) + ")$" if items else "^$"


def permissions(service: str, subscriptions) -> dict:
    """RabbitMQ permissions of a service's own user: configure its own queues; write (publish, bind) to the
    events exchange, its own queues and the dead-letter exchange its queues name; read (consume, bind from) its
    own queues and the events exchange. Topic permissions on the events exchange narrow publishing to the event
    types it produces and binding to the types it consumes."""
    own = r"sodsong\." + re.escape(service) + r"\..*"
    events = re.escape(EVENTS_EXCHANGE.name)
    dlx = re.escape(DEAD_LETTER_EXCHANGE.name)
    consumed = consumed_keys(service, subscriptions)
    return {
        "configure": f"^{own}$",
        "write": f"^({events}|{dlx}|{own})$",
        "read": f"^({events}|{own})$",
        "topic_write": _alternatives(produced_types(service)),
        "topic_read": ".*" if "#" in consumed else _alternatives(consumed),
    }


def consumer_policy(config: dict) -> dict:
    """The policy that gives every consumer queue its delivery limit and dead-letter exchange (policy mode).
    The dead-letter and unroutable queues are not matched: nothing is dead-lettered out of them."""
    services = "|".join(SERVICES)
    return {"name": CONSUMER_POLICY, "pattern": rf"^sodsong\.({services})\.", "apply-to": "queues", "priority": 0,
            "definition": {"delivery-limit": int(config["events"]["broker_delivery_limit"]),
                           "dead-letter-exchange": DEAD_LETTER_EXCHANGE.name}}


def definitions(config: dict, subscriptions, vhost: str = "sodsong") -> dict:
    """The topology as a RabbitMQ definitions document (for `rabbitmqctl import_definitions` or the
    management plugin's load_definitions), so an operator can create it before any service starts."""
    real = dict(config, amqp_uri="amqp://definitions/")  # quorum arguments, whatever the current transport
    queues, bindings = [], []
    for sub in subscriptions:
        q = consumer_queue(sub, real)
        queues.append({"name": q.name, "vhost": vhost, "durable": True, "auto_delete": False,
                       "arguments": dict(q.queue_arguments)})
        for b in q.bindings:
            bindings.append({"source": EVENTS_EXCHANGE.name, "vhost": vhost, "destination": q.name,
                             "destination_type": "queue", "routing_key": b.routing_key, "arguments": {}})
    for q, exchange in ((dead_letter_queue(real), DEAD_LETTER_EXCHANGE), (unroutable_queue(real), UNROUTABLE_EXCHANGE)):
        queues.append({"name": q.name, "vhost": vhost, "durable": True, "auto_delete": False,
                       "arguments": dict(q.queue_arguments)})
        bindings.append({"source": exchange.name, "vhost": vhost, "destination": q.name,
                         "destination_type": "queue", "routing_key": "", "arguments": {}})
    exchanges = [
        {"name": e.name, "vhost": vhost, "type": e.type, "durable": True, "auto_delete": False, "internal": False,
         "arguments": dict(e.arguments or {})}
        for e in (EVENTS_EXCHANGE, DEAD_LETTER_EXCHANGE, UNROUTABLE_EXCHANGE)
    ]
    out = {"vhosts": [{"name": vhost}], "exchanges": exchanges, "queues": sorted(queues, key=lambda q: q["name"]),
           "bindings": sorted(bindings, key=lambda b: (b["destination"], b["routing_key"]))}
    if policy_mode(config):
        out["policies"] = [dict(consumer_policy(config), vhost=vhost)]
    return out
