"""Casework's own words, Thai first: the desk (sign-in, accounts, cases) and the operator page.

Registered with shared.i18n when the service is imported (services/casework/__init__.py), so the desk's API and
pages answer with them.
"""
from __future__ import annotations

from shared import i18n

MESSAGES = {
    "request.unauthorized": {"th": "กรุณาเข้าสู่ระบบ", "en": "Please sign in."},
    "request.forbidden": {"th": "ท่านไม่มีสิทธิ์ทำรายการนี้", "en": "You are not allowed to do this."},
    "request.csrf_failed": {"th": "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง",
                            "en": "The form has expired or is not valid; reload the page and try again."},
    "session.invalid_credentials": {"th": "ชื่อผู้ใช้ รหัสผ่าน หรือรหัสยืนยันตัวตนไม่ถูกต้อง",
                                    "en": "Wrong username, password or verification code."},
    "session.totp_required": {"th": "กรุณากรอกรหัสยืนยันตัวตน 6 หลักจากแอปยืนยันตัวตน",
                              "en": "Please enter the 6-digit code from your authenticator app."},
    "session.throttled": {"th": "เข้าสู่ระบบผิดหลายครั้งเกินไป กรุณารอสักครู่แล้วลองใหม่ หรือขอให้ผู้ดูแลระบบปลดล็อก",
                          "en": "Too many failed sign-ins; please wait a while and try again, or ask your "
                                "administrator to unlock your account."},
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
    "user.unknown_office": {"th": "ไม่มีหน่วยงานนี้ในทะเบียนหน่วยงาน กรุณาเลือกจากรายการ",
                            "en": "There is no such office in the office directory; choose one from the list."},
    "user.not_yourself": {"th": "ท่านทำรายการนี้กับบัญชีของตนเองไม่ได้ กรุณาให้ผู้ดูแลระบบอีกคนทำ",
                          "en": "You cannot do this to your own account; ask another administrator."},
    "user.invalid_email": {"th": "อีเมลไม่ถูกต้อง", "en": "Not a valid email address."},
    "user.invalid_line_user_id": {"th": "LINE user ID ต้องขึ้นต้นด้วย U ตามด้วยตัวอักษร 0-9 a-f 32 ตัว",
                                  "en": "A LINE user ID is U followed by 32 characters 0-9 a-f."},
    "user.totp_not_started": {"th": "กรุณาเริ่มตั้งค่าการยืนยันตัวตนสองขั้นตอนก่อน",
                              "en": "Start setting up two-step sign-in first."},
    "user.totp_wrong": {"th": "รหัส 6 หลักไม่ถูกต้อง กรุณาดูรหัสล่าสุดในแอปแล้วลองอีกครั้ง",
                        "en": "That 6-digit code is wrong; enter the newest code your app shows."},
    "user.totp_enabled": {"th": "เปิดใช้การยืนยันตัวตนสองขั้นตอนแล้ว ครั้งหน้าเข้าสู่ระบบต้องใช้รหัสจากแอป",
                          "en": "Two-step sign-in is on: from now on you sign in with a code from your app."},
    "user.created": {"th": "สร้างบัญชีแล้ว", "en": "The account has been created."},
    "user.disabled": {"th": "ระงับบัญชีแล้ว และออกจากระบบทุกเครื่องแล้ว",
                      "en": "The account is disabled and signed out everywhere."},
    "user.enabled": {"th": "เปิดใช้บัญชีอีกครั้งแล้ว (รหัสผ่านเดิม)",
                     "en": "The account is enabled again (same password)."},
    "user.unlocked": {"th": "ปลดล็อกแล้ว ผู้ใช้เข้าสู่ระบบได้ทันที",
                      "en": "Unlocked: the user can sign in again now."},
    "user.role_changed": {"th": "เปลี่ยนบทบาทหรือหน่วยงานแล้ว", "en": "The role or office has been changed."},
    "user.contacts_saved": {"th": "บันทึกช่องทางรับการแจ้งเตือนแล้ว", "en": "Notification contacts saved."},
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
    # what the case page says after each action (placeholders filled from the case as it is now)
    "case.acknowledged": {"th": "ตอบรับเรื่องแล้ว", "en": "Case acknowledged."},
    "case.status_changed": {"th": "เปลี่ยนสถานะเป็น “{status}” แล้ว", "en": "Status changed to “{status}”."},
    "case.closed": {"th": "ยุติเรื่องแล้ว ผู้แจ้งจะเห็นผลและเหตุผลในหน้าติดตามเรื่อง",
                    "en": "Case closed; the tipster sees the outcome and the reason on their status page."},
    "case.question_sent": {"th": "ส่งคำถามถึงผู้แจ้งแล้ว", "en": "Question sent to the tipster."},
    "case.note_saved": {"th": "บันทึกภายในแล้ว (เฉพาะเจ้าหน้าที่เห็น)", "en": "Internal note saved (staff only)."},
    "case.note_sent": {"th": "ส่งข้อความถึงผู้แจ้งแล้ว ผู้แจ้งจะเห็นในหน้าติดตามเรื่อง",
                       "en": "Note sent; the tipster sees it on their status page."},
    "case.assigned": {"th": "มอบหมายให้ {name} แล้ว", "en": "Assigned to {name}."},
    "case.unassigned": {"th": "ยกเลิกการมอบหมายแล้ว", "en": "No one is assigned now."},
    "case.deadline_extended": {"th": "ขยายกำหนดแจ้งความคืบหน้าถึง {date} แล้ว",
                               "en": "Feedback deadline extended to {date}."},
    "case.triage_sent": {"th": "บันทึกผลการคัดกรองแล้ว ระบบกำลังส่งเรื่องไปยังหน่วยงานที่เลือก",
                         "en": "Triage decision recorded; the case is on its way to the office chosen."},
    "template.saved": {"th": "บันทึกแบบข้อความแล้ว", "en": "Reply template saved."},
    "template.deleted": {"th": "ลบแบบข้อความแล้ว", "en": "Reply template deleted."},
    "template.invalid": {"th": "กรุณากรอกชื่อแบบข้อความและข้อความภาษาไทย และเลือกว่าใช้สำหรับคำถามหรือข้อความถึงผู้แจ้ง",
                         "en": "Give the template a title and Thai text, and choose questions or notes to the tipster."},
    "case.not_in_triage": {"th": "เรื่องนี้ไม่ได้รอการคัดกรอง", "en": "This case is not waiting for triage."},
}

