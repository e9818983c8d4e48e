"""Intake's own words, Thai first: what the tipster, a volunteer or a partner is told by the API and the pages.

Registered with shared.i18n when the service is imported (services/intake/__init__.py).
"""
from __future__ import annotations

from shared import i18n

MESSAGES = {
    "receipt.missing": {"th": "กรุณาระบุรหัสรับแจ้ง (X-Receipt)", "en": "Please give your receipt (X-Receipt)."},
    "receipt.unknown": {"th": "ไม่พบเรื่องที่ตรงกับรหัสรับแจ้งนี้", "en": "No report matches this receipt."},
    "field.future_date": {"th": "วันที่ต้องไม่เป็นวันในอนาคต", "en": "The date may not be in the future."},
    "field.negative": {"th": "ต้องไม่ติดลบ", "en": "Must not be negative."},
    "field.phone": {"th": "หมายเลขโทรศัพท์ไม่ถูกต้อง", "en": "Not a valid phone number."},
    "line.bad_signature": {"th": "ลายเซ็นของคำขอจาก LINE ไม่ถูกต้อง", "en": "The LINE signature is missing or wrong."},
    "line.not_configured": {"th": "ยังไม่ได้เชื่อมต่อ LINE", "en": "LINE is not connected."},
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
    "request.cross_site": {"th": "แบบฟอร์มนี้ต้องส่งจากหน้าเว็บของสอดส่องเท่านั้น กรุณาเปิดหน้าแบบฟอร์มใหม่แล้วลองอีกครั้ง",
                           "en": "This form can only be sent from Sodsong's own pages; open the form again and retry."},
    "tip.too_many": {"th": "มีการส่งเรื่องจากเครือข่ายของท่านจำนวนมากในช่วงเวลาสั้น ๆ กรุณารอสักครู่แล้วส่งใหม่ "
                           "เรื่องที่ส่งไปแล้วได้รับไว้ครบถ้วน",
                     "en": "Many reports were sent from your network in a short time; please wait a little and "
                           "send again. Reports already sent were received."},
    "service.busy": {"th": "ขณะนี้มีผู้ใช้งานจำนวนมาก ระบบยังไม่ได้บันทึกเรื่องของท่าน กรุณาส่งใหม่อีกครั้งในอีกสักครู่",
                     "en": "Sodsong is very busy right now and has not stored what you sent; please send it again "
                           "in a moment."},
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
    "filing.ticket_invalid": {"th": "หมดเวลาของแบบฟอร์มแจ้งแทนผู้อื่นแล้ว หรือแบบฟอร์มไม่ถูกต้อง กรุณากลับไปที่โต๊ะงาน"
                                    "แล้วเปิดแบบฟอร์มใหม่",
                              "en": "The form for filing on someone's behalf has expired or is not valid. Go back "
                                    "to the desk and open the form again."},
    "volunteer.outside_area": {"th": "พื้นที่เกิดเหตุอยู่นอกตำบลที่อาสาสมัครรับผิดชอบ",
                               "en": "The location is outside the volunteer's subdistricts."},
    "volunteer.id_mismatch": {"th": "volunteer_id ต้องตรงกับอาสาสมัครที่เข้าสู่ระบบ",
                              "en": "volunteer_id must be the signed-in volunteer's id."},
    "partner.unauthorized": {"th": "api_key ไม่ถูกต้องหรือถูกระงับ", "en": "The api_key is missing, wrong or disabled."},
    "open311.unknown_service": {"th": "ไม่พบ service_code นี้", "en": "Unknown service_code."},
    "open311.unknown_request": {"th": "ไม่พบคำร้องนี้", "en": "No such service request."},
    "open311.point_is_not_a_place": {
        "th": "ระบบยังแปลงพิกัด (lat/long) เป็นตำบลไม่ได้ กรุณาระบุพื้นที่ด้วย address_id (รหัสตำบล/อำเภอ/จังหวัดของ"
              "กรมการปกครอง) หรือ attribute[province_code] แล้วส่ง lat/long มาด้วยได้",
        "en": "Coordinates alone cannot be turned into a place yet: give address_id (a DOPA subdistrict, district "
              "or province code) or attribute[province_code]; lat/long may come with it."},
    "open311.form_required": {
        "th": "คำร้อง Open311 ต้องส่งเป็น application/x-www-form-urlencoded หรือ multipart/form-data",
        "en": "An Open311 request must be sent as application/x-www-form-urlencoded or multipart/form-data."},
    "field.media_url": {"th": "ต้องเป็นลิงก์ http:// หรือ https:// ที่เปิดได้ในเบราว์เซอร์",
                        "en": "Must be an http:// or https:// link a browser can open."},
    "geo.outside_thailand": {"th": "พิกัดนี้อยู่นอกประเทศไทย (ละติจูด 5–21, ลองจิจูด 97–106)",
                             "en": "This point is outside Thailand (latitude 5–21, longitude 97–106)."},
    "geo.point_needs_both": {"th": "ต้องระบุทั้งละติจูด (lat) และลองจิจูด (long)",
                             "en": "Give both latitude (lat) and longitude (long)."},
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
}

i18n.register("intake", MESSAGES)
