"""Publishing a batch of events with pipelined publisher confirms: every message of the batch is sent on one
confirm channel, then the broker's confirms are awaited together (one round trip per batch, not per message).

What the broker confirmed is reported per message; nothing else is. A message the broker refused (`basic.nack`),
returned as unroutable (`mandatory`), or whose confirm never came because the connection broke or the wait timed
out is simply not confirmed, and its outbox row stays unpublished (it is sent again later; consumers' inboxes
absorb a repeat). After any failure the connection is dropped and the next batch opens a fresh one, so delivery
tags never straddle two connections.
"""
from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

import amqp.exceptions
from kombu import Connection, Producer
from kombu.exceptions import OperationalError as KombuOperationalError

from shared.topology import EVENTS_EXCHANGE_REF

BROKER_ERRORS = (KombuOperationalError, ConnectionError, OSError, socket.timeout,
                 amqp.exceptions.RecoverableConnectionError, amqp.exceptions.ConnectionError,
                 amqp.exceptions.ChannelError)


@dataclass
class Outgoing:
    """One event to publish: `body` is the wire envelope, as a dict or as its JSON text."""
    message_id: str
    routing_key: str
    correlation_id: str | None
    body: object


@dataclass
class BatchOutcome:
    confirmed: set[str] = field(default_factory=set)   # message ids the broker acked
    unroutable: set[str] = field(default_factory=set)  # returned by the broker: no queue is bound
    refused: set[str] = field(default_factory=set)     # nacked by the broker
    error: BaseException | None = None                 # the broker failure that cut the batch short, if any


class PipelinedPublisher:
    """A persistent connection with one confirm channel, used by one green thread at a time (the relay's job)."""

    def __init__(self, amqp_uri: str, sender: dict, confirm_timeout: float = 15.0, connect_timeout: float = 10.0):
        self.amqp_uri = amqp_uri
        self.sender = dict(sender)
        self.confirm_timeout = confirm_timeout
        self.connect_timeout = connect_timeout
        self._connection: Connection | None = None
        self._producer: Producer | None = None
        self._tags: dict[int, str] = {}   # delivery tag -> message id, for the batch in flight
        self._next_tag = 1
        self._outcome = BatchOutcome()

    # -- the batch ------------------------------------------------------------------------------------------------
    def publish_batch(self, messages: list[Outgoing]) -> BatchOutcome:
        kept = self._connection is not None
        outcome = self._attempt(messages)
        if outcome.error is not None and kept and not (outcome.confirmed or outcome.refused or outcome.unroutable):
            # the kept connection had died while idle (a broker restart): once more, on a fresh connection
            outcome = self._attempt(messages)
        return outcome

    def _attempt(self, messages: list[Outgoing]) -> BatchOutcome:
        self._outcome = outcome = BatchOutcome()
        self._tags = {}
        if not messages:
            return outcome
        try:
            producer = self._ready_producer()
            for message in messages:
                self._send(producer, message)
            self._await_confirms()
        except BROKER_ERRORS as exc:
            outcome.error = exc
            self.close()
        return outcome

    def _send(self, producer: Producer, message: Outgoing) -> None:
        tag = self._next_tag
        self._next_tag += 1  # counted before sending: a publish that fails half-way still used its tag
        self._tags[tag] = message.message_id
        text = isinstance(message.body, str)
        producer.publish(
            message.body, routing_key=message.routing_key, mandatory=True, delivery_mode=2, retry=False,
            message_id=message.message_id, correlation_id=message.correlation_id, headers={},
            **({"content_type": "application/json", "content_encoding": "utf-8"} if text else {"serializer": "json"}),
            **self.sender,
        )

    def _await_confirms(self) -> None:
        deadline = time.monotonic() + self.confirm_timeout
        assert self._connection is not None  # made by _ready_producer for this batch
        while self._tags:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("publisher confirms did not arrive in time")
            self._connection.drain_events(timeout=left)

    # -- what the broker says ---------------------------------------------------------------------------------------
    def _settled(self, delivery_tag: int, multiple: bool) -> list[str]:
        tags = [t for t in self._tags if t <= delivery_tag] if multiple else [delivery_tag]
        return [self._tags.pop(t) for t in tags if t in self._tags]

    def _on_ack(self, delivery_tag, multiple):
        for message_id in self._settled(delivery_tag, multiple):
            if message_id not in self._outcome.unroutable:  # a returned message is acked after its return
                self._outcome.confirmed.add(message_id)

    def _on_nack(self, delivery_tag, multiple):
        self._outcome.refused.update(self._settled(delivery_tag, multiple))

    def _on_return(self, _exc, _exchange, _routing_key, message):
        message_id = (getattr(message, "properties", None) or {}).get("message_id")
        if message_id:
            self._outcome.unroutable.add(message_id)

    # -- the connection ---------------------------------------------------------------------------------------------
    def _ready_producer(self) -> Producer:
        if self._producer is not None and self._connection is not None and self._connection.connected:
            return self._producer
        self.close()
        connection = Connection(self.amqp_uri, connect_timeout=self.connect_timeout)
        try:
            connection.ensure_connection(max_retries=3, interval_start=0.2)  # as the publisher before it: a busy broker
            channel = connection.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            channel.events["basic_return"].add(self._on_return)
        except BaseException:
            _quietly_release(connection)
            raise
        self._connection, self._next_tag = connection, 1
        self._producer = Producer(channel, exchange=EVENTS_EXCHANGE_REF, auto_declare=False)
        return self._producer

    def close(self) -> None:
        connection, self._connection, self._producer = self._connection, None, None
        if connection is not None:
            _quietly_release(connection)


def _quietly_release(connection: Connection) -> None:
    try:
        connection.release()
    except Exception:  # noqa: BLE001 - a broken connection may fail to close; it is dropped either way
        pass
