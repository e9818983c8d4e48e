"""The topology on a real broker: declared before any consumer runs, unroutable events kept, idempotent."""
from kombu import Connection

from shared import topology
from sodsong import registry
from tests.support.inprocess import environment


def _count(conn, name):
    channel = conn.channel()
    try:
        _, messages, consumers = channel.queue_declare(name, passive=True)
        return messages, consumers
    finally:
        channel.close()


def test_events_wait_for_consumers_that_never_ran_and_unroutable_ones_are_kept(tmp_path):
    with environment("rabbitmq", tmp_path) as cfg:
        topology.declare_all(cfg, registry.subscriptions())
        # a second service starting declares the same things: no error
        topology.declare_all(cfg, registry.subscriptions())
        with Connection(cfg["amqp_uri"], transport_options={"confirm_publish": True}) as conn:
            producer = conn.Producer(serializer="json")
            producer.publish({"x": 1}, exchange=topology.EVENTS_EXCHANGE, routing_key="tip.received",
                             mandatory=True)
            assert _count(conn, "sodsong.routing.on_tip_received") == (1, 0)
            assert _count(conn, "sodsong.audit.record") == (1, 0)  # audit hears everything ("#")

            # Without the catch-all audit binding, a type nobody listens to lands in the unroutable queue.
            conn.channel().queue_delete("sodsong.audit.record")
            producer.publish({"x": 2}, exchange=topology.EVENTS_EXCHANGE, routing_key="nobody.listens",
                             mandatory=True)
            assert _count(conn, topology.UNROUTABLE_QUEUE) == (1, 0)
