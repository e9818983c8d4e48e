"""The conversation between the office and the tipster, as intake keeps it: the office's notes for the tipster
(from `case.note_added`, sealed here, acknowledged with `tip.feedback_recorded`), the whole thread for the status
page, and the office's access to the tip's files through signed links (shared/evidence_links.py)."""
from __future__ import annotations

import json

from sqlalchemy import select
from werkzeug.wrappers import Response

from services.intake.crypto import Keyring
from services.intake.models import Attachment, Message, OfficeNote, Question, TimelineEntry, Tip
from services.intake.submission import aad
from shared import evidence_links
from shared.clock import iso_utc, utcnow
from shared.web import SECURITY_HEADERS

NOTE_LABEL = {"th": "หน่วยงานมีข้อความถึงท่าน อ่านได้ในหน้าติดตามเรื่อง",
              "en": "The office has written to you; read it on the status page"}


# -- the office's notes for the tipster -------------------------------------------------------------------------
def on_note_added(uow, event, keyring: Keyring) -> None:
    """`case.note_added`: a note meant for the tipster is sealed, put in the thread and on the timeline, and
    `tip.feedback_recorded` tells casework the tipster now has it. Internal notes carry no text and change
    nothing here."""
    p = event.payload
    if p["visibility"] != "tipster_visible" or not p.get("text"):
        return
    session = uow.session
    tip = session.execute(select(Tip).where(Tip.reference == p["reference"]).with_for_update()).scalar_one_or_none()
    if tip is None:
        raise LookupError(f"no tip with reference {p['reference']}")
    note_id = str(p["note_id"])
    if session.get(OfficeNote, note_id) is None:
        session.add(OfficeNote(id=note_id, tip_id=tip.id, office_code=p["office_code"], added_at=p["added_at"],
                               text_enc=keyring.encrypt_text(p["text"], aad("intake_office_notes.text_enc", note_id))))
        session.add(TimelineEntry(tip_id=tip.id, source_event_id=event.id, status="note", label_th=NOTE_LABEL["th"],
                                  label_en=NOTE_LABEL["en"], at=p["added_at"]))
    uow.emit("tip.feedback_recorded", {"reference": tip.reference, "note_id": note_id,
                                        "office_code": p["office_code"], "recorded_at": utcnow()},
             correlation_id=tip.reference, causation=event)


# -- the thread -----------------------------------------------------------------------------------------------
def _files(session, keyring: Keyring, tip: Tip) -> dict:
    by_message: dict = {}
    rows = session.execute(select(Attachment.id, Attachment.message_id, Attachment.media_type, Attachment.size,
                                  Attachment.filename_enc, Attachment.created_at)
                           .where(Attachment.tip_id == tip.id).order_by(Attachment.created_at, Attachment.id)).all()
    for row in rows:
        name = (keyring.decrypt_text(row.filename_enc, aad("intake_attachments.filename_enc", row.id))
                if row.filename_enc else None)
        by_message.setdefault(row.message_id, []).append(
            {"id": row.id, "media_type": row.media_type, "size": row.size, "filename": name})
    return by_message


def thread(session, keyring: Keyring, tip: Tip) -> list[dict]:
    """Everything said between the tipster and the office, oldest first: the tipster's files with the tip, their
    messages and answers (with files), the office's questions and its notes for the tipster. Never an internal
    note (those never reach intake)."""
    files = _files(session, keyring, tip)
    items = []
    if files.get(None):
        items.append({"from": "tipster", "kind": "files", "text": "", "at": iso_utc(tip.submitted_at),
                      "attachments": files[None]})
    for m in session.execute(select(Message).where(Message.tip_id == tip.id)).scalars():
        items.append({"from": "tipster", "kind": "answer" if m.in_reply_to else "message",
                      "text": keyring.decrypt_text(m.text_enc, aad("intake_messages.text_enc", m.id)),
                      "at": iso_utc(m.created_at), "in_reply_to": m.in_reply_to, "attachments": files.get(m.id, [])})
    for q in session.execute(select(Question).where(Question.tip_id == tip.id)).scalars():
        text = json.loads(keyring.decrypt_text(q.text_enc, aad("intake_questions.text_enc", q.id)))
        items.append({"from": "office", "kind": "question", "text": text["text"], "at": iso_utc(q.asked_at),
                      "question_id": q.id, "answered": q.answered_at is not None, "attachments": []})
    for n in session.execute(select(OfficeNote).where(OfficeNote.tip_id == tip.id)).scalars():
        items.append({"from": "office", "kind": "note",
                      "text": keyring.decrypt_text(n.text_enc, aad("intake_office_notes.text_enc", n.id)),
                      "at": iso_utc(n.added_at), "attachments": []})
    items.sort(key=lambda item: item["at"])
    return items


# -- the office's access to the files ---------------------------------------------------------------------------
class EvidenceRefused(Exception):
    """The link is forged, expired, for another office or for a file the tip does not have: answered 404."""


def serve(db, keyring: Keyring, link_key: bytes, reference: str, attachment_id: str, args) -> tuple[Attachment, bytes]:
    """The file a signed link names, decrypted; recorded as `tip.evidence_served` (same transaction)."""
    office, user = args.get("office"), args.get("user")
    if not evidence_links.verify(link_key, reference, attachment_id, office, user, args.get("exp"), args.get("sig")):
        raise EvidenceRefused()
    with db.transaction() as uow:
        tip = uow.session.execute(select(Tip).where(Tip.reference == reference)).scalar_one_or_none()
        attachment = uow.session.get(Attachment, attachment_id) if tip is not None else None
        if attachment is None or attachment.tip_id != tip.id or tip.agency_code != office:
            raise EvidenceRefused()
        data = keyring.decrypt(attachment.content, aad("intake_attachments.content", attachment.id))
        uow.emit("tip.evidence_served", {"reference": reference, "attachment_id": attachment_id,
                                         "office_code": office, "viewer_id": user[:64], "served_at": utcnow()},
                 correlation_id=reference, actor={"kind": "user", "id": user[:64]})
        uow.session.expunge(attachment)
    return attachment, data


EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
              "application/pdf": "pdf", "text/plain": "txt"}


def download(attachment, data: bytes):
    """A file as a download, never rendered in the browser: attachment disposition, nosniff, a sandboxing CSP."""
    ext = EXTENSIONS.get(attachment.media_type) or attachment.media_type.rpartition("/")[2][:8] or "bin"
    headers = dict(SECURITY_HEADERS)
    headers.update({
        "Content-Disposition": f'attachment; filename="sodsong-{attachment.id[:8]}.{ext}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
        "Cache-Control": "no-store",
        "X-Sodsong-SHA256": attachment.sha256,
    })
    return Response(data, status=200, mimetype=attachment.media_type, headers=headers)
