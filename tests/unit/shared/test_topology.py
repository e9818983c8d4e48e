import json
from pathlib import Path

from shared import config, topology
from sodsong import registry

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_definitions_match_the_code():
    generated = topology.definitions(config.load(env={}), registry.subscriptions())
    shipped = json.loads((ROOT / "deploy/rabbitmq/definitions.json").read_text())
    assert shipped == json.loads(json.dumps(generated)), "regenerate with: sodsong broker definitions"


def test_every_consumer_queue_is_quorum_with_limit_and_dead_letter_exchange():
    defs = topology.definitions(config.load(env={}), registry.subscriptions())
    consumer_queues = [q for q in defs["queues"] if q["name"] not in (topology.BROKER_DEAD_LETTER_QUEUE,
                                                                      topology.UNROUTABLE_QUEUE)]
    assert len(consumer_queues) >= 7
    for q in consumer_queues:
        assert q["arguments"]["x-queue-type"] == "quorum"
        assert q["arguments"]["x-delivery-limit"] > 0
        assert q["arguments"]["x-dead-letter-exchange"] == topology.DEAD_LETTER_EXCHANGE.name
    events = next(e for e in defs["exchanges"] if e["name"] == topology.EVENTS_EXCHANGE.name)
    assert events["arguments"] == {"alternate-exchange": topology.UNROUTABLE_EXCHANGE.name}
