"""The public web pages: file a tip, keep the receipt, follow the tip and answer questions.

Thai first with an English switch (`?lang=en`), plain HTML forms that work without JavaScript, one local
stylesheet, no external scripts, fonts or trackers. The receipt never appears in a URL: the status pages are
reached by POST, and the answer forms carry it in a hidden field of a page that is never cached.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path

import jinja2
from werkzeug.wrappers import Response

from services.intake import receipts
from services.intake.domain.callers import PUBLIC, Caller
from services.intake.domain.errors import IntakeError
from services.intake.web import geography_options, requests
from services.intake.web.errors import as_api_error
from shared import i18n
from shared.clock import buddhist_year, local, utcnow
from shared.logging import get_logger
from shared.vocabulary import CATEGORIES, NOTIFY_CHANNELS, OFFICIAL_TYPE_GROUPS, OFFICIAL_TYPES, TIPSTER_STATUSES
from shared.web import ApiError

PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}
WEB_FORM = Caller(scope="web-form", actor=PUBLIC.actor)
_DIR = Path(__file__).parent.parent / "templates"
log = get_logger(__name__)

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_DIR)), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

T = {
    "site": {"th": "สอดส่อง — แจ้งเบาะแสการทุจริต", "en": "Sodsong — report corruption"},
    "switch": {"th": "English", "en": "ภาษาไทย"},
    "report_title": {"th": "แจ้งเบาะแสการทุจริต", "en": "Report corruption"},
    "report_intro": {"th": "ไม่ต้องเปิดเผยตัวตน ระบบไม่เก็บที่อยู่ IP ของท่าน เมื่อส่งแล้วท่านจะได้รับรหัสรับแจ้ง 16 หลัก "
                           "สำหรับติดตามเรื่อง",
                     "en": "You do not have to say who you are, and your IP address is not kept. After sending you "
                           "get a 16-digit receipt to follow your report."},
    "what": {"th": "เกิดอะไรขึ้น", "en": "What happened"},
    "category": {"th": "ประเภทเรื่อง", "en": "Category"},
    "choose": {"th": "— เลือก —", "en": "— choose —"},
    "description": {"th": "รายละเอียด (ใคร ทำอะไร เมื่อไร ที่ไหน มีหลักฐานอะไร)",
                    "en": "Details (who did what, when, where, and what evidence there is)"},
    "event_date": {"th": "วันที่เกิดเหตุ (ถ้าทราบ)", "en": "Date of the event (if known)"},
    "amount": {"th": "จำนวนเงินที่เกี่ยวข้อง (บาท ถ้าทราบ)", "en": "Amount involved (baht, if known)"},
    "where": {"th": "สถานที่เกิดเหตุ", "en": "Where"},
    "province": {"th": "จังหวัด", "en": "Province"},
    "district": {"th": "รหัสอำเภอ 4 หลัก (ถ้าทราบ)", "en": "District code, 4 digits (if known)"},
    "subdistrict": {"th": "รหัสตำบล 6 หลัก (ถ้าทราบ)", "en": "Subdistrict code, 6 digits (if known)"},
    "place": {"th": "สถานที่ (หมู่บ้าน สำนักงาน ถนน)", "en": "Place (village, office, road)"},
    "who": {"th": "ผู้ถูกร้องเรียน", "en": "Who is accused"},
    "official_type": {"th": "ประเภทของผู้ถูกร้องเรียน", "en": "What kind of official"},
    "official_type_help": {"th": "ถ้าไม่แน่ใจ เลือก \"ไม่ทราบ / ไม่แน่ใจ\" แล้วเขียนตำแหน่งและหน่วยงานด้านล่าง ระบบจะอ่านเพื่อไม่ส่ง"
                                 "เรื่องไปยังหน่วยงานที่ผู้ถูกร้องเรียนทำงานอยู่ หรือหน่วยงานที่กฎหมายไม่ให้ดำเนินการ",
                           "en": "If unsure, choose \"Unknown / not sure\" and write the position and organisation "
                                 "below: they are read so that your report never goes to the office the accused "
                                 "works in, nor to one the law bars from handling it."},
    "position_example": {"th": "เช่น นิติกร, ผู้พิพากษา, นายก อบต.", "en": "e.g. legal officer, judge, mayor"},
    "organization_example": {"th": "เช่น ป.ป.ท. เขต 2, ศาลจังหวัดตราด", "en": "e.g. PACC Region 2, Trat Court"},
    "accused_name": {"th": "ชื่อ (ถ้าทราบ)", "en": "Name (if known)"},
    "position": {"th": "ตำแหน่ง", "en": "Position"},
    "organization": {"th": "หน่วยงาน", "en": "Organisation"},
    "evidence": {"th": "หลักฐาน (เอกสาร ภาพถ่าย เสียง)", "en": "Evidence (documents, photos, audio)"},
    "evidence_help": {"th": "ไฟล์ละไม่เกิน {file_mb} MB รวมไม่เกิน {tip_mb} MB ระบบลบข้อมูลตำแหน่ง (GPS) และข้อมูลกล้องออกจากภาพ"
                            "ให้อัตโนมัติ แต่เอกสารและไฟล์เสียงอาจมีชื่อของท่านในคุณสมบัติของไฟล์ โปรดตรวจสอบก่อนแนบ",
                      "en": "Up to {file_mb} MB per file, {tip_mb} MB in all. Location (GPS) and camera data are "
                            "removed from photos automatically, but documents and audio files may carry your name "
                            "in their properties: check before attaching."},
    "you": {"th": "ตัวท่าน (ไม่บังคับ)", "en": "About you (optional)"},
    "anonymous": {"th": "ไม่เปิดเผยตัวตน (ไม่ต้องกรอกช่องด้านล่าง)", "en": "Stay anonymous (leave the fields below empty)"},
    "identity_note": {"th": "ถ้าให้ชื่อหรือช่องทางติดต่อ ข้อมูลจะถูกเข้ารหัสและไม่ถูกส่งต่อให้หน่วยงานอื่น",
                      "en": "If you give a name or contact, it is stored encrypted and not passed to other offices."},
    "name": {"th": "ชื่อ", "en": "Name"},
    "phone": {"th": "โทรศัพท์", "en": "Phone"},
    "email": {"th": "อีเมล", "en": "Email"},
    "line": {"th": "LINE ID", "en": "LINE ID"},
    "notify_via": {"th": "แจ้งความคืบหน้าทาง", "en": "Tell me about progress by"},
    "consent": {"th": "ยินยอมให้เจ้าหน้าที่ติดต่อกลับ", "en": "Staff may contact me"},
    "submit": {"th": "ส่งเรื่อง", "en": "Send report"},
    "errors_title": {"th": "กรุณาแก้ไขข้อมูลต่อไปนี้", "en": "Please correct the following"},
    "receipt_title": {"th": "ได้รับเรื่องของท่านแล้ว", "en": "Your report has been received"},
    "reference": {"th": "เลขที่เรื่อง", "en": "Reference"},
    "receipt": {"th": "รหัสรับแจ้ง", "en": "Receipt"},
    "receipt_warning": {
        "th": "จดรหัสนี้เก็บไว้ในที่ปลอดภัย ระบบแสดงรหัสนี้เพียงครั้งเดียวและไม่สามารถกู้คืนได้ ใครที่มีรหัสนี้จะดูความคืบหน้า"
              "และคำถามของเจ้าหน้าที่ได้ อย่าถ่ายภาพหน้าจอเก็บไว้ในเครื่องที่ผู้อื่นใช้ร่วม",
        "en": "Write this receipt down and keep it safe. It is shown only once and cannot be recovered. Anyone "
              "who has it can see the progress and the office's questions. Do not keep a screenshot on a shared "
              "device."},
    "proof": {"th": "ดาวน์โหลดหลักฐานการแจ้งเรื่อง (ไม่มีเนื้อหาเรื่องและไม่มีรหัสรับแจ้ง)",
              "en": "Download proof of filing (without the report's content or the receipt)"},
    "go_status": {"th": "ติดตามเรื่อง", "en": "Follow a report"},
    "status_title": {"th": "ติดตามเรื่อง", "en": "Follow your report"},
    "receipt_input": {"th": "รหัสรับแจ้ง 16 หลัก", "en": "16-digit receipt"},
    "check": {"th": "ดูสถานะ", "en": "Check status"},
    "status": {"th": "สถานะ", "en": "Status"},
    "agency": {"th": "หน่วยงานที่รับผิดชอบ", "en": "Office responsible"},
    "not_yet": {"th": "ยังไม่ได้กำหนด", "en": "Not yet decided"},
    "timeline": {"th": "ความคืบหน้า", "en": "Progress"},
    "closure_title": {"th": "ผลการพิจารณา", "en": "Outcome"},
    "closure_reason": {"th": "เหตุผลจากหน่วยงาน", "en": "The office's reason"},
    "questions": {"th": "คำถามจากเจ้าหน้าที่", "en": "Questions from the office"},
    "answered": {"th": "ตอบแล้ว", "en": "Answered"},
    "answer": {"th": "ตอบคำถามนี้", "en": "Answer this question"},
    "add_info": {"th": "ส่งข้อมูลเพิ่มเติม", "en": "Add information"},
    "message": {"th": "ข้อความ", "en": "Message"},
    "send": {"th": "ส่ง", "en": "Send"},
    "sent": {"th": "ส่งข้อมูลถึงเจ้าหน้าที่แล้ว", "en": "Sent to the office"},
    "new_receipt": {"th": "ขอรหัสรับแจ้งใหม่ (รหัสเดิมจะใช้ไม่ได้)", "en": "Get a new receipt (the old one stops working)"},
    "new_receipt_title": {"th": "รหัสรับแจ้งใหม่ของท่าน", "en": "Your new receipt"},
    "change_recommended": {"th": "มีผู้อื่น (เช่น อาสาสมัครที่ช่วยกรอก) เคยเห็นรหัสนี้ ควรขอรหัสใหม่",
                           "en": "Someone else (such as the volunteer who helped you) has seen this receipt; "
                                 "we recommend getting a new one."},
    "messages_sent": {"th": "ข้อความที่ท่านส่งแล้ว", "en": "Messages you have sent"},
    "home": {"th": "แจ้งเรื่องใหม่", "en": "New report"},
    "form_refused": {"th": "ระบบไม่ได้รับแบบฟอร์มนี้", "en": "This form was not accepted"},
    "conversation": {"th": "การสนทนากับเจ้าหน้าที่", "en": "Conversation with the office"},
    "no_conversation": {"th": "ยังไม่มีข้อความ", "en": "Nothing yet."},
    "from_question": {"th": "คำถามจากเจ้าหน้าที่", "en": "Question from the office"},
    "from_note": {"th": "ข้อความจากเจ้าหน้าที่", "en": "Message from the office"},
    "from_answer": {"th": "คำตอบของท่าน", "en": "Your answer"},
    "from_message": {"th": "ข้อมูลที่ท่านส่งเพิ่ม", "en": "Information you added"},
    "from_files": {"th": "ไฟล์ที่ท่านส่งมากับเรื่อง", "en": "Files you sent with the report"},
    "in_answer_to": {"th": "ตอบคำถาม", "en": "In answer to"},
    "file": {"th": "ไฟล์", "en": "File"},
    "not_stored": {"th": "ขออภัย ระบบขัดข้องชั่วคราว เรื่องของท่านยังไม่ได้ถูกบันทึก ข้อมูลที่กรอกยังอยู่ในแบบฟอร์มนี้ "
                         "กรุณากดส่งอีกครั้ง",
                   "en": "Sorry, something went wrong on our side and your report was not stored. What you typed "
                         "is still in this form: please send it again."},
    "not_sent": {"th": "ขออภัย ระบบขัดข้องชั่วคราว ข้อความของท่านยังไม่ถูกส่ง กรุณาลองใหม่อีกครั้ง",
                 "en": "Sorry, something went wrong on our side and your message was not sent. Please try again."},
    "page_failed": {"th": "ขออภัย ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้ง",
                    "en": "Sorry, something went wrong on our side. Please try again."},
}
i18n.register("intake.pages", T, lookup=False)  # checked for Thai and English like every message


def _filesize(size, lang: str = "th") -> str:
    return i18n.filesize(size, "{size} ไบต์" if lang == "th" else "{size} bytes")


_env.filters["filesize"] = _filesize


def _t(lang: str):
    return lambda key, **kw: T[key][lang].format(**kw) if kw else T[key][lang]


def lang_of(request) -> str:
    lang = request.args.get("lang") or (request.form.get("lang") if request.method == "POST"
                                        and request.mimetype == "application/x-www-form-urlencoded" else None)
    return i18n.language(lang)


def render(template: str, lang: str, status: int = 200, **context) -> Response:
    html = _env.get_template(template).render(lang=lang, other="en" if lang == "th" else "th", t=_t(lang),
                                              **context)
    return Response(html, status=status, mimetype="text/html", headers=HEADERS)


def _when(value, lang: str) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    here = local(value)
    if lang == "th":
        return f"{here.day}/{here.month}/{buddhist_year(here.year)} {here:%H:%M} น."
    return f"{here:%d %b %Y, %H:%M} Bangkok time"


# -- filing -------------------------------------------------------------------------------------------------------
def report_form(app, request, *, lang=None, values=None, errors=None, notice=None, status=200) -> Response:
    lang = lang or lang_of(request)
    limit = app.limits
    return render("report.html", lang, status, values=values or {"reporter.anonymous": "1"}, errors=errors or {},
                  notice=notice, categories=CATEGORIES, official_types=OFFICIAL_TYPES,
                  official_type_groups=OFFICIAL_TYPE_GROUPS,
                  provinces=geography_options.provinces(), notify_channels=NOTIFY_CHANNELS,
                  idempotency_key=secrets.token_urlsafe(18),
                  file_mb=int(limit["max_file_bytes"]) // (1024 * 1024),
                  tip_mb=int(limit["max_tip_bytes"]) // (1024 * 1024))


def form_to_tip(form, lang: str) -> dict:
    """The web form's flat fields (dotted names) as the one tip model."""
    def val(name):
        value = form.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    tip: dict = {"channel": "web", "language": lang}
    for name in ("category", "description", "event_date", "amount_thb"):
        if val(name) is not None:
            tip[name] = val(name)
    tip["location"] = {k: val(f"location.{k}") for k in ("district_code", "subdistrict_code", "place")}
    if val("location.province_code") is not None:
        tip["location"]["province_code"] = val("location.province_code")
    tip["accused"] = {k: val(f"accused.{k}") for k in ("name", "position", "organization")}
    tip["accused"]["official_type"] = val("accused.official_type") or "unknown"
    reporter = {"anonymous": form.get("reporter.anonymous") == "1",
                "consent_to_contact": form.get("reporter.consent_to_contact") == "1",
                "notify_via": [v for v in form.getlist("reporter.notify_via") if v]}
    for k in ("name", "phone", "email", "line_user_id"):
        reporter[k] = val(f"reporter.{k}")
    tip["reporter"] = reporter
    return tip


