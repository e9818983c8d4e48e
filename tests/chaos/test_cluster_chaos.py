"""The cluster run in CI: a three-node RabbitMQ cluster and a PostgreSQL primary with a streaming replica, started
on this machine on their own ports (never the machine's own broker or database). While tips arrive, node 1 is
stopped, then node 2 while node 1 is still down (no majority: node 3 pauses itself), then node 2 and node 1 come
back. With one node down tips flow end to end; with two down intake keeps accepting them and they wait in its
outbox until a majority is back; nothing is lost or doubled and the replica has every tip.
SODSONG_CLUSTER_CHAOS_TIPS sets the size (default 100 at 2 tips/s: 20 tips per phase); the large run is
`sodsong cluster-chaos` (deploy/README.md)."""
import os

import pytest

from tests.support.environments import free_port
from tools import cluster_chaos


@pytest.mark.chaos
@pytest.mark.timeout(1200)
def test_nodes_stopped_under_load_lose_and_double_nothing(tmp_path):
    tips = int(os.environ.get("SODSONG_CLUSTER_CHAOS_TIPS", "100"))
    rate = float(os.environ.get("SODSONG_CLUSTER_CHAOS_RATE", "2"))
    report = cluster_chaos.run(
        tips, workdir=tmp_path, rate=rate, name=f"t{os.getpid()}",
        amqp_ports=tuple(free_port() for _ in range(3)), dist_ports=tuple(free_port() for _ in range(3)),
        pg_ports=(free_port(), free_port()), quiesce_timeout=300, nodes_down=2)
    print("\n" + report.table())
    r = report.report
    assert r.accepted == tips, report.table()  # every tipster got a receipt, even with no broker majority
    assert r.lost == 0 and r.duplicate_tips == 0, report.table()
    assert r.duplicate_decisions == 0 and r.duplicate_cases == 0 and r.duplicate_notifications == 0, report.table()
    assert r.dead_letters == 0, report.table()
    assert r.audit_intact, r.notes
    phases = report.phases
    assert len(phases) == 6, report.table()
    assert [p.lost for p in phases] == [0] * 6 and [p.duplicates for p in phases] == [0] * 6, report.table()
    assert all(p.accepted == p.submitted > 0 for p in phases[:5]), report.table()
    assert phases[1].notified_during > 0, "with one node of three down, tips must still flow end to end"
    # with two of three down nothing moves: the tips accepted after node 3 paused wait in intake's outbox ...
    assert phases[2].outbox_at_end > 0, report.table()
    # ... and are delivered once node 2 is back (a majority)
    assert phases[3].notified_during > 0 and phases[-1].outbox_at_end == 0, report.table()
    assert report.replica_tips == r.accepted and report.replica_audit_intact, report.table()
