"""Filing on someone's behalf: the form an office's staff use to record a tip received by phone, letter or in
person, and the phone-sized form a volunteer uses to file for a citizen, with the slip that hands over the receipt.

The desk signs the person in and gives the browser a short-lived ticket (shared/filing_tickets.py); every page
here is reached by POST with the ticket in a hidden field, never in a URL. The tip goes through the same
`IntakeApp.file_tip` as every other channel: the tipster's name and contact stay in intake, sealed. The receipt is
shown once, on the slip page that answers the filing (printable; never cached, never in a URL). Volunteers also
see where the tips they filed stand: status only, no content.
"""
from __future__ import annotations

import json
import secrets
from pathlib import Path

from werkzeug.wrappers import Response

from services.intake import form_drafts, receipts
from services.intake.domain.callers import Caller
from services.intake.domain.errors import IntakeError
from services.intake.usecases import projection
from services.intake.web import pages
from services.intake.web.errors import as_api_error
from shared import filing_tickets, geography, i18n
from shared.clock import utcnow
from shared.logging import get_logger
from shared.vocabulary import (CATEGORIES, CHANNEL_LABELS, NOTIFY_CHANNELS, OFFICIAL_TYPE_GROUPS, OFFICIAL_TYPES,
                               TIPSTER_STATUSES)
from shared.web import ApiError

log = get_logger(__name__)
# the slip page alone runs one script of ours (the Print button); nothing else runs scripts
SLIP_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
PRINT_JS = (Path(__file__).parent.parent / "templates" / "print.js").read_text(encoding="utf-8")