def _form_values(form) -> dict:
    values = {k: v for k, v in form.items() if k not in ("idempotency_key", "lang")}
    values["reporter.notify_via"] = form.getlist("reporter.notify_via")
    return values


def cross_site_refusal(app, request) -> Response | None:
    """The answer to a form sent from another site's page (it must not file, send or spend attempts)."""
    if not requests.cross_site(request, getattr(app, "config", None) or {}):
        return None
    lang = request.args.get("lang") if request.args.get("lang") in ("th", "en") else "th"
    return render("message.html", lang, 403, title=T["form_refused"][lang],
                  messages=[i18n.message("request.cross_site")])


def _with_retry_after(response: Response, exc: ApiError) -> Response:
    if exc.detail.get("retry_after_seconds"):
        response.headers["Retry-After"] = str(int(exc.detail["retry_after_seconds"]))
    return response


def report_post(app, request, max_form_bytes: int, client: str | None = None) -> Response:
    lang = request.args.get("lang") if request.args.get("lang") in ("th", "en") else "th"
    refused = cross_site_refusal(app, request)
    if refused is not None:
        return refused
    try:
        form, uploads = _read(request, app, max_form_bytes)
        lang = form.get("lang") if form.get("lang") in ("th", "en") else lang
        key = form.get("idempotency_key") or None
        if key is not None and (len(key) > 64 or not key.isascii()):
            key = None
        _, body, _ = app.file_tip(form_to_tip(form, lang), uploads, caller=WEB_FORM, idempotency_key=key,
                                  client=client)
    except (ApiError, IntakeError) as refusal:
        exc = as_api_error(refusal)
        errors = dict(exc.fields or {})
        if not errors:
            errors["_request"] = [i18n.message(exc.key, **exc.detail)]
        values = _form_values(form) if "form" in locals() else None
        return _with_retry_after(report_form(app, request, lang=lang, values=values, errors=errors,
                                             status=exc.status), exc)
    except Exception as exc:  # noqa: BLE001 - a person reads this answer: a page, never raw JSON
        log.error("page.report_failed", error=type(exc).__name__, exc_info=exc)
        values = _form_values(form) if "form" in locals() else None
        return report_form(app, request, lang=lang, values=values,
                           errors={"_request": [_both("not_stored")]}, status=500)
    submitted_at = utcnow().replace(microsecond=0).isoformat()
    return render("receipt.html", lang, 201, reference=body["reference"],
                  receipt=receipts.display(body["receipt"]), submitted_at=submitted_at,
                  submitted_local=_when(submitted_at, lang),
                  proof_code=app.proof_code(body["reference"], submitted_at))


