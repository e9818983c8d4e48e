"""Broker topology: one topic exchange for all events, one durable queue per consuming handler.

Every service declares the whole topology when it starts (declaration is idempotent), so an event published
before its consumer has ever run waits in that consumer's queue instead of being dropped as unroutable.
On RabbitMQ the queues are quorum queues with a delivery limit and a dead-letter exchange: a backstop for a
message that kills its consumer process over and over (ordinary handler failures are retried and
dead-lettered by the service itself, see shared.reliable).
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from kombu import Connection, Exchange, Queue, binding

from shared.config import SERVICES, is_memory_transport

UNROUTABLE_EXCHANGE = Exchange("sodsong.unroutable", type="fanout", durable=True)
UNROUTABLE_QUEUE = "sodsong.unroutable"
# Events no queue is bound for are not dropped: the alternate exchange keeps them for an operator.
EVENTS_EXCHANGE = Exchange("sodsong.events", type="topic", durable=True,
                           arguments={"alternate-exchange": UNROUTABLE_EXCHANGE.name})
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
        bindings=[binding(EVENTS_EXCHANGE, routing_key=t) for t in sub.event_types],
        durable=True,
        queue_arguments=args,
    )


def dead_letter_queue(config: dict) -> Queue:
    args = {} if is_memory_transport(config) else {"x-queue-type": "quorum"}
    return Queue(BROKER_DEAD_LETTER_QUEUE, exchange=DEAD_LETTER_EXCHANGE, durable=True, queue_arguments=args)


def unroutable_queue(config: dict) -> Queue:
    args = {} if is_memory_transport(config) else {"x-queue-type": "quorum"}
    return Queue(UNROUTABLE_QUEUE, exchange=UNROUTABLE_EXCHANGE, durable=True, queue_arguments=args)


def service_class(service: str):
    return importlib.import_module(f"services.{service}.service").Service


def subscriptions(services=SERVICES) -> list[Subscription]:
    """Every event-consuming handler of every service, read from the service classes themselves."""
    from shared.reliable import EventConsumer

    found = []
    for service in services:
        cls = service_class(service)
        for method_name, method in inspect.getmembers(cls, inspect.isfunction):
            for ep in getattr(method, "nameko_entrypoints", ()):
                if isinstance(ep, EventConsumer):
                    found.append(Subscription(service, method_name, tuple(ep.event_types)))
    return found


def declare_all(config: dict, connection: Connection | None = None) -> list[str]:
    """Declare the exchanges and every consumer queue with its bindings. Safe to repeat."""
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
        for sub in subscriptions():
            consumer_queue(sub, config)(channel).declare()
            names.append(sub.queue_name)
        return names
    finally:
        if own:
            connection.release()


def consumer_policy(config: dict) -> dict:
    """The policy that gives every consumer queue its delivery limit and dead-letter exchange (policy mode).
    The dead-letter and unroutable queues are not matched: nothing is dead-lettered out of them."""
    services = "|".join(SERVICES)
    return {"name": CONSUMER_POLICY, "pattern": rf"^sodsong\.({services})\.", "apply-to": "queues", "priority": 0,
            "definition": {"delivery-limit": int(config["events"]["broker_delivery_limit"]),
                           "dead-letter-exchange": DEAD_LETTER_EXCHANGE.name}}


def definitions(config: dict, vhost: str = "sodsong") -> dict:
    """The topology as a RabbitMQ definitions document (for `rabbitmqctl import_definitions` or the
    management plugin's load_definitions), so an operator can create it before any service starts."""
    real = dict(config, amqp_uri="amqp://definitions/")  # quorum arguments, whatever the current transport
    queues, bindings = [], []
    for sub in subscriptions():
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
