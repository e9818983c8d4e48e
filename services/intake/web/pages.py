"""The public web pages: file a tip, keep the receipt, follow the tip and answer questions.

Thai first with an English switch (`?lang=en`), plain HTML forms that work without JavaScript, one local
stylesheet, no external scripts, fonts or trackers. The receipt never appears in a URL: the status pages are
reached by POST, and the answer forms carry it in a hidden field of a page that is never cached.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime
from pathlib import Path

import jinja2
from werkzeug.wrappers import Response

from marshmallow import ValidationError

from services.intake import form_drafts, receipts
from services.intake.domain import attachments
from services.intake.domain.callers import PUBLIC, Caller
from services.intake.domain.errors import IntakeError
from services.intake.domain.tip import TipSchema
from services.intake.settings import SETTINGS as INTAKE_SETTINGS
from services.intake.web import geography_options, requests
from services.intake.web.errors import as_api_error
from shared import i18n
from shared.config import SHARED as SHARED_SETTINGS
from shared.clock import buddhist_year, local, utcnow
from shared.logging import get_logger
from shared.vocabulary import CATEGORIES, NOTIFY_CHANNELS, OFFICIAL_TYPE_GROUPS, OFFICIAL_TYPES, TIPSTER_STATUSES
from shared.web import ApiError

PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; "
            "form-action 'self'; "
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
    "district": {"th": "อำเภอ / เขต (ถ้าทราบ)", "en": "District (if known)"},
    "subdistrict": {"th": "ตำบล / แขวง (ถ้าทราบ)", "en": "Subdistrict (if known)"},
    "choose_province_first": {"th": "— เลือกจังหวัดก่อน —", "en": "— choose the province first —"},
    "choose_district_first": {"th": "— เลือกอำเภอก่อน —", "en": "— choose the district first —"},
    "not_sure": {"th": "— ไม่ทราบ / ไม่แน่ใจ —", "en": "— not known / not sure —"},
    "show_places": {"th": "แสดงรายชื่ออำเภอและตำบล", "en": "Show districts and subdistricts"},
    "show_places_help": {"th": "เลือกจังหวัดหรืออำเภอแล้วกดปุ่มนี้ หน้านี้จะแสดงรายชื่อให้เลือกต่อ ข้อมูลที่กรอกและไฟล์ที่แนบไว้จะยังอยู่",
                         "en": "After choosing a province or district, press this to get the next list. What "
                               "you typed and the files you attached are kept."},
    "filter": {"th": "พิมพ์ชื่อเพื่อค้นหา", "en": "Type a name to filter"},
    "use_location": {"th": "ใช้ตำแหน่งของฉัน", "en": "Use my location"},
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
    "evidence_help": {"th": "ระบบลบข้อมูลตำแหน่ง (GPS) และข้อมูลกล้องออกจากภาพให้อัตโนมัติ แต่เอกสารและไฟล์เสียงอาจมีชื่อของท่าน"
                            "ในคุณสมบัติของไฟล์ โปรดตรวจสอบก่อนแนบ",
                      "en": "Location (GPS) and camera data are removed from photos automatically, but documents "
                            "and audio files may carry your name in their properties: check before attaching."},
    "you": {"th": "ตัวท่าน", "en": "About you"},
    "anon_yes": {"th": "ไม่เปิดเผยตัวตน (แนะนำ) — ระบบไม่เก็บชื่อหรือช่องทางติดต่อ ท่านติดตามเรื่องได้ด้วยรหัสรับแจ้ง",
                 "en": "Stay anonymous (recommended) — no name or contact is kept; you follow the report with "
                       "the receipt"},
    "anon_no": {"th": "ให้ชื่อหรือช่องทางติดต่อ เพื่อให้เจ้าหน้าที่ติดต่อกลับได้",
                "en": "Give a name or contact, so the office can reach you"},
    "contact_legend": {"th": "ข้อมูลติดต่อของท่าน", "en": "Your contact details"},
    "contact_ignored": {"th": "กรอกเฉพาะเมื่อเลือก \"ให้ชื่อหรือช่องทางติดต่อ\" ด้านบน ถ้าเลือก \"ไม่เปิดเผยตัวตน\" "
                              "ระบบจะไม่อ่านและไม่เก็บช่องในส่วนนี้",
                        "en": "Fill in only if you chose \"Give a name or contact\" above. If you chose \"Stay "
                              "anonymous\", nothing in this section is read or kept."},
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
    "errors_count": {"th": "พบ {n} จุดที่ต้องแก้ไข ข้อมูลที่กรอกและไฟล์ที่แนบไว้ยังอยู่ครบ",
                     "en": "{n} thing(s) to correct. What you typed and the files you attached are kept."},
    "other_language": {"th": "อ่านเป็นภาษาอังกฤษ", "en": "Read in Thai"},
    "kept_files": {"th": "ไฟล์ที่แนบไว้แล้ว (ไม่ต้องแนบใหม่)", "en": "Files already attached (no need to attach again)"},
    "keep_file": {"th": "ส่งไฟล์นี้ด้วย", "en": "Send this file"},
    "file_input": {"th": "เลือกไฟล์หลักฐาน", "en": "Choose evidence files"},
    "file_button": {"th": "แตะเพื่อเลือกไฟล์ (เลือกได้หลายไฟล์)", "en": "Tap to choose files (several at once)"},
    "file_limits": {"th": "ขนาดไฟล์ไม่เกิน {file_mb} MB ต่อไฟล์ รวมไม่เกิน {tip_mb} MB ไม่เกิน {max_files} ไฟล์",
                    "en": "Up to {file_mb} MB per file, {tip_mb} MB in all, at most {max_files} files"},
    "file_too_large": {"th": "ไฟล์ \"{name}\" มีขนาด {size} เกินขนาดที่รับได้ {limit} MB ต่อไฟล์ ไฟล์นี้ไม่ได้ถูกเก็บไว้",
                       "en": "\"{name}\" is {size}, over the limit of {limit} MB per file; it was not kept."},
    "file_unsupported": {"th": "ไฟล์ \"{name}\" เป็นชนิดที่ไม่รองรับ (รองรับ PDF เอกสาร Office ข้อความ ภาพ JPEG/PNG/WebP/GIF "
                               "และเสียง) ไฟล์นี้ไม่ได้ถูกเก็บไว้",
                         "en": "\"{name}\" is a type that is not accepted (PDF, Office documents, text, JPEG/PNG/"
                               "WebP/GIF photos, audio); it was not kept."},
    "file_empty": {"th": "ไฟล์ \"{name}\" ว่างเปล่า ไฟล์นี้ไม่ได้ถูกเก็บไว้", "en": "\"{name}\" is empty; it was not kept."},
    "files_total": {"th": "ไฟล์รวมกันมีขนาด {size} เกินขนาดรวมที่รับได้ {limit} MB กรุณาเอาบางไฟล์ออก",
                    "en": "The files together are {size}, over the limit of {limit} MB; please leave some out."},
    "files_count": {"th": "แนบไว้ {n} ไฟล์ เกินจำนวนที่รับได้ {limit} ไฟล์ กรุณาเอาบางไฟล์ออก",
                    "en": "{n} files attached, more than the {limit} accepted; please leave some out."},
    "limit_mb": {"th": " (ไม่เกิน {mb} MB)", "en": " (limit: {mb} MB)"},
    "limit_files": {"th": " (ไม่เกิน {n} ไฟล์)", "en": " (at most {n} files)"},
    "retry_after": {"th": " กรุณารอประมาณ {minutes} นาที", "en": " Please wait about {minutes} minute(s)."},
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
    "receipt_gone": {"th": "หน้ารหัสรับแจ้งแสดงซ้ำได้เฉพาะในเบราว์เซอร์เดิมภายใน {minutes} นาทีหลังส่งเรื่อง และหมดเวลาแล้ว "
                           "ถ้าท่านจดรหัสไว้แล้ว ใช้รหัสนั้นติดตามเรื่องได้",
                     "en": "The receipt page can be shown again only in the same browser within {minutes} minutes "
                           "of filing, and that time is over. If you wrote the receipt down, use it to follow "
                           "the report."},
    "trust_link": {"th": "เกี่ยวกับบริการนี้", "en": "About this service"},
    "required_note": {"th": "ช่องที่มีเครื่องหมาย * ต้องกรอก ช่องอื่นไม่บังคับ", "en": "Fields marked * are required; the rest are optional."},
    "description_help": {"th": "อย่างน้อย 10 ตัวอักษร ไม่เกิน 10,000 ตัวอักษร", "en": "At least 10 and at most 10,000 characters."},
    "trust_summary_title": {"th": "ก่อนแจ้งเรื่อง", "en": "Before you report"},
    "trust_summary_office": {"th": "หน่วยงานจะรับทราบเรื่องภายใน {days} วัน และพิจารณาว่าจะรับเรื่องไว้หรือไม่ภายใน {months} เดือน",
                             "en": "The office acknowledges your report within {days} days and decides whether to "
                                   "take it up within {months} months."},
    "trust_summary_law": {"th": "กฎหมายห้ามเปิดเผยตัวตนของผู้แจ้งเบาะแส และท่านแจ้งโดยไม่เปิดเผยตัวตนได้",
                          "en": "The law forbids revealing who a tipster is, and you may report without giving your name."},
    "trust_summary_hotlines": {"th": "สายด่วน:", "en": "Hotlines:"},
    "trust_more": {"th": "อ่านว่าใครดูแลระบบ เก็บอะไรไว้นานเท่าไร และกฎหมายคุ้มครองอย่างไร",
                   "en": "Read who runs this service, what is kept and for how long, and how the law protects you"},
    "receipt_reshow": {"th": "ถ้าต้องการอ่านหน้านี้เป็นภาษาอื่น กดปุ่มเปลี่ยนภาษาได้ภายใน {minutes} นาที ในเบราว์เซอร์นี้เท่านั้น",
                       "en": "To read this page in the other language, use the language button within {minutes} "
                             "minutes, in this browser only."},
    "next_title": {"th": "ขั้นต่อไป", "en": "What happens next"},
    "next_text": {"th": "เจ้าหน้าที่จะอ่านเรื่องและส่งให้หน่วยงานที่มีอำนาจ ท่านใช้รหัสรับแจ้งดูความคืบหน้าและตอบคำถามของเจ้าหน้าที่ได้ที่หน้า \"ติดตามเรื่อง\"",
                  "en": "Staff read the report and pass it to the office with power to act. Use the receipt on "
                        "\"Follow a report\" to see progress and answer the office's questions."},
    "trust_title": {"th": "เกี่ยวกับบริการนี้ และสิ่งที่จะเกิดขึ้นต่อไป", "en": "About this service, and what happens next"},
    "who_title": {"th": "ใครดูแลระบบนี้", "en": "Who runs this service"},
    "stored_title": {"th": "ระบบเก็บอะไรไว้ และนานเท่าไร", "en": "What is kept, and for how long"},
    "stored_content": {"th": "เนื้อหาเรื่อง ไฟล์หลักฐาน และข้อความ เก็บแบบเข้ารหัส และส่งให้เฉพาะเจ้าหน้าที่ที่ดูแลเรื่อง ทุกครั้งที่มีผู้เปิดอ่านจะถูกบันทึก",
                       "en": "The report, its files and messages are stored encrypted and shown only to the staff "
                             "handling it; every reading is recorded."},
    "stored_ip": {"th": "ระบบไม่เก็บที่อยู่ IP ของท่าน และภาพถ่ายจะถูกลบข้อมูลตำแหน่ง (GPS) ออก",
                  "en": "Your IP address is not kept, and location (GPS) data is removed from photos."},
    "stored_identity": {"th": "ถ้าท่านให้ชื่อหรือช่องทางติดต่อ ข้อมูลนี้เข้ารหัส ไม่ส่งต่อให้หน่วยงานอื่น และลบภายใน {days} วันหลังปิดเรื่อง",
                        "en": "If you give a name or contact, it is encrypted, never passed to other offices, and "
                              "deleted {days} days after the case is closed."},
    "stored_cases": {"th": "เรื่องที่ปิดแล้วจะถูกลบข้อมูลที่ระบุตัวบุคคลได้หลังประมาณ {years} ปี",
                     "en": "Closed cases are stripped of what identifies people after about {years} years."},
    "stored_files": {"th": "ถ้าแบบฟอร์มต้องแก้ไข ไฟล์ที่แนบไว้จะเก็บแบบเข้ารหัสชั่วคราวไม่เกิน {minutes} นาที เพื่อไม่ต้องแนบใหม่",
                     "en": "If the form needs a correction, the files you attached are kept encrypted for at most "
                           "{minutes} minutes so you need not attach them again."},
    "next_steps": {"th": "เจ้าหน้าที่รับทราบเรื่องภายใน {days} วัน และพิจารณาว่าจะรับเรื่องไว้ดำเนินการหรือไม่ภายใน {months} เดือน "
                         "ถ้าเรื่องอยู่นอกอำนาจ จะส่งต่อให้หน่วยงานที่มีอำนาจ และท่านจะเห็นในหน้าติดตามเรื่อง "
                         "เจ้าหน้าที่อาจถามข้อมูลเพิ่ม ซึ่งท่านตอบได้ในหน้าเดียวกัน",
                   "en": "Staff acknowledge the report within {days} days and decide whether to take it up within "
                         "{months} months. A matter outside their power is passed to the office that has it, and "
                         "you see this on the status page. Staff may ask questions, which you answer there."},
    "law_title": {"th": "กฎหมายคุ้มครองผู้แจ้งเบาะแส", "en": "How the law protects tipsters"},
    "law_nacc": {"th": "พ.ร.ป.ว่าด้วยการป้องกันและปราบปรามการทุจริต พ.ศ. 2561 มาตรา 36 ห้ามเปิดเผยชื่อและข้อมูลของผู้กล่าวหา "
                       "ผู้แจ้งเบาะแส และพยาน",
                 "en": "The Organic Act on Anti-Corruption B.E. 2561 (2018), section 36, forbids disclosing who "
                       "complainants, tipsters and witnesses are."},
    "law_anonymous": {"th": "หนังสือกล่าวหาที่ไม่ระบุชื่อ แต่มีรายละเอียดการกระทำและหลักฐานหรือแหล่งหลักฐาน ป.ป.ช. จะปฏิเสธไม่รับพิจารณาไม่ได้ (มาตรา 60)",
                      "en": "An anonymous complaint that describes the conduct, with evidence or where to find it, "
                            "cannot be refused by the NACC (section 60)."},
    "law_pacc": {"th": "ป.ป.ท. ต้องปกปิดชื่อผู้ร้องเรียนเมื่อได้รับการร้องขอ (พ.ร.บ.มาตรการของฝ่ายบริหารในการป้องกันและปราบปรามการทุจริต มาตรา 24)",
                 "en": "The PACC must keep a complainant's identity secret when asked (Executive Measures in "
                       "Anti-Corruption Act, section 24)."},
    "hotlines_title": {"th": "สายด่วนของหน่วยงาน", "en": "The agencies' hotlines"},
    "keep_title": {"th": "เก็บรหัสรับแจ้งให้ปลอดภัย", "en": "Keeping the receipt safe"},
    "keep_1": {"th": "จดรหัส 16 หลักลงกระดาษ แล้วเก็บไว้ในที่ที่คนอื่นไม่เห็น", "en": "Write the 16 digits on paper and keep it where others will not see it."},
    "keep_2": {"th": "อย่าถ่ายภาพหน้าจอเก็บในโทรศัพท์ที่ใช้ร่วมกับผู้อื่น และอย่าส่งรหัสทางแชท",
               "en": "Do not keep a screenshot on a phone you share, and do not send the receipt by chat."},
    "keep_3": {"th": "ใครที่มีรหัสนี้ดูความคืบหน้าได้ ถ้าคิดว่ามีคนอื่นเห็นรหัส ขอรหัสใหม่ได้ที่หน้าติดตามเรื่อง",
               "en": "Anyone with it can see the progress. If you think someone else has seen it, get a new one on "
                     "the status page."},
    "keep_4": {"th": "รหัสนี้กู้คืนไม่ได้ ถ้าทำหาย ท่านยังแจ้งเรื่องใหม่ได้เสมอ",
               "en": "It cannot be recovered; if you lose it, you can always file again."},
    "contact_title": {"th": "ติดต่อผู้ดูแล", "en": "Contact"},
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
# Each field of the form: the element an error points to, and the label it is known by.
FIELDS = {
    "category": ("category", "category"), "description": ("description", "description"),
    "event_date": ("event_date", "event_date"), "amount_thb": ("amount_thb", "amount"),
    "location": ("province", "province"), "location.province_code": ("province", "province"),
    "location.district_code": ("district", "district"), "location.subdistrict_code": ("subdistrict", "subdistrict"),
    "location.place": ("place", "place"), "accused.official_type": ("official_type", "official_type"),
    "accused.name": ("accused_name", "accused_name"), "accused.position": ("accused_position", "position"),
    "accused.organization": ("accused_org", "organization"), "attachments": ("attachments", "evidence"),
    "reporter.anonymous": ("anon-yes", "you"), "reporter.name": ("r_name", "name"),
    "reporter.phone": ("r_phone", "phone"), "reporter.email": ("r_email", "email"),
    "reporter.line_user_id": ("r_line", "line"), "reporter.notify_via": ("notify-email", "notify_via"),
    "reporter.consent_to_contact": ("consent", "consent"),
}
IDENTITY = ("name", "phone", "email", "line_user_id")


def say(message: dict, lang: str) -> str:
    """A message in one language, with the limit it speaks of (a size, a number of files, a wait)."""
    text = message.get(lang) or message.get("th") or ""
    detail = message.get("detail") or {}
    if detail.get("limit_bytes"):
        text += T["limit_mb"][lang].format(mb=int(detail["limit_bytes"]) // (1024 * 1024))
    if detail.get("max_files"):
        text += T["limit_files"][lang].format(n=int(detail["max_files"]))
    if detail.get("retry_after_seconds"):
        text += T["retry_after"][lang].format(minutes=max(1, -(-int(detail["retry_after_seconds"]) // 60)))
    return text


_env.globals["say"] = say


def _limits(app) -> dict:
    limit = app.limits
    return {"file_mb": int(limit["max_file_bytes"]) // (1024 * 1024),
            "tip_mb": int(limit["max_tip_bytes"]) // (1024 * 1024), "max_files": int(limit["max_files"]),
            "max_file_bytes": int(limit["max_file_bytes"]), "max_tip_bytes": int(limit["max_tip_bytes"])}


def _web_settings(app) -> dict:
    return INTAKE_SETTINGS.section(getattr(app, "config", None), "intake.web")


def trust_settings(app) -> dict:
    config = getattr(app, "config", None)
    trust = INTAKE_SETTINGS.section(config, "intake.trust")
    retention = SHARED_SETTINGS.section(config, "retention")
    trust["identity_days"] = int(retention["tipster_identity_days_after_closure"])
    trust["closed_case_years"] = round(float(retention["closed_case_days"]) / 365)
    trust["files_kept_minutes"] = int(_web_settings(app)["files_kept_minutes"])
    return trust


def report_form(app, request, *, lang=None, values=None, errors=None, kept=None, files_token=None,
                status=200) -> Response:
    lang = lang or lang_of(request)
    values = values or {"reporter.anonymous": "1"}
    errors = errors or {}
    summary = [{"id": FIELDS.get(path, ("", ""))[0], "label": T[FIELDS[path][1]] if path in FIELDS else None,
                "message": m} for path, messages in errors.items() for m in messages]
    return render("report.html", lang, status, values=values, errors=errors, summary=summary,
                  categories=CATEGORIES, official_types=OFFICIAL_TYPES, official_type_groups=OFFICIAL_TYPE_GROUPS,
                  **place_choices(values), notify_channels=NOTIFY_CHANNELS,
                  idempotency_key=values.get("idempotency_key") or secrets.token_urlsafe(18),
                  kept=kept or [], files_token=files_token, trust=trust_settings(app),
                  js_text={k: T[k][lang] for k in JS_TEXT}, **_limits(app))


def place_choices(values: dict) -> dict:
    """The place pickers' lists for what the form holds: every province, the chosen province's districts, the
    chosen district's subdistricts (the public form and the assisted form draw the same pickers)."""
    province = values.get("location.province_code") or None
    district = values.get("location.district_code") or None
    districts = geography_options.districts(province)
    if district and not any(d["code"] == district for d in districts):
        district = None
    return {"provinces": geography_options.provinces(), "districts": districts,
            "subdistricts": geography_options.subdistricts(district)}


