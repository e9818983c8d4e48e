"""When the outbox relay runs a next pass: at once while batches come back full, after `burst_linger` when events
were committed while a pass ran (a burst), and not at all when nothing was (a lone event went out at once)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.audit.models import TABLES
from shared import outbox
from shared.outbox import BrokerUnavailable, OutboxRelay


class Script:
    """A relay whose passes are scripted: each publishes the given count and may see a commit meanwhile."""

    def __init__(self, monkeypatch, passes, linger=0.005, batch=10):
        self.relay = OutboxRelay(SimpleNamespace(tables=TABLES), "memory://localhost/", batch=batch,
                                 burst_linger=linger)
        self.passes, self.log = list(passes), []
        monkeypatch.setattr(self.relay, "publish_pending", self._pass)
        monkeypatch.setattr(outbox.time, "sleep", lambda seconds: self.log.append(("linger", seconds)))

    def _pass(self):
        published, committed_meanwhile = self.passes.pop(0)
        self.log.append(("pass", published))
        if committed_meanwhile:
            self.relay.wakeup.set()
        if published is BrokerUnavailable:
            raise BrokerUnavailable("gone")
        return published


def test_a_lone_event_is_one_pass_and_no_wait(monkeypatch):
    script = Script(monkeypatch, [(1, False)])
    script.relay.publish_all()
    assert script.log == [("pass", 1)]


def test_events_committed_during_a_pass_go_out_together_after_the_linger(monkeypatch):
    script = Script(monkeypatch, [(1, True), (4, True), (3, False)])
    script.relay.publish_all()
    assert script.log == [("pass", 1), ("linger", 0.005), ("pass", 4), ("linger", 0.005), ("pass", 3)]
    assert not script.relay.wakeup.is_set()  # the last pass took what the wakes were for


def test_a_wake_from_before_a_pass_is_spent_by_it(monkeypatch):
    script = Script(monkeypatch, [(2, False)])
    script.relay.wakeup.set()  # the commit that started this run
    script.relay.publish_all()
    assert script.log == [("pass", 2)] and not script.relay.wakeup.is_set()


def test_full_batches_follow_each_other_without_waiting(monkeypatch):
    script = Script(monkeypatch, [(10, True), (10, False), (2, False)])
    script.relay.publish_all()
    assert script.log == [("pass", 10), ("pass", 10), ("pass", 2)]


def test_without_a_linger_a_wake_during_the_pass_is_left_to_the_job_loop(monkeypatch):
    script = Script(monkeypatch, [(1, True)], linger=0)
    script.relay.publish_all()
    assert script.log == [("pass", 1)] and script.relay.wakeup.is_set()  # the loop runs again at once


@pytest.mark.parametrize("linger", [0, 0.005])
def test_a_broker_failure_ends_the_run(monkeypatch, linger):
    script = Script(monkeypatch, [(1, True), (BrokerUnavailable, False)], linger=linger)
    script.relay.publish_all()
    assert script.log == ([("pass", 1), ("linger", linger), ("pass", BrokerUnavailable)] if linger else [("pass", 1)])
