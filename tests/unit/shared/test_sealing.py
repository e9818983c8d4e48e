"""The sealing primitive: values sealed under the current key, opened by any key in the keyring, bound to their
column; plaintext from before sealing still reads; rotation re-seals; retention periods per agency."""
import secrets

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from shared import retention, sealing


@pytest.fixture
def ring():
    old, new = secrets.token_bytes(32), secrets.token_bytes(32)
    sealing.install_keys("routing", "old", {"old": old})
    yield old, new
    sealing.install_keys("routing", "test", {"test": secrets.token_bytes(32)})


def test_sealed_column_round_trips_and_stores_no_plaintext(ring):
    engine = create_engine("sqlite://")
    t = Table("routing_x", MetaData(), Column("id", Integer, primary_key=True),
              Column("body", sealing.SealedText("routing", "x.body")))
    t.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t).values(id=1, body="เจ้าหน้าที่เรียกรับเงิน marker42"))
        raw = conn.execute(text("SELECT body FROM routing_x")).scalar()
        assert raw.startswith("s1:old:") and "marker42" not in raw
        assert conn.execute(select(t.c.body)).scalar() == "เจ้าหน้าที่เรียกรับเงิน marker42"


def test_a_value_moved_to_another_column_or_altered_does_not_open(ring):
    sealed = sealing.seal("routing", "ลับ", "tips.facts_json")
    with pytest.raises(sealing.SealError):
        sealing.open_("routing", sealed, "decisions.reasons_th")
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(sealing.SealError):
        sealing.open_("routing", tampered, "tips.facts_json")


def test_old_values_open_after_rotation_and_need_resealing(ring):
    old, new = ring
    before = sealing.seal("routing", "ข้อความ", "p")
    sealing.install_keys("routing", "new", {"old": old, "new": new})
    assert sealing.open_("routing", before, "p") == "ข้อความ"
    assert sealing.sealer("routing").needs_rotation(before)
    assert sealing.sealer("routing").needs_rotation("plaintext from before sealing")
    assert not sealing.sealer("routing").needs_rotation(sealing.seal("routing", "x", "p"))
    assert sealing.open_("routing", "plaintext from before sealing", "p") == "plaintext from before sealing"


def test_retention_periods_per_agency():
    config = {"retention": {"closed_case_days": 3650, "per_agency": {"DAMRONGTHAM": {"closed_case_days": 1825},
                                                                     "PACC-R2": {"closed_case_days": 4000}}}}
    assert retention.period_for(config, "closed_case_days", "DAMRONGTHAM-23") == 1825
    assert retention.period_for(config, "closed_case_days", "PACC-R2") == 4000
    assert retention.period_for(config, "closed_case_days", "PACC-R1") == 3650
    assert retention.period_for({}, "tipster_identity_days_after_closure", None) == 90