JS_TEXT = ("not_sure", "choose_province_first", "choose_district_first", "filter", "file_too_large", "file_unsupported",
           "files_total", "files_count")


def form_to_tip(form, lang: str) -> dict:
    """The web form's flat fields (dotted names) as the one tip model. The contact fields are read only when the
    tipster chose to give them (`reporter.anonymous` = "0"): otherwise they are ignored, whatever they hold."""
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
    if gives_contact(form):
        reporter = {"anonymous": False, "consent_to_contact": form.get("reporter.consent_to_contact") == "1",
                    "notify_via": [v for v in form.getlist("reporter.notify_via") if v]}
        for k in IDENTITY:
            reporter[k] = val(f"reporter.{k}")
    else:
        reporter = {"anonymous": True}
    tip["reporter"] = reporter
    return tip


def gives_contact(form) -> bool:
    """The tipster chose to give a name or contact ("0"). A form from before the choice was one radio had a
    checkbox that was absent when unticked: absent with a name or contact typed means the same."""
    choice = form.get("reporter.anonymous")
    if choice is None:
        return any((form.get(f"reporter.{k}") or "").strip() for k in IDENTITY)
    return choice == "0"


def _form_values(form) -> dict:
    values = {k: v for k, v in form.items() if k not in ("lang", "files_token", "keep_file", "step")}
    values["reporter.notify_via"] = form.getlist("reporter.notify_via")
    if gives_contact(form):
        values["reporter.anonymous"] = "0"
    else:  # never carried over: the tipster chose not to give them
        values["reporter.anonymous"] = "1"
        for k in (*IDENTITY, "consent_to_contact"):
            values.pop(f"reporter.{k}", None)
        values["reporter.notify_via"] = []
    if values.get("location.province_code") and values.get("location.district_code", "")[:2] \
            != values["location.province_code"]:
        values.pop("location.district_code", None)  # a new province: its districts are to be chosen anew
    if values.get("location.subdistrict_code", "")[:4] != values.get("location.district_code"):
        values.pop("location.subdistrict_code", None)
    return values


