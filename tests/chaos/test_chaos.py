"""The chaos run in CI: N tips (SODSONG_CHAOS_TIPS, default 500) while processes, the broker and the database
are killed and restarted. Every accepted tip must arrive exactly once."""
import os

import pytest

from tests.support.environments import AMQP_BASE, PG_ADMIN
from tools import chaos


@pytest.mark.chaos
@pytest.mark.timeout(3600)
def test_no_accepted_tip_is_lost_or_doubled(tmp_path):
    tips = int(os.environ.get("SODSONG_CHAOS_TIPS", "500"))
    report = chaos.run(tips, pg_admin_url=PG_ADMIN, amqp_base=AMQP_BASE, workdir=tmp_path)
    print("\n" + report.table())
    assert report.accepted > 0
    assert report.lost == 0, report.table()
    assert report.duplicate_decisions == 0 and report.duplicate_cases == 0, report.table()
    assert report.duplicate_tips == 0, report.table()  # a retry under the same Idempotency-Key files nothing new
    assert report.duplicate_notifications == 0, report.table()  # one delivery record per tip
    assert report.resent_after_crash == 0, report.table()  # the file channel sees a taken-over message's line
    assert report.audit_intact, report.notes
    assert report.kills >= 5 and report.broker_restarts == 1 and report.db_restarts == 1
