"""A tip's reference is unique: when the one drawn is taken (the unique index says so, in the same INSERT), another
is drawn and the tip is filed under it; the tip already holding the reference is untouched (SQLite and PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import select

from services.intake.models import TimelineEntry, Tip
from services.intake.usecases import submission
from tests.support.tips import tip


def test_a_taken_reference_is_drawn_again(app, monkeypatch):
    _, first, _ = app.file_tip(tip())
    drawn = iter([first["reference"], first["reference"], "SS-AAAA-BBBB"])
    monkeypatch.setattr(submission, "new_reference", lambda: next(drawn))
    status, second, _ = app.file_tip(tip(description="เรียกเงินค่าต่อใบอนุญาตอีกราย สามพันบาท"))
    assert status == 201 and second["reference"] == "SS-AAAA-BBBB"
    with app.db.reading() as s:
        rows = {t.reference: (t.id, t.receipt_mac) for t in s.execute(select(Tip)).scalars()}
        lines = {line.tip_id for line in s.execute(select(TimelineEntry)).scalars()}
    assert set(rows) == {first["reference"], "SS-AAAA-BBBB"}
    assert rows[first["reference"]][1] == app.receipt_key.mac(first["receipt"])
    assert rows["SS-AAAA-BBBB"][1] == app.receipt_key.mac(second["receipt"])
    assert lines == {tip_id for tip_id, _ in rows.values()}
    assert app.status(second["receipt"], None)["reference"] == "SS-AAAA-BBBB"
