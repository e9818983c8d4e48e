"""Thai-first, English-second messages, including validation errors.

Validators raise marshmallow errors whose message is a key of MESSAGES; marshmallow's own English messages
are recognised and given a Thai translation. `field_errors()` turns a marshmallow error dict into
{"location.province_code": [{"th": ..., "en": ...}], ...}.
"""
from __future__ import annotations

import re

MESSAGES: dict[str, dict[str, str]] = {
    "request.invalid_json": {"th": "ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง", "en": "The request body is not valid JSON."},
    "request.invalid_utf8": {"th": "ข้อมูลที่ส่งมาไม่ใช่ UTF-8", "en": "The request body is not valid UTF-8."},
    "request.not_object": {"th": "ข้อมูลต้องเป็นออบเจกต์ JSON", "en": "The request body must be a JSON object."},
    "request.too_large": {"th": "ข้อมูลที่ส่งมามีขนาดใหญ่เกินกำหนด", "en": "The request body is too large."},
    "request.wrong_content_type": {"th": "ต้องส่งข้อมูลเป็น application/json",
                                   "en": "The request must be sent as application/json."},
    "request.validation_failed": {"th": "ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบช่องที่ระบุ",
                                  "en": "Some fields are not valid; see the field errors."},
    "request.not_found": {"th": "ไม่พบข้อมูลที่ขอ", "en": "Not found."},
    "request.method_not_allowed": {"th": "ไม่รองรับวิธีการนี้", "en": "Method not allowed."},
    "request.unauthorized": {"th": "กรุณาเข้าสู่ระบบ", "en": "Please sign in."},
    "request.internal_error": {"th": "ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้ง",
                               "en": "A temporary error occurred; please try again."},
    "receipt.missing": {"th": "กรุณาระบุรหัสรับแจ้ง (X-Receipt)", "en": "Please give your receipt (X-Receipt)."},
    "receipt.unknown": {"th": "ไม่พบเรื่องที่ตรงกับรหัสรับแจ้งนี้", "en": "No report matches this receipt."},
    "field.required": {"th": "จำเป็นต้องกรอก", "en": "This field is required."},
    "field.unknown": {"th": "ไม่รู้จักช่องข้อมูลนี้", "en": "Unknown field."},
    "field.null": {"th": "ต้องไม่เว้นว่าง", "en": "This field may not be null."},
    "field.not_string": {"th": "ต้องเป็นข้อความ", "en": "Must be a string."},
    "field.not_integer": {"th": "ต้องเป็นจำนวนเต็ม", "en": "Must be an integer."},
    "field.not_number": {"th": "ต้องเป็นตัวเลข", "en": "Must be a number."},
    "field.not_boolean": {"th": "ต้องเป็นจริงหรือเท็จ (true/false)", "en": "Must be true or false."},
    "field.not_date": {"th": "ต้องเป็นวันที่รูปแบบ ปปปป-ดด-วว", "en": "Must be a date (YYYY-MM-DD)."},
    "field.not_object": {"th": "ต้องเป็นออบเจกต์", "en": "Must be an object."},
    "field.not_list": {"th": "ต้องเป็นรายการ", "en": "Must be a list."},
    "field.not_email": {"th": "อีเมลไม่ถูกต้อง", "en": "Not a valid email address."},
    "field.not_one_of": {"th": "ค่าไม่อยู่ในตัวเลือกที่กำหนด", "en": "Not one of the allowed values."},
    "field.length": {"th": "ความยาวไม่อยู่ในช่วงที่กำหนด", "en": "Length is outside the allowed range."},
    "field.range": {"th": "ค่าไม่อยู่ในช่วงที่กำหนด", "en": "Value is outside the allowed range."},
    "field.invalid": {"th": "ค่าไม่ถูกต้อง", "en": "Invalid value."},
    "field.future_date": {"th": "วันที่ต้องไม่เป็นวันในอนาคต", "en": "The date may not be in the future."},
    "field.negative": {"th": "ต้องไม่ติดลบ", "en": "Must not be negative."},
    "field.phone": {"th": "หมายเลขโทรศัพท์ไม่ถูกต้อง", "en": "Not a valid phone number."},
    "geo.unknown_province": {"th": "ไม่พบรหัสจังหวัดนี้ (รหัสกรมการปกครอง 2 หลัก)",
                             "en": "Unknown province code (2-digit DOPA code)."},
    "geo.unknown_district": {"th": "ไม่พบรหัสอำเภอนี้", "en": "Unknown district code."},
    "geo.unknown_subdistrict": {"th": "ไม่พบรหัสตำบลนี้", "en": "Unknown subdistrict code."},
    "geo.district_not_in_province": {"th": "อำเภอนี้ไม่อยู่ในจังหวัดที่ระบุ",
                                     "en": "This district is not in the given province."},
    "geo.subdistrict_not_in_district": {"th": "ตำบลนี้ไม่อยู่ในอำเภอที่ระบุ",
                                        "en": "This subdistrict is not in the given district."},
    "geo.subdistrict_not_in_province": {"th": "ตำบลนี้ไม่อยู่ในจังหวัดที่ระบุ",
                                        "en": "This subdistrict is not in the given province."},
    # -- casework desk: sign-in, sessions, access ----------------------------------------------------------------
    "request.forbidden": {"th": "ท่านไม่มีสิทธิ์ทำรายการนี้", "en": "You are not allowed to do this."},
    "request.csrf_failed": {"th": "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง",
                            "en": "The form has expired or is not valid; reload the page and try again."},
    "session.invalid_credentials": {"th": "ชื่อผู้ใช้ รหัสผ่าน หรือรหัสยืนยันตัวตนไม่ถูกต้อง",
                                    "en": "Wrong username, password or verification code."},
    "session.totp_required": {"th": "กรุณากรอกรหัสยืนยันตัวตน 6 หลักจากแอปยืนยันตัวตน",
                              "en": "Please enter the 6-digit code from your authenticator app."},
    "session.throttled": {"th": "เข้าสู่ระบบผิดหลายครั้งเกินไป กรุณารอสักครู่แล้วลองใหม่",
                          "en": "Too many failed sign-ins; please wait a while and try again."},
    "session.signed_out": {"th": "ออกจากระบบแล้ว", "en": "You have signed out."},
    "user.invalid_username": {"th": "ชื่อผู้ใช้ต้องเป็นตัวอักษรภาษาอังกฤษพิมพ์เล็ก ตัวเลข . _ - ยาว 2-64 ตัว",
                              "en": "Usernames are 2-64 lowercase letters, digits, dots, dashes or underscores."},
    "user.invalid_office": {"th": "รหัสหน่วยงานไม่ถูกต้อง (เช่น PACC-R2)", "en": "Not a valid office code (e.g. PACC-R2)."},
    "user.invalid_role": {"th": "บทบาทไม่ถูกต้อง", "en": "Not a valid role."},
    "user.password_common": {"th": "รหัสผ่านนี้เป็นรหัสที่ใช้กันทั่วไปหรือเดาง่าย กรุณาใช้วลีที่ยาวและไม่ซ้ำกับที่อื่น",
                              "en": "This password is common or easy to guess; use a long phrase you use nowhere else."},
    "user.password_context": {"th": "รหัสผ่านต้องไม่สร้างจากชื่อผู้ใช้ รหัสหน่วยงาน หรือชื่อระบบ",
                               "en": "The password must not be built from the username, office code or product name."},
    "user.password_wrong": {"th": "รหัสผ่านปัจจุบันไม่ถูกต้อง", "en": "The current password is wrong."},
    "user.password_changed": {"th": "เปลี่ยนรหัสผ่านแล้ว", "en": "Your password has been changed."},
    "user.reset_invalid": {"th": "รหัสตั้งรหัสผ่านใหม่ไม่ถูกต้องหรือหมดอายุแล้ว กรุณาขอรหัสใหม่จากผู้ดูแลระบบ",
                           "en": "The reset code is wrong or has expired; ask your administrator for a new one."},
    "user.volunteer_unknown": {"th": "ไม่พบรหัสอาสาสมัครนี้ในทะเบียนอาสาสมัคร หรือถูกระงับแล้ว",
                               "en": "This volunteer id is not in the volunteer registry, or it is disabled."},
    "user.volunteer_binding": {"th": "เฉพาะผู้ดูแลระบบกลางเท่านั้นที่ผูกบัญชีกับรหัสอาสาสมัครได้ และต้องเป็นอาสาสมัครที่ลงทะเบียนแล้ว",
                               "en": "Only a system administrator may bind an account to a volunteer id, and only to a registered volunteer."},
    "user.password_length": {"th": "รหัสผ่านต้องยาว 12 ถึง 256 ตัวอักษร",
                             "en": "Passwords must be 12 to 256 characters long."},
    "user.exists": {"th": "มีชื่อผู้ใช้นี้แล้ว", "en": "This username is taken."},
    # -- casework desk: cases -------------------------------------------------------------------------------------
    "case.unknown_state": {"th": "ไม่รู้จักสถานะนี้", "en": "Unknown case state."},
    "case.reason_required": {"th": "กรุณาระบุเหตุผล", "en": "Please give a reason."},
    "case.transition_not_allowed": {"th": "เปลี่ยนสถานะจากสถานะปัจจุบันไปเป็นสถานะนี้ไม่ได้",
                                    "en": "The case cannot move from its current state to that one."},
    "case.transition_not_permitted": {"th": "บทบาทของท่านเปลี่ยนสถานะนี้ไม่ได้",
                                      "en": "Your role may not make this change of state."},
    "case.resolution_required": {"th": "การยุติเรื่องต้องระบุผลการพิจารณา",
                                 "en": "Closing a case needs a resolution."},
    "case.resolution_only_when_closing": {"th": "ระบุผลการพิจารณาได้เฉพาะเมื่อยุติเรื่อง",
                                          "en": "A resolution is given only when closing."},
    "case.office_only_when_handing_over": {"th": "ระบุหน่วยงานปลายทางได้เฉพาะเมื่อโอนหรือส่งต่อเรื่อง",
                                           "en": "An office is suggested only when transferring or referring."},
    "case.suggested_office_invalid": {"th": "รหัสหน่วยงานปลายทางไม่ถูกต้อง",
                                      "en": "The suggested office code is not valid."},
    "case.transfer_limit": {"th": "เรื่องนี้ถูกโอนครบจำนวนครั้งที่กำหนดแล้ว กรุณาติดต่อผู้ดูแลระบบ",
                            "en": "This case has been handed over the maximum number of times."},
    "case.closure_proposed": {"th": "เสนอยุติเรื่องแล้ว รอหัวหน้าอนุมัติ",
                              "en": "Closure proposed; a supervisor must approve it."},
    "case.text_required": {"th": "กรุณากรอกข้อความ", "en": "Please write something."},
    "case.visibility_invalid": {"th": "ต้องเลือกว่าเป็นบันทึกภายในหรือแจ้งผู้แจ้งเบาะแส",
                                "en": "Choose internal or tipster-visible."},
    "case.not_open": {"th": "เรื่องนี้ไม่อยู่ระหว่างดำเนินการ", "en": "This case is not open."},
    "case.assignee_invalid": {"th": "มอบหมายเรื่องนี้ให้ผู้ใช้รายนี้ไม่ได้",
                              "en": "This case cannot be assigned to that user."},
    "case.extension_invalid": {"th": "ขยายเวลาแจ้งความคืบหน้าได้ไม่เกินจำนวนเดือนสูงสุดที่กำหนด และต้องนานกว่าเดิม",
                               "en": "The feedback deadline can only be extended, up to the allowed maximum."},
    "case.updated": {"th": "บันทึกแล้ว", "en": "Saved."},
    "case.tipster_reason_required": {"th": "กรุณาเขียนเหตุผลการยุติเรื่องถึงผู้แจ้งเบาะแส (ภาษาไทย)",
                                     "en": "Please write the reason for closing for the tipster (in Thai)."},
    "case.tipster_reason_only_when_closing": {"th": "เหตุผลถึงผู้แจ้งใช้เฉพาะเมื่อยุติเรื่อง",
                                              "en": "A reason for the tipster is given only when closing."},
    "case.no_closure_proposal": {"th": "ไม่มีข้อเสนอยุติเรื่องที่รอการอนุมัติ",
                                 "en": "There is no closure proposal waiting for a decision."},
    "case.closure_rejected": {"th": "ไม่อนุมัติการยุติเรื่องแล้ว เรื่องยังดำเนินการต่อ",
                              "en": "Closure rejected; the case stays open."},
    "case.handed_over": {"th": "ส่งคำขอโอน/ส่งต่อเรื่องแล้ว ระบบกำลังพิจารณาหน่วยงานปลายทาง เมื่อเรื่องย้ายไปแล้ว "
                               "หน้านี้จะแสดงบันทึกการส่งต่อของหน่วยงานท่าน",
                         "en": "Hand-over requested; routing is deciding where it goes. Once the case has moved, this "
                               "page shows your office's record of it."},
    "case.not_in_triage": {"th": "เรื่องนี้ไม่ได้รอการคัดกรอง", "en": "This case is not waiting for triage."},
}