def _read(request, app, max_form_bytes):
    mimetype = (request.mimetype or "").lower()
    if mimetype == "multipart/form-data":
        form, named = requests.read_form(request, app.limits, max_form_bytes)
        return form, [u for _, u in named]
    if mimetype == "application/x-www-form-urlencoded":
        if request.content_length is not None and request.content_length > max_form_bytes:
            raise ApiError(413, "request.too_large")
        request.max_content_length = max_form_bytes
        request.max_form_memory_size = max_form_bytes
        return request.form, []
    raise ApiError(415, "request.wrong_content_type", accepted=["application/json", "multipart/form-data"])


def proof(app, request) -> Response:
    refused = cross_site_refusal(app, request)
    if refused is not None:
        return refused
    form = request.form
    reference, submitted_at, code = form.get("reference", ""), form.get("submitted_at", ""), form.get("code", "")
    lang = form.get("lang") if form.get("lang") in ("th", "en") else "th"
    if not app.proof_is_valid(reference, submitted_at, code):
        return render("message.html", lang, 400, title=T["proof"][lang],
                      messages=[i18n.message("field.invalid")])
    text = "\n".join([
        "หลักฐานการแจ้งเรื่อง / Proof of filing — สอดส่อง (Sodsong)",
        "",
        f"เลขที่เรื่อง / Reference: {reference}",
        f"วันเวลาที่ได้รับ / Received: {_when(submitted_at, 'th')} ({submitted_at})",
        f"รหัสตรวจสอบ / Verification code: {code}",
        "",
        "เอกสารนี้ยืนยันว่ามีการแจ้งเรื่องตามเลขที่ข้างต้น ไม่มีเนื้อหาของเรื่องและไม่มีรหัสรับแจ้ง",
        "This confirms that a report with the reference above was filed. It contains neither the report's",
        "content nor the receipt. The office can check the verification code with `sodsong intake verify-proof`.",
        "",
    ])
    headers = dict(HEADERS)
    headers["Content-Disposition"] = f'attachment; filename="sodsong-proof-{reference}.txt"'
    return Response(text.encode("utf-8"), status=200, mimetype="text/plain", headers=headers)


