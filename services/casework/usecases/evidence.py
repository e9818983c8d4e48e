"""A tip's files on the desk. The bytes stay encrypted in intake; casework knows each file's type, size and
SHA-256 (from `tip.attachments_received` and `tip.message_added`). A caseworker who may read the case gets a
short-lived link signed for them and the case's office (shared/evidence_links.py); every such view is recorded
and announced as `case.evidence_viewed`, which audit chains."""
from __future__ import annotations

import json

from services.casework.domain import policy
from services.casework.domain.errors import NotFound
from services.casework.usecases.access import find_case
from shared import evidence_links
from shared.clock import iso_utc


def attachments_of(repo, reference: str) -> list[dict]:
    """Every file the tipster sent, oldest first: {id, media_type, size, sha256, message_id, at}."""
    out = []
    for row in repo.tipster_messages(reference):
        for a in json.loads(row.attachments_json or "[]"):
            out.append({"id": a["attachment_id"], "media_type": a["media_type"], "size": a["size"],
                        "sha256": a["sha256"], "message_id": row.id if row.kind == "message" else None,
                        "at": iso_utc(row.added_at)})
    return out


def api_path(reference: str, attachment_id: str) -> str:
    return f"/api/v1/cases/{reference}/attachments/{attachment_id}"


def page_path(reference: str, attachment_id: str) -> str:
    return f"/cases/{reference}/attachments/{attachment_id}"


def open_file(uow, principal: policy.Principal, reference: str, attachment_id: str, now, config: dict) -> str:
    """Check, record and sign: the URL at intake that serves this file to this caller for a minute.
    A case the caller cannot read, or a file that is not this case's, is not found."""
    case = find_case(uow.repo, principal, reference, "read")
    if policy.view_of(principal) != "detail":
        raise NotFound()  # volunteers and auditors never see the evidence itself
    if attachment_id not in {a["id"] for a in attachments_of(uow.repo, case.reference)}:
        raise NotFound()
    uow.repo.record_view(case, principal, "evidence", now)
    uow.repo.record(case, "evidence_viewed", principal.user_id, now, {"attachment_id": attachment_id})
    uow.emit("case.evidence_viewed", {
        "reference": case.reference, "case_id": case.id, "office_code": case.office_code,
        "attachment_id": attachment_id, "viewer_id": principal.user_id, "viewer_role": principal.role,
        "viewed_at": now}, correlation_id=case.reference, actor=principal.actor)
    return evidence_links.signed_url(config, case.reference, attachment_id, case.office_code, principal.user_id)
