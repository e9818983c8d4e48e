"""The metrics of event consumers count per queue and per event type (each consumer looks up its labelled
metrics once, not per event): a count or a handler time never lands under another queue's labels."""
from prometheus_client import REGISTRY

from shared.clock import utcnow
from shared.events import new_event
from shared.operator_actions import REDRIVE_REQUESTED
from tests.integration.test_reliable_events import cfg, decisions, tip_received  # noqa: F401 - the fixture
from tests.support.inprocess import publish, running
from tests.support.processes import wait_for

TIPS_QUEUE = "sodsong.routing.on_tip_received"
REDRIVES_QUEUE = "sodsong.routing.on_redrive_requested"


def handled(queue: str, event_type: str) -> float:
    return REGISTRY.get_sample_value("sodsong_events_handled_total",
                                     {"service": "routing", "queue": queue, "event_type": event_type}) or 0.0


def timed(queue: str) -> float:
    return REGISTRY.get_sample_value("sodsong_handler_seconds_count", {"service": "routing", "queue": queue}) or 0.0


def redrive_for_another_service():
    return new_event(REDRIVE_REQUESTED, {"user_id": "u-ops", "office_code": None, "role": "operator",
                                         "service": "notify", "target_id": "1", "outcome": "requested",
                                         "at": utcnow()}, "user:u-ops", actor={"kind": "user", "id": "u-ops"})


def test_each_consumer_counts_its_own_queue_and_event_types(cfg):  # noqa: F811 - the fixture
    before = {q: (handled(q, t), timed(q)) for q, t in ((TIPS_QUEUE, "tip.received"),
                                                         (REDRIVES_QUEUE, REDRIVE_REQUESTED))}
    with running(cfg, "routing"):
        for i in range(3):
            publish(cfg, tip_received(f"SS-MTRC-000{i}").to_wire())
        publish(cfg, redrive_for_another_service().to_wire())  # handled (ignored: addressed to notify)
        wait_for(lambda: decisions(cfg) == 3 and handled(REDRIVES_QUEUE, REDRIVE_REQUESTED)
                 > before[REDRIVES_QUEUE][0], 15, message="events handled")
        wait_for(lambda: handled(TIPS_QUEUE, "tip.received") - before[TIPS_QUEUE][0] == 3, 5,
                 message="tips counted")
    assert handled(TIPS_QUEUE, "tip.received") - before[TIPS_QUEUE][0] == 3
    assert timed(TIPS_QUEUE) - before[TIPS_QUEUE][1] == 3
    assert handled(REDRIVES_QUEUE, REDRIVE_REQUESTED) - before[REDRIVES_QUEUE][0] == 1
    assert timed(REDRIVES_QUEUE) - before[REDRIVES_QUEUE][1] == 1
    # nothing counted under the other queue's labels
    assert handled(TIPS_QUEUE, REDRIVE_REQUESTED) == 0
    assert handled(REDRIVES_QUEUE, "tip.received") == 0
