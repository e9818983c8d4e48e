"""broker.queue_arguments: `arguments` (the default, as earlier releases declared queues) or `policy` (the
delivery limit and the dead-letter exchange come from the sodsong-consumers policy)."""
import re

from shared import config as config_mod
from shared import topology
from sodsong import registry


def _config(mode=None, limit="20"):
    env = {"SODSONG_AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/x", "SODSONG__events__broker_delivery_limit": limit}
    if mode:
        env["SODSONG__broker__queue_arguments"] = mode
    return config_mod.load(env=env)


def test_default_keeps_the_arguments_on_every_queue():
    sub = registry.subscriptions()[0]
    args = topology.consumer_queue(sub, _config()).queue_arguments
    assert args == {"x-queue-type": "quorum", "x-delivery-limit": 20, "x-dead-letter-exchange": "sodsong.dead-letter"}
    assert "policies" not in topology.definitions(_config(), registry.subscriptions())


def test_policy_mode_declares_bare_quorum_queues_and_a_policy_that_matches_exactly_the_consumers():
    config = _config("policy", limit="7")
    for sub in registry.subscriptions():
        assert topology.consumer_queue(sub, config).queue_arguments == {"x-queue-type": "quorum"}
    defs = topology.definitions(config, registry.subscriptions(), "sodsong")
    [policy] = defs["policies"]
    assert policy["definition"] == {"delivery-limit": 7, "dead-letter-exchange": "sodsong.dead-letter"}
    assert policy["vhost"] == "sodsong" and policy["apply-to"] == "queues"
    pattern = re.compile(policy["pattern"])
    for q in defs["queues"]:
        consumer = q["name"] not in (topology.BROKER_DEAD_LETTER_QUEUE, topology.UNROUTABLE_QUEUE)
        assert bool(pattern.search(q["name"])) == consumer, q["name"]