T = {
    "staff_title": {"th": "บันทึกเรื่องที่ได้รับทางโทรศัพท์ จดหมาย หรือผู้มาแจ้งด้วยตนเอง",
                    "en": "Record a tip received by phone, letter or in person"},
    "staff_intro": {"th": "กรอกตามที่ผู้แจ้งเล่า เรื่องจะเข้าสู่ระบบเหมือนเรื่องที่แจ้งทางเว็บ และส่งไปยังหน่วยงานที่มีอำนาจ "
                          "ชื่อและช่องทางติดต่อของผู้แจ้งเก็บแบบเข้ารหัสในระบบรับเรื่องเท่านั้น ไม่ปรากฏในสำนวน",
                    "en": "Write down what the caller tells you. The tip goes in like any other and is sent to the "
                          "competent office. The caller's name and contact are kept encrypted by intake only; they "
                          "never appear in the case."},
    "volunteer_title": {"th": "แจ้งเรื่องแทนประชาชน", "en": "File a tip for a citizen"},
    "volunteer_intro": {"th": "กรอกตามที่ผู้แจ้งเล่า แล้วมอบใบรับแจ้งให้ผู้แจ้งเก็บไว้ ท่านจะเห็นเพียงสถานะของเรื่อง "
                              "ไม่เห็นรายละเอียดที่ตามมา",
                        "en": "Write down what the citizen tells you, then hand them the slip with their receipt. "
                              "You will see only where the tip stands, nothing that follows."},
    "signed_in_as": {"th": "แจ้งในนามของ", "en": "Filing as"},
    "channel": {"th": "ได้รับเรื่องทาง", "en": "Received by"},
    "tipster": {"th": "ผู้แจ้ง", "en": "The person reporting"},
    "anonymous_choice": {"th": "ผู้แจ้งไม่ประสงค์เปิดเผยตัวตน", "en": "They want to stay anonymous"},
    "contact_choice": {"th": "ผู้แจ้งให้ชื่อหรือช่องทางติดต่อ", "en": "They give a name or contact"},
    "contact_help": {"th": "ข้อมูลจะถูกเข้ารหัสและไม่ส่งต่อไปยังหน่วยงานที่รับเรื่อง",
                     "en": "Stored encrypted; never passed to the office that handles the tip."},
    "notify_via_them": {"th": "แจ้งความคืบหน้าให้ผู้แจ้งทาง", "en": "Tell them about progress by"},
    "consent_them": {"th": "ผู้แจ้งยินยอมให้เจ้าหน้าที่ติดต่อกลับ", "en": "They agree that staff may contact them"},
    "subdistrict_pick": {"th": "ตำบลที่เกิดเหตุ (ในพื้นที่ของท่าน)", "en": "Subdistrict (in your area)"},
    "tipster_language": {"th": "ภาษาที่ผู้แจ้งใช้ (สำหรับข้อความแจ้งความคืบหน้า)",
                         "en": "The language they speak (for progress notices)"},
    "file_it": {"th": "บันทึกเรื่อง", "en": "File the tip"},
    "my_tips": {"th": "เรื่องที่ท่านช่วยแจ้ง", "en": "Tips you filed"},
    "my_tips_none": {"th": "ยังไม่มี", "en": "None yet."},
    "filed_on": {"th": "วันที่แจ้ง", "en": "Filed"},
    "slip_title": {"th": "ใบรับแจ้งเรื่อง", "en": "Receipt slip"},
    "slip_read": {"th": "อ่านรหัสรับแจ้งให้ผู้แจ้งจดไว้ หรือพิมพ์ใบนี้ให้ผู้แจ้ง รหัสนี้แสดงเพียงครั้งเดียว",
                  "en": "Read the receipt to the caller, or print this slip for them. It is shown only once."},
    "slip_follow": {"th": "ติดตามเรื่องได้ที่เว็บไซต์สอดส่อง เมนู \"ติดตามเรื่อง\" ด้วยรหัสรับแจ้งนี้ หรือแจ้งผ่าน LINE "
                          "โดยพิมพ์ \"ติดตาม\" ผู้ที่ช่วยแจ้งเคยเห็นรหัสนี้ ควรขอรหัสใหม่เมื่อเข้าดูครั้งแรก",
                    "en": "Follow the report on the Sodsong website (\"Follow a report\") with this receipt, or in "
                          "LINE by typing \"ติดตาม\". The person who helped you has seen it: get a new receipt the "
                          "first time you look."},
    "slip_keep": {"th": "เก็บใบนี้ไว้ในที่ปลอดภัย ใครที่มีรหัสนี้จะดูความคืบหน้าของเรื่องได้",
                  "en": "Keep this slip somewhere safe: anyone with the receipt can see how the report is going."},
    "print": {"th": "พิมพ์ใบรับแจ้ง", "en": "Print the slip"},
    "print_help": {"th": "คำสั่งพิมพ์ของเบราว์เซอร์จะพิมพ์เฉพาะใบรับแจ้งนี้",
                   "en": "The browser's Print command prints the slip alone."},
    "another": {"th": "แจ้งเรื่องถัดไป", "en": "File another tip"},
    "back_to_desk": {"th": "กลับไปโต๊ะงาน", "en": "Back to the desk"},
    "expired_title": {"th": "แบบฟอร์มหมดเวลาแล้ว", "en": "This form has expired"},
}
i18n.register("intake.assisted", T, lookup=False)


def _t(lang: str):
    both = {**pages.T, **T}
    return lambda key, **kw: both[key][lang].format(**kw) if kw else both[key][lang]


def _render(template: str, lang: str, status: int = 200, csp: str | None = None, **context) -> Response:
    html = pages._env.get_template(template).render(lang=lang, other="en" if lang == "th" else "th", t=_t(lang),
                                                    channel_labels=CHANNEL_LABELS, **context)
    headers = dict(pages.HEADERS)
    if csp:
        headers["Content-Security-Policy"] = csp
    return Response(html, status=status, mimetype="text/html", headers=headers)


def _lang(form) -> str:
    return i18n.language(form.get("lang"))


