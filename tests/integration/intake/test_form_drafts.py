"""The web form's drafts (services/intake/form_drafts.py) on a migrated database: files kept for a retry and a
receipt to re-show are sealed at rest, found only by their token, gone when expired (and removed by the retention
job), and re-sealed by key rotation like every other sealed value."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from services.intake import crypto, form_drafts, retention, rotation
from services.intake.domain.attachments import Upload
from services.intake.models import FormDraft
from shared.clock import utcnow


def test_kept_files_are_sealed_found_by_token_only_and_expire(app):
    files = [Upload("ใบเสร็จ.pdf", b"%PDF-1.4 secret evidence"), Upload(None, b"plain text evidence\n")]
    token = form_drafts.keep_files(app.db, app.keyring, files, minutes=60)
    with app.db.reading() as session:
        row = session.execute(select(FormDraft)).scalar_one()
        assert b"secret evidence" not in bytes(row.content) and token not in row.token_hash
    assert form_drafts.kept_files(app.db, app.keyring, token) == files
    assert form_drafts.kept_files(app.db, app.keyring, token + "x") == []
    assert form_drafts.get(app.db, app.keyring, "receipt", token) is None  # a files token is not a receipt's
    with app.db.transaction() as uow:
        uow.session.execute(update(FormDraft).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert form_drafts.kept_files(app.db, app.keyring, token) == []
    with app.db.transaction() as uow:
        done = {step.kind: step.run(uow, utcnow()) for step in retention.steps(app.config)
                if step.kind == "expired_form_drafts"}
    assert done == {"expired_form_drafts": 1}


def test_a_receipt_kept_to_re_show_is_resealed_by_rotation(sqlite_app):
    app = sqlite_app
    token = form_drafts.put(app.db, app.keyring, "receipt", {"reference": "SS-AAAA-BBBB", "receipt": "1" * 16}, 15)
    new_id = "k-new"
    both = crypto.Keyring(new_id, {**app.keyring.keys, new_id: b"\x07" * 32})
    assert rotation.reseal_all(app.db, both, batch=2)["stale"] == 0
    only_new = crypto.Keyring(new_id, {new_id: b"\x07" * 32})
    assert form_drafts.get(app.db, only_new, "receipt", token)["receipt"] == "1" * 16
    form_drafts.drop(app.db, token)
    assert form_drafts.get(app.db, only_new, "receipt", token) is None
