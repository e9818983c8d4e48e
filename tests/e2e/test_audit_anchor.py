"""An insider deletes one tip's audit entries and rewrites the rest of the chain and its head in the database,
even with the chain key in hand: `sodsong audit verify` fails against the signed checkpoint written before."""
import json

from sqlalchemy import delete, select, update

from services.audit import usecases
from services.audit.domain import chain
from services.audit.models import ChainEntry, ChainHead
from services.audit.repository import AuditRepository
from shared import config as config_mod
from shared.db import dispose_all
from sodsong.registry import service_db_for
from tests.support.processes import wait_for
from tests.support.tips import tip


def _rewrite_without(config, reference) -> int:
    """Delete a tip's entries, renumber and re-MAC every later entry with the chain key, move the head."""
    keys = chain.chain_keys(config)
    db = service_db_for("audit", config)
    with db.transaction() as uow:
        s = uow.session
        removed = s.execute(delete(ChainEntry).where(ChainEntry.correlation_id == reference)).rowcount
        rows = s.execute(select(ChainEntry).order_by(ChainEntry.seq)).scalars().all()
        olds = [r.seq for r in rows]
        s.expunge_all()
        for old in olds:
            s.execute(update(ChainEntry).where(ChainEntry.seq == old).values(seq=-old))
        prev = chain.GENESIS
        for new_seq, old in enumerate(olds, 1):
            row = s.execute(select(ChainEntry).where(ChainEntry.seq == -old)).scalar_one()
            entry = {c: getattr(row, c) for c in chain.FIELDS}
            entry["seq"], entry["prev_hash"] = new_seq, prev
            digest = chain.entry_hash(entry, keys.keys[keys.current], keys.current)
            s.execute(update(ChainEntry).where(ChainEntry.seq == -old).values(
                seq=new_seq, prev_hash=prev, hash=digest, key_id=keys.current))
            s.expunge_all()
            prev = digest
        s.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=len(olds), hash=prev))
    dispose_all()
    return removed


def test_deleting_a_tips_audit_entries_and_recomputing_the_chain_fails_verification(deployment):
    dep = deployment
    dep.start()
    refs = []
    for n in range(3):
        r = dep.intake.submit(tip(description=f"เจ้าหน้าที่เรียกรับเงินรายที่ {n} เพื่อเร่งออกใบอนุญาต"))
        assert r.status_code == 201, r.text
        refs.append(r.json()["reference"])
    for ref in refs:
        wait_for(lambda ref=ref: {"tip.received", "tip.routed", "case.opened"}
                 <= {e["event_type"] for e in dep.audit_trail(ref)}, 30, message=f"audit of {ref}")
    dep.stop_all()

    assert "ok:" in dep.cli("audit", "verify").stdout
    checkpoint = json.loads(dep.cli("audit", "checkpoint").stdout)
    assert checkpoint["seq"] >= 9
    verified = dep.cli("audit", "verify", "--require-checkpoint").stdout
    assert f"anchored by a signed checkpoint at entry {checkpoint['seq']}" in verified

    config = config_mod.load(env=dep.env)
    removed = _rewrite_without(config, refs[1])
    assert removed >= 3
    # the rewritten chain links up under the key: only the checkpoint can tell
    with service_db_for("audit", config).reading() as session:
        assert usecases.verify(AuditRepository(session), chain.chain_keys(config)).ok

    result = dep.cli("audit", "verify", check=False)
    assert result.returncode == 1
    assert "BROKEN" in result.stderr and "checkpoint" in result.stderr