def form_to_tip(form, lang: str, caller: Caller) -> dict:
    """The assisted form's fields as the one tip model, with the channel the caller records (a volunteer's is
    always "volunteer"; staff choose phone, letter or walk-in)."""
    tip = pages.form_to_tip(form, lang)
    if form.get("language") in ("th", "en"):  # the tipster's language (notices, the status page), not the form's
        tip["language"] = form.get("language")
    area = tip["location"].get("subdistrict_code") or ""
    if caller.volunteer is not None and len(area) == 6 and area.isdigit():
        # a volunteer picks a subdistrict of their area by name; its province and district follow from the code
        tip["location"]["province_code"], tip["location"]["district_code"] = area[:2], area[:4]
    if tip["reporter"]["anonymous"]:  # the explicit choice wins over fields typed before it was made
        tip["reporter"] = {"anonymous": True, "consent_to_contact": False, "notify_via": []}
    if caller.volunteer is not None:
        tip["channel"] = "volunteer"
    else:
        tip["channel"] = (form.get("channel") or caller.default_channel).strip()
    return tip


def _volunteer_area(caller: Caller) -> list[dict] | None:
    """The volunteer's subdistricts by name (Thai and English, with district and province), for the picker."""
    if caller.volunteer is None:
        return None
    area = []
    for code in json.loads(caller.volunteer.subdistricts_json):
        sub, dist, prov = geography.subdistrict(code), geography.district(code[:4]), geography.province(code[:2])
        if sub is None:
            continue
        area.append({"code": code,
                     "th": " · ".join(a.name_th for a in (sub, dist, prov) if a is not None),
                     "en": ", ".join(a.name_en for a in (sub, dist, prov) if a is not None)})
    return area


def _volunteer_tips(app, caller: Caller, lang: str) -> list[dict] | None:
    if caller.volunteer is None:
        return None
    with app.reading() as repo:
        views = [projection.volunteer_view(t) for t in repo.tips_filed_by_volunteer(caller.volunteer.id)[:50]]
    for view in views:
        label = view["status_label"] or TIPSTER_STATUSES.get(view["status"]) or {"th": view["status"],
                                                                                 "en": view["status"]}
        view["label"] = label[lang]
        view["filed"] = pages._when(view["submitted_at"], lang)
    return views