# the inbox: saved views and actions on several cases
INBOX_MESSAGES = {
    "inbox.view_name_required": {"th": "กรุณาตั้งชื่อมุมมอง", "en": "Please name the view."},
    "inbox.too_many_views": {"th": "บันทึกมุมมองได้ไม่เกิน 30 รายการ กรุณาลบมุมมองที่ไม่ใช้ก่อน",
                             "en": "You can keep at most 30 views; delete one you no longer use."},
    "inbox.view_saved": {"th": "บันทึกมุมมองแล้ว", "en": "View saved."},
    "inbox.view_deleted": {"th": "ลบมุมมองแล้ว", "en": "View deleted."},
    "inbox.bulk_action_invalid": {"th": "กรุณาเลือกการดำเนินการ", "en": "Please choose an action."},
    "inbox.bulk_none_selected": {"th": "กรุณาเลือกเรื่องอย่างน้อยหนึ่งเรื่อง", "en": "Please select at least one case."},
    "inbox.bulk_too_many": {"th": "ดำเนินการได้ครั้งละไม่เกิน 100 เรื่อง", "en": "At most 100 cases at a time."},
}

BULK_DONE = {"acknowledge": {"th": "ตอบรับแล้ว {n} เรื่อง", "en": "{n} acknowledged"},
             "assign": {"th": "มอบหมายแล้ว {n} เรื่อง", "en": "{n} assigned"}}
BULK_FAILED = {"th": "ทำไม่ได้ {n} เรื่อง", "en": "{n} not done"}


def bulk_summary(action: str, done: int, failed: int) -> dict:
    """"ตอบรับแล้ว 5 เรื่อง · ทำไม่ได้ 1 เรื่อง / 5 acknowledged · 1 not done"."""
    words = BULK_DONE.get(action, BULK_DONE["assign"])
    th, en = [words["th"].format(n=done)], [words["en"].format(n=done)]
    if failed:
        th.append(BULK_FAILED["th"].format(n=failed))
        en.append(BULK_FAILED["en"].format(n=failed))
    return {"th": " · ".join(th), "en": " · ".join(en)}


# the operator page's notices (also the words its JSON API answers with)
OPS_MESSAGES = {
    "ops.redrive_requested": {"th": "ขอให้ประมวลผลซ้ำแล้ว บริการจะส่งเหตุการณ์เข้าตัวจัดการอีกครั้งภายในไม่กี่วินาที",
                              "en": "Redrive requested: the service puts the event through its handler again "
                                    "within seconds."},
    "ops.not_redrivable": {"th": "ประมวลผลซ้ำไม่ได้: รายการนี้ไม่อยู่ในสถานะ dead แล้ว หรือไม่มีอยู่",
                           "en": "Not redriven: this dead letter is no longer dead, or does not exist."},
    "ops.retry_requested": {"th": "ตั้งให้ส่งใหม่ทันทีแล้ว", "en": "Queued to be sent again now."},
    "ops.not_retryable": {"th": "ส่งใหม่ไม่ได้: รายการนี้ไม่ได้อยู่ในสถานะ failed หรือ dead หรือไม่มีอยู่",
                          "en": "Not retried: this delivery is not failed or dead, or does not exist."},
    "ops.unavailable": {"th": "ทำรายการไม่ได้: ฐานข้อมูลของบริการนั้นยังไม่พร้อม กรุณาลองใหม่",
                        "en": "Not done: that service's database is not available; please try again."},
}

i18n.register("casework", {**MESSAGES, **OPS_MESSAGES, **INBOX_MESSAGES})
