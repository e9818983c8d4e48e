"""The group commit's pieces without a database: a batch's events applied in the order of their row locks, and
`Together` handing each caller its own result, with a failing item failing alone."""
from __future__ import annotations

import eventlet
import pytest

from shared.clock import utcnow
from shared.events import new_event
from shared.group_commit import Together, by_reference, each_in_turn


def routed(reference: str, note: str):
    return new_event("tip.received", {
        "reference": reference, "tipster_id": note, "channel": "web", "language": "th", "category": "bribery",
        "description": "เรียกรับเงิน", "event_date": None, "amount_thb": None, "location": {"province_code": "23"},
        "accused": {"official_type": "state_official"}, "submitted_at": utcnow(), "volunteer_id": None,
    }, correlation_id=reference)


def test_a_batch_is_applied_in_the_order_of_its_references_keeping_the_order_within_one():
    applied = []
    batch = [routed("SS-C", "1"), routed("SS-A", "2"), routed("SS-C", "3"), routed("SS-B", "4"), routed("SS-A", "5")]
    each_in_turn(lambda uow, ev: applied.append((ev.payload["reference"], ev.payload["tipster_id"])),
                 by_reference)("uow", batch)
    assert applied == [("SS-A", "2"), ("SS-A", "5"), ("SS-B", "4"), ("SS-C", "1"), ("SS-C", "3")]


def test_without_an_order_a_batch_is_applied_as_it_came():
    applied = []
    batch = [routed("SS-C", "1"), routed("SS-A", "2")]
    each_in_turn(lambda uow, ev: applied.append(ev.payload["tipster_id"]))("uow", batch)
    assert applied == ["1", "2"]


def test_together_gives_each_caller_its_result_and_a_failing_item_fails_alone():
    together, batches, alone = Together(), [], []

    def many(items):
        eventlet.sleep(0.001)  # the others arrive meanwhile
        batches.append(list(items))
        if "bad" in items:
            raise ValueError("a bad item in the batch")
        return [item.upper() for item in items]

    def one(item):
        alone.append(item)
        if item == "bad":
            raise ValueError("bad alone")
        return item.upper()

    results, errors = {}, {}

    def call(item):
        try:
            results[item] = together.run(item, many, one)
        except ValueError as exc:
            errors[item] = str(exc)

    pool = eventlet.GreenPool(10)
    for item in ["a", "b", "c", "bad", "d", "e"]:
        pool.spawn(call, item)
    pool.waitall()
    assert results == {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}
    assert errors == {"bad": "bad alone"}
    assert batches[0] == ["a"] and batches[1] == ["b", "c", "bad", "d", "e"]  # the rest waited for the first
    assert alone == ["b", "c", "bad", "d", "e"]  # the failed batch, again one by one


def test_a_lone_failure_is_raised_to_its_caller_without_trying_it_again():
    def many(items):
        raise ValueError("no")

    def one(item):
        pytest.fail("a batch of one is not tried again alone")

    with pytest.raises(ValueError):
        Together().run("x", many, one)