def form_page(app, request, *, ticket: str, caller: Caller, lang: str, values=None, errors=None,
              status: int = 200, kept=None, files_token=None) -> Response:
    """The form, with the public form's fields and place pickers (templates/_report_fields.html)."""
    limit = app.limits
    desk = filing_tickets.verify(filing_tickets.ticket_key(app.config), ticket)
    values = values or {"reporter.anonymous": "1", "channel": caller.default_channel}
    return _render("assisted.html", lang, status, ticket=ticket, caller=caller,
                   staff=caller.staff_office is not None, desk_url=desk.desk if desk else None,
                   values=values, errors=errors or {}, categories=CATEGORIES, official_types=OFFICIAL_TYPES,
                   official_type_groups=OFFICIAL_TYPE_GROUPS, **pages.place_choices(values),
                   notify_channels=NOTIFY_CHANNELS, staff_channels=filing_tickets.STAFF_CHANNELS,
                   my_tips=_volunteer_tips(app, caller, lang), area=_volunteer_area(caller),
                   idempotency_key=values.get("idempotency_key") or secrets.token_urlsafe(18),
                   kept=kept or [], files_token=files_token, description_rows=6,
                   file_mb=int(limit["max_file_bytes"]) // (1024 * 1024),
                   tip_mb=int(limit["max_tip_bytes"]) // (1024 * 1024))


def _expired(lang: str, exc: ApiError) -> Response:
    return pages.render("message.html", lang, exc.status, title=T["expired_title"][lang],
                        messages=[i18n.message(exc.key)])


def open_form(app, request) -> Response:
    """POST /assisted from the desk's page: the ticket opens the form (the desk is another origin, so the usual
    same-site check does not apply; the ticket is the credential, and this only draws a form)."""
    form = request.form
    lang = _lang(form)
    ticket = form.get("ticket") or ""
    try:
        caller = app.ticket_caller(ticket)
    except IntakeError as refusal:
        return _expired(lang, as_api_error(refusal))
    return form_page(app, request, ticket=ticket, caller=caller, lang=lang)


def file_post(app, request, max_form_bytes: int) -> Response:
    """POST /assisted/report: file the tip as the ticket's holder; the answer is the slip with the receipt. A step
    (the next list of places, the other language) shows the form again with everything kept, files too, as the
    public form does."""
    lang = request.args.get("lang") if request.args.get("lang") in ("th", "en") else "th"
    refused = pages.cross_site_refusal(app, request)
    if refused is not None:
        return refused
    form = ticket = caller = None
    uploads: list = []
    try:
        form, new_uploads = pages._read(request, app, max_form_bytes)
        lang = _lang(form)
        ticket = form.get("ticket") or ""
        caller = app.ticket_caller(ticket)
        uploads = pages._kept_uploads(app, form) + list(new_uploads)
        step = form.get("step") or "send"
        if step != "send":
            if step == "lang":
                lang = "en" if lang == "th" else "th"
            uploads, file_errors = pages.file_problems(uploads, app.limits)
            kept, files_token = pages._keep(app, form, uploads)
            return form_page(app, request, ticket=ticket, caller=caller, lang=lang,
                             values=pages._form_values(form), kept=kept, files_token=files_token,
                             errors={"attachments": file_errors} if file_errors else None)
        key = form.get("idempotency_key") or None
        if key is not None and (len(key) > 64 or not key.isascii()):
            key = None
        tip = form_to_tip(form, lang, caller)
        _, body, _ = app.file_tip(tip, uploads, caller=caller, idempotency_key=key)
    except (ApiError, IntakeError) as refusal:
        exc = as_api_error(refusal)
        if caller is None:
            return _expired(lang, exc)
        errors = dict(exc.fields or {}) or {"_request": [i18n.message(exc.key, **exc.detail)]}
        kept, files_token = pages._keep(app, form, uploads) if form is not None and uploads else ([], None)
        return form_page(app, request, ticket=ticket, caller=caller, lang=lang,
                         values=pages._form_values(form) if form is not None else None, errors=errors,
                         status=exc.status, kept=kept, files_token=files_token)
    except Exception as exc:  # noqa: BLE001 - a person reads this answer: a page, never raw JSON
        log.error("page.assisted_failed", error=type(exc).__name__, exc_info=exc)
        if caller is None:
            return pages.render("message.html", lang, 500, title=T["expired_title"][lang],
                                messages=[pages._both("page_failed")])
        return form_page(app, request, ticket=ticket, caller=caller, lang=lang,
                         values=pages._form_values(form) if form is not None else None,
                         errors={"_request": [pages._both("not_stored")]}, status=500)
    if hasattr(app, "db"):
        form_drafts.drop(app.db, form.get("files_token"))
    submitted_at = utcnow().replace(microsecond=0).isoformat()
    desk = filing_tickets.verify(filing_tickets.ticket_key(app.config), ticket)
    return _render("slip.html", lang, 201, csp=SLIP_CSP, reference=body["reference"],
                   receipt=receipts.display(body["receipt"]), submitted_local=pages._when(submitted_at, lang),
                   submitted_at=submitted_at, channel=tip["channel"], ticket=ticket,
                   staff=caller.staff_office is not None, desk_url=desk.desk if desk else None,
                   proof_code=app.proof_code(body["reference"], submitted_at))


def print_script(request) -> Response:
    return Response(PRINT_JS, mimetype="text/javascript", headers={"Cache-Control": "public, max-age=3600",
                                                                   "X-Content-Type-Options": "nosniff"})
