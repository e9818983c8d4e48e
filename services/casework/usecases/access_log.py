"""The access log as people read it: who opened which case, in what role and office, what they read (the full
case, the status, the audit view, a file, a hand-over record) and when — with names, not account ids. Only for
roles that may read access logs today (`access_log` in policy.ACTIONS: supervisors for their office, auditors for
their agency), over the cases their scope admits."""
from __future__ import annotations

from services.casework.domain import policy, wording
from services.casework.usecases.case_reading import iso

READ_LABELS = {
    "detail": {"th": "อ่านเรื่องทั้งหมด", "en": "Read the full case"},
    "status": {"th": "ดูสถานะ", "en": "Read the status"},
    "audit": {"th": "ดูประวัติการดำเนินการ (ไม่มีเนื้อหา)", "en": "Read the audit view (no content)"},
    "evidence": {"th": "เปิดไฟล์หลักฐาน", "en": "Opened a file"},
    "handover": {"th": "ดูบันทึกการส่งต่อ", "en": "Read the hand-over record"},
    "list": {"th": "เห็นในรายการเรื่อง (ข้อความย่อ)", "en": "Shown in the inbox (snippet)"},
    "export": {"th": "ส่งออกในไฟล์รายการเรื่อง", "en": "Exported in the case list"},
}
LIMIT = 500


def access_log(repo, principal: policy.Principal, *, reference: str | None = None,
               username: str | None = None) -> dict:
    if not policy.may(principal, "access_log"):
        raise policy.Forbidden()
    reference = (reference or "").strip().upper()[:20] or None
    username = (username or "").strip().lower()[:64] or None
    rows = repo.access_entries(policy.case_scope(principal), reference=reference, username=username,
                               limit=LIMIT + 1)
    entries = [{
        "at": iso(r.at), "reference": r.reference, "case_office": r.case_office,
        "user": {"id": r.user_id, "username": r.username, "display_name": r.display_name or r.user_id,
                 "office_code": r.user_office},
        "role": r.role, "role_label": wording.role_label(r.role),
        "read": r.view, "read_label": READ_LABELS.get(r.view, {"th": r.view, "en": r.view}),
    } for r in rows[:LIMIT]]
    return {"filters": {"reference": reference, "user": username}, "entries": entries,
            "truncated": len(rows) > LIMIT}
