"""shared.jobs: a cluster job runs on one instance at a time, passes on when its holder stops renewing, and a
failing run is logged and tried again at the next tick; an instance job runs everywhere."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import MetaData

from shared import jobs, leases
from shared.db import ServiceDatabase, engine_for
from shared.messaging_tables import messaging_tables

START = datetime(2026, 1, 5, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def service_db(tmp_path):
    metadata = MetaData()
    tables = messaging_tables(metadata, "jobtest")
    engine = engine_for(f"sqlite:///{tmp_path / 'jobtest.db'}")
    metadata.create_all(engine)
    return ServiceDatabase(engine, tables)


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


def _instances(service_db, clock, runs, every=60.0, lease_seconds=None):
    def job(holder):
        return jobs.Job("sweep", every, lambda: runs.append(holder), service_db=service_db,
                        lease_seconds=lease_seconds, holder=holder, clock=clock)
    return job("instance-a"), job("instance-b")


def test_of_two_instances_one_runs_the_job_and_keeps_running_it(service_db):
    clock, runs = Clock(), []
    a, b = _instances(service_db, clock, runs)
    assert b.tick() is None and a.tick() is jobs.NOT_HELD     # b took the lease first; a stands aside
    for _ in range(5):
        clock.now += timedelta(seconds=60)
        a.tick()
        b.tick()
    assert runs == ["instance-b"] * 6
    assert leases.holder_of(service_db, "sweep")[0] == "instance-b"


def test_racing_instances_only_one_wins(service_db):
    clock, runs = Clock(), []
    instances = [jobs.Job("race", 60, lambda h=h: runs.append(h), service_db=service_db, holder=h, clock=clock)
                 for h in ("a", "b", "c", "d")]
    barrier = threading.Barrier(len(instances))

    def go(job):
        barrier.wait()
        job.tick()

    threads = [threading.Thread(target=go, args=(job,)) for job in instances]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(runs) == 1


def test_when_the_holder_stops_renewing_another_instance_takes_over_once_the_lease_expires(service_db):
    clock, runs = Clock(), []
    a, b = _instances(service_db, clock, runs, every=60, lease_seconds=180)
    a.tick()
    clock.now += timedelta(seconds=60)
    a.tick()                                     # renewed: now held until START + 60 + 180
    clock.now += timedelta(seconds=179)          # a died; its lease is still valid
    assert b.tick() is jobs.NOT_HELD
    clock.now += timedelta(seconds=2)
    b.tick()
    assert runs == ["instance-a", "instance-a", "instance-b"]
    assert a.tick() is jobs.NOT_HELD             # a came back: b holds it now


def test_the_default_lease_outlives_two_intervals():
    assert jobs.default_lease_seconds(60) > 2 * 60


def test_a_failing_run_is_logged_and_tried_again_at_the_next_tick(service_db, monkeypatch):
    warnings = []
    monkeypatch.setattr(jobs.log, "warning", lambda event, **kw: warnings.append((event, kw)))
    attempts = []
    done = threading.Event()

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("holds content: must not be logged")
        done.set()

    loop = jobs.JobLoop(jobs.Job("flaky", 0.05, flaky, service_db=service_db), first_after=0)
    thread = threading.Thread(target=loop.run_forever)
    thread.start()
    try:
        assert done.wait(10)
    finally:
        loop.stop()
        thread.join(10)
    assert warnings[0] == ("job.failed", {"job": "flaky", "error": "RuntimeError"})
    assert len(attempts) >= 2


def test_an_instance_job_runs_on_every_instance_and_can_be_woken(service_db):
    runs = []
    woken = threading.Event()

    def run(holder):
        runs.append(holder)
        if len(runs) >= 3:
            woken.set()

    loops = [jobs.JobLoop(jobs.Job("beat", 3600, lambda h=h: run(h), holder=h), first_after=0) for h in "ab"]
    threads = [threading.Thread(target=loop.run_forever) for loop in loops]
    for t in threads:
        t.start()
    try:
        while len(runs) < 2:
            threading.Event().wait(0.01)
        loops[0].wake()                          # an hour early
        assert woken.wait(10)
    finally:
        for loop in loops:
            loop.stop()
        for t in threads:
            t.join(10)
    assert sorted(runs) == ["a", "a", "b"]


def test_an_interval_of_zero_turns_the_job_off():
    runs = []
    jobs.JobLoop(jobs.Job("off", 0, lambda: runs.append(1)), first_after=0).run_forever()
    assert runs == []


def test_intervals_come_from_numbers_settings_or_functions_of_the_configuration():
    """(a setting missing from a configuration made by hand falls back to its declared default)"""
    config = {"casework": {"sweep_seconds": 30}, "retention": {}}
    assert jobs.setting(config, 5) == 5.0
    assert jobs.setting(config, "casework.sweep_seconds") == 30.0
    assert jobs.setting(config, "retention.every_seconds") == 3600.0   # the declared default
    assert jobs.setting(config, "no.such_setting") == 0.0
    assert jobs.setting(config, lambda c: c["casework"]["sweep_seconds"] * 2) == 60.0


class FakeContainer:
    """What ClusterJob uses of a nameko container: config, the Database dependency, threads and workers."""

    def __init__(self, name, service_db, calls, fail_first=False):
        self.service_name = "jobtest"
        self.config = {"SODSONG": {"jobtest": {"every": 0.02}}}
        self.dependencies = [type("Db", (), {"service_db": service_db})()]
        self.name, self.calls, self.fail_first = name, calls, fail_first
        self.threads = []

    def spawn_managed_thread(self, fn, identifier=None):
        thread = threading.Thread(target=fn, name=identifier)
        thread.start()
        self.threads.append(thread)

    def spawn_worker(self, entrypoint, args, kwargs, handle_result):
        self.calls.append(self.name)
        failed = self.fail_first and self.calls.count(self.name) == 1
        exc_info = (RuntimeError, RuntimeError("boom"), None) if failed else None
        handle_result(None, None, exc_info)


def _entrypoint(container):
    job = jobs.ClusterJob("jobtest.sweep", every="jobtest.every")
    job.container = container
    job.setup()
    return job


def _wait_until(condition, seconds=10):
    deadline = threading.Event()
    for _ in range(int(seconds / 0.01)):
        if condition():
            return True
        deadline.wait(0.01)
    return False


def test_the_entrypoint_runs_the_method_on_one_container_and_hands_over_when_it_stops(service_db):
    calls = []
    first, second = FakeContainer("first", service_db, calls), FakeContainer("second", service_db, calls)
    a, b = _entrypoint(first), _entrypoint(second)
    a.start()
    assert _wait_until(lambda: calls.count("first") >= 3)
    b.start()
    seen = len(calls)
    assert _wait_until(lambda: len(calls) >= seen + 5)
    assert "second" not in calls                      # the first holds the lease and keeps renewing it
    a.stop()                                          # a graceful stop lets the lease go at once
    assert _wait_until(lambda: "second" in calls)     # long before the default lease (2 x 0.02 s + 60 s) expires
    b.stop()
    for t in first.threads + second.threads:
        t.join(10)


def test_a_failing_worker_is_logged_and_the_method_runs_again_at_the_next_tick(service_db, monkeypatch):
    warnings = []
    monkeypatch.setattr(jobs.log, "warning", lambda event, **kw: warnings.append((event, kw)))
    calls = []
    container = FakeContainer("only", service_db, calls, fail_first=True)
    job = _entrypoint(container)
    job.start()
    try:
        assert _wait_until(lambda: len(calls) >= 2)
    finally:
        job.stop()
        for t in container.threads:
            t.join(10)
    assert warnings[0] == ("job.failed", {"job": "jobtest.sweep", "error": "RuntimeError"})
