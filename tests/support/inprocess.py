"""Services running inside the test process (eventlet-patched), on the memory transport or a real broker."""
from __future__ import annotations

from contextlib import ExitStack, contextmanager

from kombu import Connection
from kombu.transport import memory
from nameko.containers import ServiceContainer
from nameko.testing.services import replace_dependencies

from shared import config as config_mod
from shared import topology
from sodsong import registry
from sodsong.registry import service_db_for
from tests.support.environments import pg_database, rabbit_vhost, seed_sqlite


@contextmanager
def environment(transport: str, tmp_path, overrides: dict | None = None):
    """A loaded config for `memory` (SQLite files) or `rabbitmq` (fresh vhost + PostgreSQL database), every
    service's tables in place (copies of migrated ones: tests/support/environments.py)."""
    with ExitStack() as stack:
        env = {"SODSONG_DATA_DIR": str(tmp_path)}
        if transport == "rabbitmq":
            env["SODSONG_AMQP_URI"], _ = stack.enter_context(rabbit_vhost())
            env["SODSONG_DB_URL"] = stack.enter_context(pg_database())
        else:
            env["SODSONG_AMQP_URI"] = "memory://localhost/"
            seed_sqlite(tmp_path)
            _reset_memory_broker()
            stack.callback(_reset_memory_broker)
        cfg = config_mod.load(env=env)
        for section, values in (overrides or {}).items():
            cfg[section].update(values)
        yield cfg


def _reset_memory_broker():
    memory.Channel.queues.clear()
    memory.Channel.events.clear()


@contextmanager
def running(cfg: dict, service: str, **replacements):
    registry.migrate(service, cfg[service]["db_url"])
    container = ServiceContainer(registry.entry(service).service_class(), registry.nameko_config(cfg, service))
    if replacements:
        replace_dependencies(container, **replacements)
    container.start()
    try:
        yield container
    finally:
        container.stop()


def publish(cfg: dict, wire_event: dict) -> None:
    """Publish as the services' relays do on RabbitMQ: with a publisher confirm (without one, a publish the broker
    refuses, e.g. to a quorum queue just declared, is lost unseen and the test waits for an event never sent)."""
    real = not str(cfg["amqp_uri"]).startswith("memory://")
    with Connection(cfg["amqp_uri"], transport_options={"confirm_publish": True} if real else {}) as conn:
        producer = conn.Producer(serializer="json")
        producer.publish(wire_event, exchange=topology.EVENTS_EXCHANGE, routing_key=wire_event["type"],
                         declare=[topology.EVENTS_EXCHANGE])


def db(cfg: dict, service: str):
    return service_db_for(service, cfg)
