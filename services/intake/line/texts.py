"""What the LINE bot says, Thai first and English second. Plain words only: no internal codes on screen.

Button labels (quick replies, rich menu) must fit LINE's 20 characters; `tests/unit/intake/test_line_*`
checks every one of them.
"""
from __future__ import annotations

from shared import i18n

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "th": "สวัสดีครับ นี่คือช่องทางแจ้งเบาะแสการทุจริต สอดส่อง\n"
              "เราไม่ถามชื่อท่าน และจะไม่ส่งต่อบัญชี LINE ของท่านให้หน่วยงานใด\n"
              "เลือก \"แจ้งเรื่องใหม่\" หรือ \"ติดตามเรื่อง\" ได้เลย (พิมพ์ English เพื่อใช้ภาษาอังกฤษ)",
        "en": "Hello, this is Sodsong, the corruption tip line.\n"
              "We do not ask your name and never pass your LINE account to any office.\n"
              "Choose \"New report\" or \"Follow up\" (type ภาษาไทย for Thai).",
    },
    "menu": {"th": "ต้องการทำอะไรต่อครับ", "en": "What would you like to do?"},
    "ask_category": {"th": "ขั้นที่ 1/8 เรื่องที่จะแจ้งเป็นเรื่องประเภทใด",
                     "en": "Step 1/8. What kind of wrongdoing is it?"},
    "ask_description": {
        "th": "ขั้นที่ 2/8 เล่าว่าเกิดอะไรขึ้น ใครทำอะไร มีหลักฐานอะไร (พิมพ์อย่างน้อย 10 ตัวอักษร)\n"
              "ไม่ต้องใส่ชื่อหรือข้อมูลของท่านเอง",
        "en": "Step 2/8. Tell us what happened: who did what, and what evidence exists (at least 10 characters).\n"
              "Please leave out your own name and details.",
    },
    "description_short": {"th": "ขอรายละเอียดเพิ่มอีกนิด อย่างน้อย 10 ตัวอักษรครับ",
                          "en": "A little more detail please: at least 10 characters."},
    "description_long": {"th": "ข้อความยาวเกินไป (ไม่เกิน 10,000 ตัวอักษร) กรุณาย่อแล้วส่งใหม่",
                         "en": "That is too long (10,000 characters at most). Please shorten it."},
    "ask_location": {
        "th": "ขั้นที่ 3/8 เกิดเหตุที่ไหน ส่งตำแหน่ง (Location) มา หรือพิมพ์ชื่อจังหวัด หรือเลือกจากรายการ",
        "en": "Step 3/8. Where did it happen? Send a location, type the province, or pick from the list.",
    },
    "location_found": {"th": "ตำแหน่งที่ได้รับ: {place}\nถูกต้องหรือไม่", "en": "Location received: {place}\nIs this right?"},
    "location_unknown": {
        "th": "ขออภัย อ่านจังหวัดจากตำแหน่งนี้ไม่ได้ กรุณาพิมพ์ชื่อจังหวัดหรือเลือกจากรายการ (เราเก็บจุดที่ส่งมาไว้แล้ว)",
        "en": "Sorry, the province could not be read from that location. Type the province or pick it "
              "(we kept the point you sent).",
    },
    "province_unknown": {"th": "ไม่พบจังหวัด \"{text}\" ลองพิมพ์ใหม่ หรือเลือกจากรายการ",
                         "en": "No province called \"{text}\". Type it again or pick from the list."},
    "ask_district": {"th": "อำเภอ/เขตใดใน{province} (พิมพ์ชื่อ หรือเลือก หรือกด \"ข้าม\")",
                     "en": "Which district of {province}? (type it, pick it, or Skip)"},
    "district_unknown": {"th": "ไม่พบอำเภอ \"{text}\" ใน{province} ลองพิมพ์ใหม่ หรือเลือกจากรายการ",
                         "en": "No district \"{text}\" in {province}. Type it again or pick from the list."},
    "ask_subdistrict": {"th": "ตำบล/แขวงใดใน{district} (พิมพ์ชื่อ หรือเลือก หรือกด \"ข้าม\")",
                        "en": "Which subdistrict of {district}? (type it, pick it, or Skip)"},
    "subdistrict_unknown": {"th": "ไม่พบตำบล \"{text}\" ใน{district} ลองพิมพ์ใหม่ หรือเลือกจากรายการ",
                            "en": "No subdistrict \"{text}\" in {district}. Type it again or pick from the list."},
    "ask_who_group": {"th": "ขั้นที่ 4/8 ผู้ถูกกล่าวหาเป็นใคร เลือกกลุ่มก่อน",
                      "en": "Step 4/8. Who is the accused? Pick a group first."},
    "ask_who_type": {"th": "เลือกประเภทของผู้ถูกกล่าวหา", "en": "Pick the accused's type."},
    "ask_position": {"th": "ตำแหน่งหรือหน่วยงานของผู้ถูกกล่าวหา (เช่น \"เจ้าพนักงานที่ดิน สำนักงานที่ดินจังหวัดตราด\") "
                           "หรือกด \"ข้าม\"",
                     "en": "The accused's position or office (e.g. \"land officer, Trat land office\"), or Skip."},
    "ask_when": {"th": "ขั้นที่ 5/8 เกิดเหตุเมื่อไร เลือกวันที่ หรือพิมพ์ เช่น 3/11/2569 หรือกด \"ไม่ทราบ\"",
                 "en": "Step 5/8. When did it happen? Pick a date, type one like 3/11/2026, or \"Not sure\"."},
    "date_invalid": {"th": "อ่านวันที่ไม่ได้ หรือเป็นวันในอนาคต ลองพิมพ์แบบ 3/11/2569",
                     "en": "That date could not be read, or is in the future. Try 3/11/2026."},
    "ask_files": {
        "th": "ขั้นที่ 6/8 มีรูปหรือไฟล์หลักฐานไหม ส่งมาได้เลย (รูป เอกสาร เสียง) เสร็จแล้วกด \"เสร็จแล้ว\"\n"
              "ข้อมูลตำแหน่ง (GPS) ในรูปจะถูกลบก่อนเก็บ",
        "en": "Step 6/8. Any photos or files as evidence? Send them (photos, documents, audio), then \"Done\".\n"
              "GPS and other data inside photos are removed before storing.",
    },
    "file_received": {"th": "ได้รับไฟล์แล้ว ({count} ไฟล์) ส่งเพิ่มได้ หรือกด \"เสร็จแล้ว\"",
                      "en": "File received ({count} so far). Send more or press \"Done\"."},
    "file_refused": {"th": "ไฟล์นี้รับไม่ได้: {reason}", "en": "This file cannot be taken: {reason}"},
    "file_lost": {"th": "ดาวน์โหลดไฟล์จาก LINE ไม่สำเร็จ กรุณาส่งใหม่อีกครั้ง",
                  "en": "The file could not be fetched from LINE. Please send it again."},
    "ask_anonymity": {
        "th": "ขั้นที่ 7/8 ต้องการให้แจ้งความคืบหน้าทาง LINE หรือไม่\n"
              "• ไม่ระบุตัวตน: ไม่เก็บสิ่งใดที่ระบุตัวท่าน ติดตามเรื่องด้วยรหัสรับแจ้งเท่านั้น\n"
              "• แจ้งผลทาง LINE: เก็บรหัส LINE ของท่านแบบเข้ารหัส ใช้เพียงส่งข้อความว่า \"มีข้อความใหม่สำหรับท่าน\" "
              "ไม่ส่งให้หน่วยงานใด",
        "en": "Step 7/8. Should we tell you about progress through LINE?\n"
              "• Stay anonymous: nothing that identifies you is kept; follow up with your receipt only.\n"
              "• Notify me in LINE: your LINE id is kept encrypted, used only to say \"you have a new "
              "message\", and never given to any office.",
    },
    "summary": {
        "th": "ขั้นที่ 8/8 ตรวจสอบก่อนส่ง\nประเภท: {category}\nเรื่อง: {description}\nสถานที่: {place}\n"
              "ผู้ถูกกล่าวหา: {who}\nวันที่เกิดเหตุ: {when}\nไฟล์: {files} ไฟล์\nการติดต่อกลับ: {anonymity}",
        "en": "Step 8/8. Check before sending\nKind: {category}\nWhat: {description}\nWhere: {place}\n"
              "Accused: {who}\nWhen: {when}\nFiles: {files}\nContact: {anonymity}",
    },
    "not_known": {"th": "ไม่ระบุ", "en": "not given"},
    "anonymous": {"th": "ไม่ระบุตัวตน", "en": "anonymous"},
    "notify_line": {"th": "แจ้งความคืบหน้าทาง LINE", "en": "progress notices in LINE"},
    "filed": {
        "th": "ส่งเรื่องเรียบร้อยแล้ว\nเลขอ้างอิง: {reference}\nรหัสรับแจ้ง (16 หลัก): {receipt}",
        "en": "Your report has been filed.\nReference: {reference}\nReceipt (16 digits): {receipt}",
    },
    "receipt_advice": {
        "th": "โปรดจดรหัสรับแจ้งเก็บไว้ในที่ปลอดภัย ใครมีรหัสนี้จะเห็นความคืบหน้าของเรื่องได้ "
              "เราไม่มีสำเนา จึงออกให้ใหม่ไม่ได้หากสูญหาย เมื่อจดแล้วท่านลบข้อความนี้ออกจากแชตได้ "
              "หากผู้อื่นอาจเห็นโทรศัพท์ของท่าน\nติดตามเรื่อง: พิมพ์ \"ติดตาม\" ในแชตนี้ หรือใช้หน้าเว็บติดตามเรื่อง",
        "en": "Write the receipt down and keep it somewhere safe: whoever has it can see the report's progress. "
              "We keep no copy and cannot reissue a lost one. Once noted, you may delete this message if others "
              "might see your phone.\nTo follow up, type \"follow up\" here or use the status web page.",
    },
    "file_failed": {"th": "ส่งเรื่องไม่สำเร็จ: {reason}\nกรุณาแก้ไขแล้วลองอีกครั้ง",
                    "en": "The report could not be filed: {reason}\nPlease correct it and try again."},
    "cancelled": {"th": "ยกเลิกแล้ว ข้อมูลที่พิมพ์ไว้ถูกลบทั้งหมด", "en": "Cancelled. Everything you typed was deleted."},
    "expired": {"th": "ร่างเรื่องเดิมหมดเวลาและถูกลบแล้วเพื่อความปลอดภัย เริ่มใหม่ได้เลย",
                "en": "Your earlier draft timed out and was deleted for your safety. You can start again."},
    "nothing_to_go_back": {"th": "ย้อนกลับไม่ได้แล้ว นี่คือขั้นแรก", "en": "This is the first step."},
    "not_understood": {"th": "ขออภัย ไม่เข้าใจ กรุณาเลือกจากปุ่มด้านล่าง", "en": "Sorry, please pick one of the buttons."},
    "unsupported": {"th": "ขออภัย รับข้อความชนิดนี้ไม่ได้", "en": "Sorry, this kind of message cannot be taken."},
    "ask_receipt": {"th": "พิมพ์รหัสรับแจ้ง 16 หลักที่ได้รับตอนแจ้งเรื่อง (เพื่อยืนยันว่าเป็นเรื่องของท่าน "
                          "ทำครั้งเดียวในแชตนี้)",
                    "en": "Type the 16-digit receipt you got when filing (this proves the report is yours; "
                          "once per chat)."},
    "receipt_unknown": {"th": "รหัสรับแจ้งไม่ถูกต้อง ตรวจสอบแล้วลองอีกครั้ง",
                        "en": "That receipt is not right. Check it and try again."},
    "receipt_locked": {"th": "ลองผิดหลายครั้งเกินไป กรุณารอสักครู่แล้วลองใหม่",
                       "en": "Too many wrong tries. Please wait a while and try again."},
    "linked": {"th": "ยืนยันแล้ว แชตนี้ติดตามเรื่อง {reference} ได้", "en": "Confirmed: this chat can follow {reference}."},
    "pick_report": {"th": "เลือกเรื่องที่ต้องการติดตาม", "en": "Pick the report to follow."},
    "status": {"th": "เรื่อง {reference}\nสถานะ: {status}\nหน่วยงาน: {agency}",
               "en": "Report {reference}\nStatus: {status}\nOffice: {agency}"},
    "agency_pending": {"th": "กำลังพิจารณา", "en": "being decided"},
    "question": {"th": "คำถามจากเจ้าหน้าที่ ({at}):\n{text}", "en": "Question from the office ({at}):\n{text}"},
    "office_message": {"th": "ข้อความจากเจ้าหน้าที่ ({at}):\n{text}", "en": "Message from the office ({at}):\n{text}"},
    "ask_answer": {"th": "พิมพ์คำตอบของท่าน (ส่งรูปหรือไฟล์ประกอบได้)", "en": "Type your answer (you may add photos or files)."},
    "ask_more": {"th": "พิมพ์ข้อมูลเพิ่มเติม หรือส่งรูป/ไฟล์ เสร็จแล้วกด \"เสร็จแล้ว\"",
                 "en": "Type more information or send photos/files, then press \"Done\"."},
    "message_sent": {"th": "ส่งถึงเจ้าหน้าที่แล้ว", "en": "Sent to the office."},
    "message_failed": {"th": "ส่งไม่สำเร็จ: {reason}", "en": "Could not send: {reason}"},
    "forgotten": {"th": "แชตนี้จะไม่เปิดเรื่อง {reference} อีก หากต้องการติดตามให้ใช้รหัสรับแจ้งอีกครั้ง",
                  "en": "This chat will no longer open {reference}; use the receipt again to follow it."},
    "slow_down": {"th": "ส่งข้อความเร็วเกินไป กรุณารอสักครู่", "en": "Too many messages; please wait a moment."},
    "language_set": {"th": "ใช้ภาษาไทยแล้ว", "en": "Switched to English."},
    "too_many_files": {"th": "ส่งไฟล์ได้ไม่เกิน {max} ไฟล์ต่อเรื่อง", "en": "At most {max} files per report."},
}