# marshmallow's English defaults -> our keys
_MARSHMALLOW = [
    (re.compile(r"^Missing data for required field"), "field.required"),
    (re.compile(r"^Unknown field"), "field.unknown"),
    (re.compile(r"^Field may not be null"), "field.null"),
    (re.compile(r"^Not a valid string"), "field.not_string"),
    (re.compile(r"^Not a valid integer"), "field.not_integer"),
    (re.compile(r"^Not a valid (number|decimal)"), "field.not_number"),
    (re.compile(r"^Not a valid boolean"), "field.not_boolean"),
    (re.compile(r"^Not a valid date"), "field.not_date"),
    (re.compile(r"^Not a valid mapping|^Invalid input type"), "field.not_object"),
    (re.compile(r"^Not a valid list"), "field.not_list"),
    (re.compile(r"^Not a valid email"), "field.not_email"),
    (re.compile(r"^Must be one of"), "field.not_one_of"),
    (re.compile(r"^(Shorter|Longer) than|^Length must be"), "field.length"),
    (re.compile(r"^Must be (greater|less)"), "field.range"),
    (re.compile(r"^Special numeric values"), "field.not_number"),
]


def message(key: str, **detail) -> dict:
    text = dict(MESSAGES.get(key) or MESSAGES["field.invalid"])
    if detail:
        text["detail"] = detail
    return text


