"""The words Sodsong's services share: tip categories, accused types, channels — each with Thai and English labels."""
from __future__ import annotations

CATEGORIES: dict[str, dict[str, str]] = {
    "bribery": {"th": "สินบน / เรียกรับผลประโยชน์", "en": "Bribery / extortion"},
    "procurement": {"th": "ทุจริตการจัดซื้อจัดจ้าง / ฮั้วประมูล", "en": "Procurement fraud / bid rigging"},
    "embezzlement": {"th": "ยักยอก / เบียดบังทรัพย์สินของรัฐ", "en": "Embezzlement"},
    "abuse_of_power": {"th": "ใช้อำนาจหรือละเว้นการปฏิบัติหน้าที่โดยมิชอบ", "en": "Abuse of power / dereliction"},
    "budget_misuse": {"th": "ใช้งบประมาณหรือทรัพย์สินของรัฐผิดระเบียบ", "en": "Misuse of budget or state property"},
    "conflict_of_interest": {"th": "ผลประโยชน์ทับซ้อน", "en": "Conflict of interest"},
    "unusual_wealth": {"th": "ร่ำรวยผิดปกติ", "en": "Unusual wealth"},
    "land_encroachment": {"th": "ออกเอกสารสิทธิมิชอบ / บุกรุกที่ดินของรัฐ", "en": "Land titles / encroachment"},
    "maladministration": {"th": "เรื่องร้องทุกข์ การบริการไม่เป็นธรรม", "en": "Maladministration / grievance"},
    "other": {"th": "อื่น ๆ", "en": "Other"},
}

OFFICIAL_TYPES: dict[str, dict[str, str]] = {
    "political_office_holder": {"th": "ผู้ดำรงตำแหน่งทางการเมือง", "en": "Political office holder"},
    "local_executive": {"th": "ผู้บริหารท้องถิ่น", "en": "Local executive"},
    "local_council_member": {"th": "สมาชิกสภาท้องถิ่น", "en": "Local council member"},
    "senior_executive": {"th": "ผู้บริหารระดับสูง", "en": "Senior executive"},
    "state_official": {"th": "เจ้าหน้าที่ของรัฐ", "en": "State official"},
    "kamnan_village_head": {"th": "กำนัน / ผู้ใหญ่บ้าน", "en": "Kamnan / village head"},
    "soe_employee": {"th": "พนักงานรัฐวิสาหกิจ", "en": "State enterprise employee"},
    "private_person": {"th": "บุคคลทั่วไป / เอกชน", "en": "Private person"},
    "unknown": {"th": "ไม่ทราบ", "en": "Unknown"},
}

CHANNELS = ("web", "line", "hotline", "walk_in", "volunteer", "open311", "email")
NOTIFY_CHANNELS = ("email", "sms", "line")
LANGUAGES = ("th", "en")

# What a tipster sees of a tip's progress; casework's canonical case states map onto these.
TIPSTER_STATUSES: dict[str, dict[str, str]] = {
    "submitted": {"th": "ได้รับเรื่องแล้ว กำลังส่งต่อหน่วยงานที่มีอำนาจ", "en": "Received; being sent to the competent office"},
    "routed": {"th": "ส่งต่อหน่วยงานที่มีอำนาจแล้ว", "en": "Sent to the competent office"},
    "triage": {"th": "เจ้าหน้าที่กำลังพิจารณาว่าหน่วยงานใดมีอำนาจ", "en": "Staff are deciding which office is competent"},
    "received": {"th": "หน่วยงานได้รับเรื่องแล้ว", "en": "The office has received your report"},
    "acknowledged": {"th": "หน่วยงานตอบรับเรื่องแล้ว", "en": "The office has acknowledged your report"},
    "under_review": {"th": "อยู่ระหว่างตรวจสอบเบื้องต้น", "en": "Under initial review"},
    "investigating": {"th": "อยู่ระหว่างการสืบสวน", "en": "Under investigation"},
    "transferred": {"th": "ส่งต่อไปยังหน่วยงานอื่นที่มีอำนาจ", "en": "Transferred to another competent office"},
    "closed": {"th": "ดำเนินการเสร็จสิ้นแล้ว", "en": "Closed"},
}