BUTTONS: dict[str, dict[str, str]] = {
    "new": {"th": "แจ้งเรื่องใหม่", "en": "New report"},
    "follow": {"th": "ติดตามเรื่อง", "en": "Follow up"},
    "english": {"th": "English", "en": "English"},
    "thai": {"th": "ภาษาไทย", "en": "ภาษาไทย"},
    "back": {"th": "ย้อนกลับ", "en": "Back"},
    "cancel": {"th": "ยกเลิก", "en": "Cancel"},
    "skip": {"th": "ข้าม", "en": "Skip"},
    "next": {"th": "ถัดไป ▶", "en": "More ▶"},
    "send_location": {"th": "ส่งตำแหน่ง", "en": "Send location"},
    "yes": {"th": "ถูกต้อง", "en": "Yes, right"},
    "choose_myself": {"th": "เลือกเอง", "en": "Pick myself"},
    "pick_date": {"th": "เลือกวันที่", "en": "Pick a date"},
    "today": {"th": "วันนี้", "en": "Today"},
    "yesterday": {"th": "เมื่อวาน", "en": "Yesterday"},
    "not_sure": {"th": "ไม่ทราบ", "en": "Not sure"},
    "camera": {"th": "ถ่ายรูป", "en": "Camera"},
    "camera_roll": {"th": "เลือกรูป", "en": "Photos"},
    "done": {"th": "เสร็จแล้ว", "en": "Done"},
    "no_files": {"th": "ไม่มีไฟล์", "en": "No files"},
    "anonymous": {"th": "ไม่ระบุตัวตน", "en": "Stay anonymous"},
    "notify_line": {"th": "แจ้งผลทาง LINE", "en": "Notify me in LINE"},
    "confirm": {"th": "ยืนยันส่งเรื่อง", "en": "Send the report"},
    "edit": {"th": "แก้ไข", "en": "Edit"},
    "status": {"th": "ดูสถานะ", "en": "Status"},
    "answer": {"th": "ตอบคำถาม", "en": "Answer"},
    "more": {"th": "ส่งข้อมูลเพิ่ม", "en": "Add information"},
    "forget": {"th": "ลืมเรื่องนี้", "en": "Forget this report"},
    "menu": {"th": "เมนู", "en": "Menu"},
}