def translate(raw: str) -> dict:
    if raw in MESSAGES:
        return dict(MESSAGES[raw])
    for pattern, key in _MARSHMALLOW:
        if pattern.search(raw):
            out = dict(MESSAGES[key])
            if key in ("field.not_one_of", "field.length", "field.range"):
                out["en"] = raw  # keeps the allowed values / bounds
            return out
    return {"th": MESSAGES["field.invalid"]["th"], "en": raw}


def field_errors(errors, prefix: str = "") -> dict[str, list[dict]]:
    """Flatten marshmallow's nested error dict into dotted field paths with bilingual messages."""
    out: dict[str, list[dict]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            path = prefix if key == "_schema" and prefix else (f"{prefix}.{key}" if prefix else str(key))
            for p, msgs in field_errors(value, path).items():
                out.setdefault(p, []).extend(msgs)
    elif isinstance(errors, (list, tuple)):
        for item in errors:
            if isinstance(item, (dict, list)):
                for p, msgs in field_errors(item, prefix).items():
                    out.setdefault(p, []).extend(msgs)
            else:
                out.setdefault(prefix or "_request", []).append(translate(str(item)))
    else:
        out.setdefault(prefix or "_request", []).append(translate(str(errors)))
    return out


# --- appended by intake (issue 3) -------------------------------------------------------------------------------
MESSAGES.update({
    "request.invalid": {"th": "คำขอไม่ถูกต้อง", "en": "The request is not valid."},
    "request.multipart_invalid": {"th": "ข้อมูลแบบ multipart ไม่ถูกต้อง",
                                  "en": "The multipart/form-data body could not be read."},
    "request.missing_tip_part": {"th": "ไม่พบส่วน tip (ข้อมูลเรื่องร้องเรียนแบบ JSON) ในข้อมูลที่ส่งมา",
                                 "en": "The multipart body has no `tip` part with the tip as JSON."},
    "request.missing_message_part": {"th": "ไม่พบส่วน message (ข้อความแบบ JSON) ในข้อมูลที่ส่งมา",
                                     "en": "The multipart body has no `message` part with the message as JSON."},
    "idempotency.invalid_key": {"th": "Idempotency-Key ต้องเป็นอักขระ ASCII ที่พิมพ์ได้ 1–255 ตัว",
                                "en": "Idempotency-Key must be 1–255 printable ASCII characters."},
    "idempotency.conflict": {"th": "Idempotency-Key นี้เคยใช้กับข้อมูลอื่นแล้ว กรุณาใช้คีย์ใหม่สำหรับเรื่องใหม่",
                             "en": "This Idempotency-Key was already used with a different request; "
                                   "use a new key for a new tip."},
    "receipt.too_many_attempts": {"th": "ลองรหัสรับแจ้งผิดหลายครั้งเกินไป กรุณารอสักครู่แล้วลองใหม่",
                                  "en": "Too many receipt attempts; please wait a while and try again."},
    "request.timeout": {"th": "ส่งข้อมูลช้าเกินไป การเชื่อมต่อถูกปิด กรุณาลองใหม่อีกครั้ง",
                        "en": "The request arrived too slowly and was closed; please try again."},
    "request.busy": {"th": "ขณะนี้มีผู้ส่งไฟล์พร้อมกันจำนวนมาก กรุณาลองใหม่ในอีกสักครู่ ข้อมูลของท่านยังไม่ถูกบันทึก",
                     "en": "Many uploads are in progress; please try again in a moment. Nothing was stored."},
    "request.cross_site": {"th": "แบบฟอร์มนี้ต้องส่งจากหน้าเว็บของสอดส่องเท่านั้น กรุณาเปิดหน้าแบบฟอร์มใหม่แล้วลองอีกครั้ง",
                           "en": "This form can only be sent from Sodsong's own pages; open the form again and retry."},
    "tip.too_many": {"th": "มีการส่งเรื่องจากเครือข่ายของท่านจำนวนมากในช่วงเวลาสั้น ๆ กรุณารอสักครู่แล้วส่งใหม่ "
                           "เรื่องที่ส่งไปแล้วได้รับไว้ครบถ้วน",
                     "en": "Many reports were sent from your network in a short time; please wait a little and "
                           "send again. Reports already sent were received."},
    "receipt.replaced": {"th": "ออกรหัสรับแจ้งใหม่แล้ว รหัสเดิมใช้ไม่ได้อีกต่อไป",
                         "en": "A new receipt was issued; the old one no longer works."},
    "attachment.too_large": {"th": "ไฟล์แนบแต่ละไฟล์ต้องมีขนาดไม่เกินที่กำหนด",
                             "en": "An attachment is larger than the per-file limit."},
    "attachment.total_too_large": {"th": "ไฟล์แนบรวมกันมีขนาดเกินที่กำหนดต่อหนึ่งเรื่อง",
                                   "en": "The attachments together are larger than the per-tip limit."},
    "attachment.too_many": {"th": "แนบไฟล์ได้ไม่เกินจำนวนที่กำหนด", "en": "Too many attachments."},
    "attachment.unsupported_type": {
        "th": "ไม่รองรับไฟล์ชนิดนี้ (รองรับเอกสาร PDF/Office/ข้อความ ภาพ JPEG/PNG/WebP/GIF และเสียง)",
        "en": "This file type is not accepted (documents: PDF, Office, text; photos: JPEG, PNG, WebP, GIF; audio)."},
    "attachment.empty": {"th": "ไฟล์แนบว่างเปล่า", "en": "An attachment is empty."},
    "attachment.unreadable_image": {"th": "อ่านไฟล์ภาพไม่ได้ ไฟล์อาจเสียหาย หรือภาพมีขนาดใหญ่เกินกำหนด",
                                    "en": "The image could not be read: the file may be damaged, or the picture is too large."},
    "message.empty": {"th": "กรุณาพิมพ์ข้อความหรือแนบไฟล์อย่างน้อยหนึ่งไฟล์",
                      "en": "Write a message or attach at least one file."},
    "message.unknown_question": {"th": "ไม่พบคำถามที่ตอบ", "en": "No such question on this report."},
    "volunteer.unauthorized": {"th": "โทเคนอาสาสมัครไม่ถูกต้องหรือถูกระงับ",
                               "en": "The volunteer token is not valid or has been disabled."},
    "volunteer.outside_area": {"th": "พื้นที่เกิดเหตุอยู่นอกตำบลที่อาสาสมัครรับผิดชอบ",
                               "en": "The location is outside the volunteer's subdistricts."},
    "volunteer.id_mismatch": {"th": "volunteer_id ต้องตรงกับอาสาสมัครที่เข้าสู่ระบบ",
                              "en": "volunteer_id must be the signed-in volunteer's id."},
    "partner.unauthorized": {"th": "api_key ไม่ถูกต้องหรือถูกระงับ", "en": "The api_key is missing, wrong or disabled."},
    "open311.unknown_service": {"th": "ไม่พบ service_code นี้", "en": "Unknown service_code."},
    "open311.unknown_request": {"th": "ไม่พบคำร้องนี้", "en": "No such service request."},
    "open311.location_required": {
        "th": "ต้องระบุพื้นที่: address_id (รหัสตำบล/อำเภอ/จังหวัดของกรมการปกครอง) หรือ attribute[province_code]",
        "en": "A location is required: address_id (a DOPA subdistrict, district or province code) "
              "or attribute[province_code]."},
    "field.not_digits": {"th": "ต้องเป็นตัวเลข", "en": "Must be digits."},
    "field.too_many_items": {"th": "จำนวนรายการเกินที่กำหนด", "en": "Too many items."},
    "field.blank": {"th": "ต้องไม่เป็นช่องว่างล้วน", "en": "Must not be blank."},
    "field.control_chars": {"th": "มีอักขระควบคุมที่ไม่อนุญาต", "en": "Contains control characters that are not allowed."},
    "field.contact_needs_consent": {
        "th": "ถ้าต้องการให้ติดต่อกลับ ต้องระบุช่องทางติดต่อที่ตรงกับที่เลือกและยินยอมให้ติดต่อ",
        "en": "To be contacted, give the contact for each channel chosen and consent to contact."},
    "field.anonymous_with_identity": {
        "th": "เลือกไม่เปิดเผยตัวตน แต่กรอกชื่อหรือช่องทางติดต่อไว้ กรุณาเลือกอย่างใดอย่างหนึ่ง",
        "en": "Anonymous was chosen but a name or contact was given; choose one or the other."},
})