def form_problems(tip: dict) -> dict[str, list[dict]]:
    """Every problem of the form's fields at once, as {field path: [message]} (the files: file_problems)."""
    try:
        TipSchema().load(tip)
    except ValidationError as exc:
        return i18n.field_errors(exc.messages)
    return {}


def file_problems(uploads: list, limits: dict) -> tuple[list, list[dict]]:
    """(the files that can be kept, a message for each one that cannot, and for too many or too much)."""
    per_file, per_tip = int(limits["max_file_bytes"]), int(limits["max_tip_bytes"])
    fine, problems = [], []

    def problem(key, **kw):
        problems.append({lang: T[key][lang].format(**kw) for lang in ("th", "en")})

    for upload in uploads:
        name = upload.filename or "?"
        if not upload.data:
            problem("file_empty", name=name)
        elif len(upload.data) > per_file:
            problem("file_too_large", name=name, size=i18n.filesize(len(upload.data)), limit=per_file // 1048576)
        elif attachments.sniff(upload.data) not in attachments.ACCEPTED:
            problem("file_unsupported", name=name)
        else:
            fine.append(upload)
    total = sum(len(u.data) for u in fine)
    if total > per_tip:
        problem("files_total", size=i18n.filesize(total), limit=per_tip // 1048576)
    if len(fine) > int(limits["max_files"]):
        problem("files_count", n=len(fine), limit=int(limits["max_files"]))
    return fine, problems


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


def _kept_uploads(app, form) -> list:
    """The files kept from the form's earlier step that the tipster still wants sent."""
    token = form.get("files_token")
    if not token or not hasattr(app, "db"):
        return []
    files = form_drafts.kept_files(app.db, app.keyring, token)
    wanted = set(form.getlist("keep_file"))
    return [f for index, f in enumerate(files) if str(index) in wanted]


def _keep(app, form, uploads) -> tuple[list[dict], str | None]:
    """Keep these files (sealed) for the form's next step: what the page lists, and the token it carries."""
    form_drafts.drop(app.db, form.get("files_token")) if hasattr(app, "db") else None
    if not uploads or not hasattr(app, "db"):
        return [], None
    token = form_drafts.keep_files(app.db, app.keyring, uploads, _web_settings(app)["files_kept_minutes"])
    return [{"index": i, "name": u.filename or T["file"]["th"], "size": len(u.data)} for i, u in enumerate(uploads)], token


def report_post(app, request, max_form_bytes: int, client: str | None = None) -> Response:
    """The form sent: a step (the next list of places, the other language) shows it again with everything kept;
    a send checks everything at once, files it, or shows it again with each problem next to its field. Files
    come back with the form (kept sealed, server-side) whatever happens, until the tip is filed."""
    lang = request.args.get("lang") if request.args.get("lang") in ("th", "en") else "th"
    refused = cross_site_refusal(app, request)
    if refused is not None:
        return refused
    form, uploads, kept, files_token = None, [], [], None
    try:
        form, new_uploads = _read(request, app, max_form_bytes)
        lang = form.get("lang") if form.get("lang") in ("th", "en") else lang
        step = form.get("step") or "send"
        if step == "lang":
            lang = "en" if lang == "th" else "th"
        tip = form_to_tip(form, lang)
        uploads, file_errors = file_problems(_kept_uploads(app, form) + list(new_uploads), app.limits)
        if step != "send":
            kept, files_token = _keep(app, form, uploads)
            errors = form_problems(tip) if form.get("had_errors") else {}
            if file_errors:
                errors["attachments"] = file_errors
            return report_form(app, request, lang=lang, values=_form_values(form), errors=errors, kept=kept,
                               files_token=files_token)
        errors = form_problems(tip)
        if file_errors:
            errors["attachments"] = file_errors
        if errors:
            kept, files_token = _keep(app, form, uploads)
            return report_form(app, request, lang=lang, values=_form_values(form), errors=errors, kept=kept,
                               files_token=files_token, status=400)
        key = form.get("idempotency_key") or None
        if key is not None and (len(key) > 64 or not key.isascii()):
            key = None
        _, body, _ = app.file_tip(tip, uploads, caller=WEB_FORM, idempotency_key=key, client=client)
    except (ApiError, IntakeError) as refusal:
        exc = as_api_error(refusal)
        errors = dict(exc.fields or {})
        if not errors:
            errors["_request"] = [i18n.message(exc.key, **exc.detail)]
        if form is not None and uploads and not kept:
            kept, files_token = _keep(app, form, uploads)
        values = _form_values(form) if form is not None else None
        return _with_retry_after(report_form(app, request, lang=lang, values=values, errors=errors, kept=kept,
                                             files_token=files_token, status=exc.status), exc)
    except Exception as exc:  # noqa: BLE001 - a person reads this answer: a page, never raw JSON
        log.error("page.report_failed", error=type(exc).__name__, exc_info=exc)
        values = _form_values(form) if form is not None else None
        try:
            if form is not None and uploads and not kept:
                kept, files_token = _keep(app, form, uploads)
        except Exception:  # noqa: BLE001 - the files cannot be kept either: the page still answers
            kept, files_token = [], None
        return report_form(app, request, lang=lang, values=values, errors={"_request": [_both("not_stored")]},
                           kept=kept, files_token=files_token, status=500)
    if hasattr(app, "db"):
        form_drafts.drop(app.db, form.get("files_token"))
    submitted_at = utcnow().replace(microsecond=0).isoformat()
    shown = {"reference": body["reference"], "receipt": body["receipt"], "submitted_at": submitted_at}
    return _remember_receipt(app, request, _receipt_page(app, lang, shown, 201), shown, "/report")


def _remember_receipt(app, request, response: Response, shown: dict, path: str) -> Response:
    """Let this browser see the receipt page once more (the other language) for a few minutes: the receipt is
    kept sealed server-side, the browser holds only an opaque token in a cookie for `path` (never in a URL)."""
    if not hasattr(app, "db"):
        return response
    minutes = _web_settings(app)["receipt_reshow_minutes"]
    token = form_drafts.put(app.db, app.keyring, "receipt", shown, minutes)
    response.set_cookie(RECEIPT_COOKIE, token, max_age=int(minutes) * 60, path=path, httponly=True,
                        samesite="Strict", secure=request.scheme == "https")
    return response


RECEIPT_COOKIE = "sodsong_receipt"


def _receipt_page(app, lang: str, shown: dict, status: int = 200) -> Response:
    return render("receipt.html", lang, status, reference=shown["reference"],
                  receipt=receipts.display(shown["receipt"]), submitted_at=shown["submitted_at"],
                  submitted_local=_when(shown["submitted_at"], lang),
                  proof_code=app.proof_code(shown["reference"], shown["submitted_at"]),
                  reshow_minutes=_web_settings(app)["receipt_reshow_minutes"])


def receipt_again(app, request) -> Response:
    """The receipt page once more (the other language), for the browser that filed, within a few minutes."""
    refused = cross_site_refusal(app, request)
    if refused is not None:
        return refused
    lang = i18n.language(request.form.get("lang"))
    shown = form_drafts.get(app.db, app.keyring, "receipt", request.cookies.get(RECEIPT_COOKIE))
    if shown is None:
        minutes = _web_settings(app)["receipt_reshow_minutes"]
        return render("message.html", lang, 410, title=T["receipt_title"][lang],
                      messages=[{k: T["receipt_gone"][k].format(minutes=minutes) for k in ("th", "en")}])
    if shown.get("new"):
        return _new_receipt_page(lang, shown)
    return _receipt_page(app, lang, shown)


def places(request) -> Response:
    """A province's districts and subdistricts for the form's script (public names, the same for everyone)."""
    body = json.dumps(geography_options.places(request.args.get("province")), ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={"Cache-Control": "public, max-age=86400",
                                                                 "X-Content-Type-Options": "nosniff"})


def trust(app, request) -> Response:
    return render("trust.html", lang_of(request), 200, trust=trust_settings(app), **_limits(app))


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


def _status_page(app, lang, raw_receipt, client, notice=None, errors=None, status=200, typed=None,
                 typed_for=None):
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
                  questions=questions, thread=thread, receipt=receipts.normalise(raw_receipt), notice=notice,
                  errors=errors or {}, typed=typed, typed_for=typed_for, **_limits(app))


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


_FIELD_OF = {"attachment.too_large": "attachments", "attachment.total_too_large": "attachments",
             "attachment.too_many": "attachments", "attachment.unsupported_type": "attachments",
             "attachment.empty": "attachments", "attachment.unreadable_image": "attachments", "message.empty": "text"}


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
        errors = dict(exc.fields or {}) or {_FIELD_OF.get(exc.key, "_request"): [i18n.message(exc.key, **exc.detail)]}
        # what the tipster typed comes back with the explanation (the files must be chosen again: a message's
        # files are few and small, and the page says which limit they broke)
        return _status_page(app, lang, form.get("receipt"), client, errors=errors, status=exc.status,
                            typed=form.get("text", ""), typed_for=form.get("in_reply_to"))
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
    shown = {"reference": result["reference"], "receipt": result["receipt"], "new": True}
    return _remember_receipt(app, request, _new_receipt_page(lang, shown, 201), shown, "/status/receipt")


def _new_receipt_page(lang: str, shown: dict, status: int = 200) -> Response:
    return render("new_receipt.html", lang, status, reference=shown["reference"],
                  receipt=receipts.display(shown["receipt"]))


def stylesheet() -> Response:
    css = (_DIR / "intake.css").read_text(encoding="utf-8")
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=3600",
                                                       "X-Content-Type-Options": "nosniff"})


def script() -> Response:
    """The form's optional script (the pickers filter and fill themselves, the contact fields hide, files are
    checked before they are sent); every page works without it."""
    js = (_DIR / "intake.js").read_text(encoding="utf-8")
    return Response(js, mimetype="text/javascript", headers={"Cache-Control": "public, max-age=3600",
                                                             "X-Content-Type-Options": "nosniff"})