# Category labels short enough for a button (the full label from shared.vocabulary is the display text).
CATEGORY_SHORT: dict[str, dict[str, str]] = {
    "bribery": {"th": "สินบน/เรียกรับเงิน", "en": "Bribery"},
    "procurement": {"th": "จัดซื้อจัดจ้าง/ฮั้ว", "en": "Procurement fraud"},
    "embezzlement": {"th": "ยักยอกทรัพย์ของรัฐ", "en": "Embezzlement"},
    "abuse_of_power": {"th": "ใช้อำนาจมิชอบ", "en": "Abuse of power"},
    "budget_misuse": {"th": "ใช้งบผิดระเบียบ", "en": "Budget misuse"},
    "conflict_of_interest": {"th": "ผลประโยชน์ทับซ้อน", "en": "Conflict of interest"},
    "unusual_wealth": {"th": "ร่ำรวยผิดปกติ", "en": "Unusual wealth"},
    "land_encroachment": {"th": "ที่ดิน/เอกสารสิทธิ", "en": "Land titles"},
    "maladministration": {"th": "ร้องทุกข์/บริการ", "en": "Maladministration"},
    "other": {"th": "อื่น ๆ", "en": "Other"},
}

# Words a person may type at any step (compared after trimming and lower-casing).
COMMAND_WORDS: dict[str, tuple[str, ...]] = {
    "cancel": ("ยกเลิก", "cancel", "stop", "หยุด"),
    "back": ("ย้อนกลับ", "กลับ", "back", "ย้อน"),
    "english": ("english", "en", "อังกฤษ", "ภาษาอังกฤษ"),
    "thai": ("ภาษาไทย", "ไทย", "thai", "th"),
    "menu": ("เมนู", "menu", "help", "ช่วยเหลือ", "สวัสดี", "hello", "hi", "start"),
    "new": ("แจ้งเรื่อง", "แจ้งเรื่องใหม่", "แจ้งเบาะแส", "new report", "report", "new"),
    "follow": ("ติดตาม", "ติดตามเรื่อง", "สถานะ", "follow up", "follow", "status"),
}

