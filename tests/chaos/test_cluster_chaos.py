"""The cluster run in CI: a three-node RabbitMQ cluster and a PostgreSQL primary with a streaming replica, started
on this machine on their own ports (never the machine's own broker or database). Node 1 is stopped while tips
arrive and brought back: one node of three down, tips flow end to end, nothing is lost or doubled, the replica has
every tip. SODSONG_CLUSTER_CHAOS_TIPS sets the size (default 120 at 2 tips/s: 20 s per phase).

The run that also stops a second node (no majority) is `sodsong cluster-chaos` (deploy/README.md): it is not in CI
because a node restarted while the last one is paused can come back as a partition (Mnesia reported an inconsistent
database in one 120-tip run with 30 s phases) and then needs an operator."""
import os

import pytest

from tests.support.environments import free_port
from tools import cluster_chaos


@pytest.mark.chaos
@pytest.mark.timeout(1200)
def test_nodes_stopped_under_load_lose_and_double_nothing(tmp_path):
    tips = int(os.environ.get("SODSONG_CLUSTER_CHAOS_TIPS", "120"))
    rate = float(os.environ.get("SODSONG_CLUSTER_CHAOS_RATE", "2"))
    report = cluster_chaos.run(
        tips, workdir=tmp_path, rate=rate, name=f"t{os.getpid()}",
        amqp_ports=tuple(free_port() for _ in range(3)), dist_ports=tuple(free_port() for _ in range(3)),
        pg_ports=(free_port(), free_port()), quiesce_timeout=300, nodes_down=1)
    print("\n" + report.table())
    r = report.report
    assert r.accepted == tips, report.table()  # every tipster got a receipt, even with no broker majority
    assert r.lost == 0 and r.duplicate_tips == 0, report.table()
    assert r.duplicate_decisions == 0 and r.duplicate_cases == 0 and r.duplicate_notifications == 0, report.table()
    assert r.audit_intact, r.notes
    phases = report.phases
    assert len(phases) == 4
    assert [p.lost for p in phases] == [0] * 4 and [p.duplicates for p in phases] == [0] * 4
    assert all(p.accepted == p.submitted > 0 for p in phases[:3]), report.table()
    assert phases[1].notified_during > 0, "with one node of three down, tips must still flow end to end"
    assert report.replica_tips == r.accepted and report.replica_audit_intact, report.table()
