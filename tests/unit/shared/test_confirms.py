"""Pipelined confirms report per message exactly what the broker said (acks, multiple acks, nacks, returns), and a
kept connection that died while idle is replaced at once (with the broker: tests/integration/test_relay_confirms.py).
"""
from shared.confirms import Outgoing, PipelinedPublisher


class FakeBroker:
    """Answers a batch with the frames given: ("ack", tag, multiple), ("nack", tag, multiple), ("return", id)."""

    def __init__(self, publisher, frames, fail_first_send=False):
        self.publisher, self.frames, self.fail_first_send = publisher, list(frames), fail_first_send
        self.sent, self.connected = [], True

    # the producer
    def publish(self, body, routing_key, message_id, **_):
        if self.fail_first_send:
            self.fail_first_send = False
            raise ConnectionResetError("dropped while idle")
        self.sent.append(message_id)

    # the connection
    def drain_events(self, timeout):
        kind, *args = self.frames.pop(0)
        if kind == "ack":
            self.publisher._on_ack(*args)
        elif kind == "nack":
            self.publisher._on_nack(*args)
        else:
            self.publisher._on_return(None, "", "", type("M", (), {"properties": {"message_id": args[0]}})())

    def release(self):
        self.connected = False


def _publisher(frames, fail_first_send=False, kept=False):
    publisher = PipelinedPublisher("amqp://guest:guest@127.0.0.1:1/x", {"app_id": "intake"})
    broker = FakeBroker(publisher, frames, fail_first_send)
    connections = []

    def ready():
        if publisher._connection is None:
            vars(publisher).update(_connection=broker, _producer=broker, _next_tag=1)
            connections.append(broker)
        return broker

    vars(publisher)["_ready_producer"] = ready
    if kept:
        ready()
    return publisher, broker, connections


def _batch(n):
    return [Outgoing(f"e{i}", "tip.received", None, "{}") for i in range(1, n + 1)]


def test_a_multiple_ack_confirms_every_tag_up_to_it_and_a_nack_confirms_none():
    publisher, broker, _ = _publisher([("ack", 2, True), ("nack", 3, False), ("ack", 4, False)])
    outcome = publisher.publish_batch(_batch(4))
    assert broker.sent == ["e1", "e2", "e3", "e4"]
    assert outcome.confirmed == {"e1", "e2", "e4"} and outcome.refused == {"e3"} and outcome.error is None


def test_a_returned_message_is_not_confirmed_by_the_ack_that_follows_it():
    publisher, _, _ = _publisher([("return", "e1"), ("ack", 2, True)])
    outcome = publisher.publish_batch(_batch(2))
    assert outcome.confirmed == {"e2"} and outcome.unroutable == {"e1"}


def test_confirms_that_never_come_confirm_nothing_and_drop_the_connection():
    publisher, broker, _ = _publisher([("ack", 1, False)])
    publisher.confirm_timeout = 0.05

    def silent(timeout):
        if broker.frames:
            FakeBroker.drain_events(broker, timeout)
        else:
            raise TimeoutError

    broker.drain_events = silent
    outcome = publisher.publish_batch(_batch(3))
    assert outcome.confirmed == {"e1"} and isinstance(outcome.error, TimeoutError)
    assert publisher._connection is None and not broker.connected


def test_a_kept_connection_dead_on_first_send_is_replaced_and_the_batch_sent_once_more():
    publisher, broker, connections = _publisher([("ack", 2, True)], fail_first_send=True, kept=True)
    outcome = publisher.publish_batch(_batch(2))
    assert outcome.error is None and outcome.confirmed == {"e1", "e2"}
    assert len(connections) == 2  # the kept one, then a fresh one


def test_a_fresh_connection_that_fails_is_reported_not_retried():
    publisher, _, connections = _publisher([], fail_first_send=True)
    outcome = publisher.publish_batch(_batch(2))
    assert isinstance(outcome.error, ConnectionResetError) and outcome.confirmed == set()
    assert len(connections) == 1