# -- following a tip ---------------------------------------------------------------------------------------------
def status_form(app, request, *, lang=None, errors=None, status=200) -> Response:
    return render("status_form.html", lang or lang_of(request), status, errors=errors or [])


def _status_page(app, lang, raw_receipt, client, notice=None, errors=None, status=200):
    view = app.status(raw_receipt, client)
    status_label = TIPSTER_STATUSES.get(view["status"]) or {"th": view["status"], "en": view["status"]}
    timeline = [dict(item, when=_when(item["at"], lang)) for item in view["timeline"]]
    questions = [dict(q, when=_when(q["asked_at"], lang)) for q in view["questions"]]
    asked = {q["question_id"]: q["text"] for q in view["questions"]}
    thread, number = [], 0
    for item in view.get("messages") or ():
        item = dict(item, when=_when(item["at"], lang), answers=asked.get(item.get("in_reply_to")))
        if item["kind"] == "question":
            number += 1
            item["number"] = number
        thread.append(item)
    return render("status.html", lang, status, view=view, status_label=status_label, timeline=timeline,
                  questions=questions, thread=thread, receipt=receipts.normalise(raw_receipt), notice=notice, errors=errors or {},
                  file_mb=int(app.limits["max_file_bytes"]) // (1024 * 1024))


def _both(key: str) -> dict:
    return {"th": T[key]["th"], "en": T[key]["en"]}


def status_post(app, request, client) -> Response:
    lang = lang_of(request)
    refused = cross_site_refusal(app, request)
    if refused is not None:
        return refused
    try:
        return _status_page(app, lang, request.form.get("receipt"), client)
    except (ApiError, IntakeError) as refusal:
        exc = as_api_error(refusal)
        return _with_retry_after(status_form(app, request, lang=lang, errors=[i18n.message(exc.key, **exc.detail)],
                                             status=exc.status), exc)
    except Exception as exc:  # noqa: BLE001
        log.error("page.status_failed", error=type(exc).__name__, exc_info=exc)
        return status_form(app, request, lang=lang, errors=[_both("page_failed")], status=500)


def message_post(app, request, client, max_form_bytes) -> Response:
    lang = request.args.get("lang") if request.args.get("lang") in ("th", "en") else "th"
    refused = cross_site_refusal(app, request)
    if refused is not None:
        return refused
    try:
        form, uploads = _read(request, app, max_form_bytes)
        lang = form.get("lang") if form.get("lang") in ("th", "en") else lang
        raw = form.get("receipt")
        data = {"text": form.get("text", "")}
        if form.get("in_reply_to"):
            data["in_reply_to"] = form.get("in_reply_to")
        app.add_message(raw, client, data, uploads)
    except (ApiError, IntakeError) as refusal:
        exc = as_api_error(refusal)
        if exc.status in (404, 429) or "form" not in locals():
            return _with_retry_after(status_form(app, request, lang=lang,
                                                 errors=[i18n.message(exc.key, **exc.detail)], status=exc.status),
                                     exc)
        errors = dict(exc.fields or {}) or {"_request": [i18n.message(exc.key, **exc.detail)]}
        return _status_page(app, lang, form.get("receipt"), client, errors=errors, status=exc.status)
    except Exception as exc:  # noqa: BLE001
        log.error("page.message_failed", error=type(exc).__name__, exc_info=exc)
        return status_form(app, request, lang=lang, errors=[_both("not_sent")], status=500)
    return _status_page(app, lang, raw, client, notice=T["sent"][lang])


def new_receipt_post(app, request, client) -> Response:
    lang = lang_of(request)
    refused = cross_site_refusal(app, request)
    if refused is not None:
        return refused
    try:
        result = app.new_receipt(request.form.get("receipt"), client)
    except (ApiError, IntakeError) as refusal:
        exc = as_api_error(refusal)
        return _with_retry_after(status_form(app, request, lang=lang, errors=[i18n.message(exc.key, **exc.detail)],
                                             status=exc.status), exc)
    return render("new_receipt.html", lang, 201, reference=result["reference"],
                  receipt=receipts.display(result["receipt"]))


def stylesheet() -> Response:
    css = (_DIR / "intake.css").read_text(encoding="utf-8")
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=3600",
                                                       "X-Content-Type-Options": "nosniff"})