FILE_REASONS: dict[str, dict[str, str]] = {
    "attachment.unsupported_type": {"th": "ชนิดไฟล์ไม่รองรับ (รับรูป PDF เอกสาร Office และเสียง)",
                                    "en": "type not accepted (photos, PDF, office documents and audio are)"},
    "attachment.too_large": {"th": "ไฟล์ใหญ่เกินไป", "en": "file too large"},
    "attachment.total_too_large": {"th": "ไฟล์รวมกันใหญ่เกินไป", "en": "files too large in total"},
    "attachment.unreadable_image": {"th": "เปิดรูปนี้ไม่ได้", "en": "the picture cannot be read"},
    "attachment.empty": {"th": "ไฟล์ว่างเปล่า", "en": "the file is empty"},
}


# checked like every service's messages (Thai and English for each), looked up here rather than by key in the API's
i18n.register("intake.line.texts", TEXTS, lookup=False)
i18n.register("intake.line.buttons", BUTTONS, lookup=False)
i18n.register("intake.line.categories", CATEGORY_SHORT, lookup=False)
i18n.register("intake.line.file_reasons", FILE_REASONS, lookup=False)


def t(key: str, lang: str, **values) -> str:
    text = i18n.text_in(TEXTS, key, lang)
    return text.format(**values) if values else text


def button(key: str, lang: str) -> str:
    return i18n.text_in(BUTTONS, key, lang)
