"""The cluster run in CI: a three-node RabbitMQ cluster and a PostgreSQL primary with a streaming replica, started
on this machine on their own ports (never the machine's own broker or database); RabbitMQ nodes are stopped while
tips arrive. SODSONG_CLUSTER_CHAOS_TIPS sets the size (default 120 at 4 tips/s: a few minutes, mostly node starts).

What it claims (deploy/README.md): one node of three down, tips flow end to end; two of three down, no majority,
nothing flows between services but intake still accepts tips into its outbox; a majority back, everything drains.
In every phase every accepted tip is routed, opened and notified exactly once, and the replica has them all."""
import os

import pytest

from shared import cluster_chaos
from tests.support.environments import free_port


@pytest.mark.chaos
@pytest.mark.timeout(1800)
def test_nodes_stopped_under_load_lose_and_double_nothing(tmp_path):
    tips = int(os.environ.get("SODSONG_CLUSTER_CHAOS_TIPS", "120"))
    rate = float(os.environ.get("SODSONG_CLUSTER_CHAOS_RATE", "4"))
    report = cluster_chaos.run(
        tips, workdir=tmp_path, rate=rate, name=f"t{os.getpid()}",
        amqp_ports=tuple(free_port() for _ in range(3)), dist_ports=tuple(free_port() for _ in range(3)),
        pg_ports=(free_port(), free_port()))
    print("\n" + report.table())
    r = report.report
    assert r.accepted == tips, report.table()  # every tipster got a receipt, even with no broker majority
    assert r.lost == 0 and r.duplicate_tips == 0, report.table()
    assert r.duplicate_decisions == 0 and r.duplicate_cases == 0 and r.duplicate_notifications == 0, report.table()
    assert r.audit_intact, r.notes
    phases = report.phases
    assert len(phases) == 5
    assert [p.lost for p in phases] == [0] * 5 and [p.duplicates for p in phases] == [0] * 5
    assert all(p.accepted == p.submitted > 0 for p in phases[:4]), report.table()
    assert phases[1].notified_during > 0, "with one node of three down, tips must still flow end to end"
    assert report.replica_tips == r.accepted and report.replica_audit_intact, report.table()
