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

# Who the accused is, in words a villager uses. The statutes treat each of these differently (PACC Act 2551 s.3
# excludes judges, prosecutors, local executives and council members, staff of the courts, Parliament,
# constitutional and independent organs, and the PACC's own staff). Codes are stable: tips already filed keep
# theirs. "short" labels fit a LINE quick-reply button (20 characters at most).
OFFICIAL_TYPES: dict[str, dict[str, str]] = {
    "political_office_holder": {"th": "นักการเมือง (รัฐมนตรี ส.ส. ส.ว.)",
                                "en": "Politician (minister, MP, senator)",
                                "short_th": "นักการเมืองระดับชาติ", "short_en": "National politician"},
    "local_executive": {"th": "นายก / รองนายก อบต. เทศบาล อบจ.",
                        "en": "Mayor / local chief or deputy",
                        "short_th": "นายก/รองนายก อปท.", "short_en": "Mayor / local chief"},
    "local_council_member": {"th": "สมาชิกสภา อบต. เทศบาล อบจ.", "en": "Local council member",
                             "short_th": "สมาชิกสภาท้องถิ่น", "short_en": "Local councillor"},
    "kamnan_village_head": {"th": "กำนัน / ผู้ใหญ่บ้าน", "en": "Kamnan / village head",
                            "short_th": "กำนัน/ผู้ใหญ่บ้าน", "short_en": "Kamnan/village head"},
    "state_official": {"th": "ข้าราชการ / พนักงานของรัฐทั่วไป",
                       "en": "Civil servant / state employee",
                       "short_th": "ข้าราชการ/จนท.รัฐ", "short_en": "Civil servant"},
    "senior_executive": {"th": "ผู้บริหารระดับสูง (ผู้ว่าฯ อธิบดี)",
                         "en": "Senior executive (governor, DG)",
                         "short_th": "ผู้บริหารระดับสูง", "short_en": "Senior executive"},
    "police_officer": {"th": "ตำรวจ", "en": "Police officer", "short_th": "ตำรวจ", "short_en": "Police officer"},
    "military_officer": {"th": "ทหาร", "en": "Military officer", "short_th": "ทหาร", "short_en": "Military"},
    "university_staff": {"th": "บุคลากรมหาวิทยาลัยของรัฐ", "en": "Public university staff",
                         "short_th": "มหาวิทยาลัยของรัฐ", "short_en": "Public university"},
    "soe_employee": {"th": "พนักงานรัฐวิสาหกิจ (ไฟฟ้า ประปา)",
                     "en": "State enterprise employee",
                     "short_th": "พนักงานรัฐวิสาหกิจ", "short_en": "State enterprise"},
    "judge": {"th": "ผู้พิพากษา / ตุลาการ", "en": "Judge", "short_th": "ผู้พิพากษา/ตุลาการ", "short_en": "Judge"},
    "court_staff": {"th": "เจ้าหน้าที่ศาล", "en": "Court staff", "short_th": "เจ้าหน้าที่ศาล",
                    "short_en": "Court staff"},
    "prosecutor": {"th": "พนักงานอัยการ", "en": "Public prosecutor", "short_th": "อัยการ",
                   "short_en": "Prosecutor"},
    "parliament_staff": {"th": "เจ้าหน้าที่รัฐสภา",
                         "en": "Parliament staff",
                         "short_th": "เจ้าหน้าที่รัฐสภา", "short_en": "Parliament staff"},
    "independent_organ_staff": {"th": "เจ้าหน้าที่องค์กรอิสระ (กกต. สตง.)",
                                "en": "Independent organ staff",
                                "short_th": "จนท.องค์กรอิสระ", "short_en": "Independent organ"},
    "constitutional_organ_staff": {"th": "เจ้าหน้าที่องค์กรตามรัฐธรรมนูญอื่น",
                                   "en": "Other constitutional organ staff",
                                   "short_th": "องค์กรตามรัฐธรรมนูญ", "short_en": "Constitutional organ"},
    "nacc_staff": {"th": "เจ้าหน้าที่ ป.ป.ช.", "en": "NACC staff", "short_th": "เจ้าหน้าที่ ป.ป.ช.",
                   "short_en": "NACC staff"},
    "pacc_staff": {"th": "เจ้าหน้าที่ ป.ป.ท.", "en": "PACC staff", "short_th": "เจ้าหน้าที่ ป.ป.ท.",
                   "short_en": "PACC staff"},
    "private_person": {"th": "บุคคลทั่วไป / เอกชน", "en": "Private person", "short_th": "บุคคลทั่วไป/เอกชน",
                       "short_en": "Private person"},
    "unknown": {"th": "ไม่ทราบ / ไม่แน่ใจ", "en": "Unknown / not sure", "short_th": "ไม่ทราบ/ไม่แน่ใจ",
                "short_en": "Not sure"},
}

# The same types in groups, for a form's <optgroup>s and for a two-step LINE quick reply (at most 13 buttons
# per step).
OFFICIAL_TYPE_GROUPS: dict[str, dict] = {
    "local": {"th": "นักการเมืองและผู้นำท้องถิ่น", "en": "Politicians and local leaders",
              "short_th": "นักการเมือง/ท้องถิ่น", "short_en": "Politicians, local",
              "types": ("political_office_holder", "local_executive", "local_council_member",
                        "kamnan_village_head")},
    "government": {"th": "ข้าราชการและพนักงานของรัฐ", "en": "Government staff",
                   "short_th": "ข้าราชการ/พนักงานรัฐ", "short_en": "Government staff",
                   "types": ("state_official", "senior_executive", "police_officer", "military_officer",
                             "university_staff", "soe_employee")},
    "justice": {"th": "ศาล อัยการ รัฐสภา องค์กรอิสระ", "en": "Courts and independent bodies",
                "short_th": "ศาล/อัยการ/รัฐสภา", "short_en": "Courts, independent",
                "types": ("judge", "court_staff", "prosecutor", "parliament_staff", "independent_organ_staff",
                          "constitutional_organ_staff", "nacc_staff", "pacc_staff")},
    "other": {"th": "อื่น ๆ", "en": "Others", "short_th": "อื่น ๆ", "short_en": "Others",
              "types": ("private_person", "unknown")},
}


def official_type_label(code: str, lang: str = "th") -> str:
    """The words for an official type; an unknown code is shown as is rather than failing."""
    labels = OFFICIAL_TYPES.get(code)
    return labels[lang] if labels else str(code)


def official_type_quick_replies(lang: str = "th", group: str | None = None) -> list[dict]:
    """LINE quick-reply items: without `group`, one button per group; with it, one per type in the group.

    Each item is {"label": ≤20 characters, "data": "official_type=<code>" or "official_type_group=<code>",
    "display_text": the full label}: the shape of a LINE postback action, kept free of LINE's SDK.
    """
    if group is None:
        return [{"label": g[f"short_{lang}"], "data": f"official_type_group={code}", "display_text": g[lang]}
                for code, g in OFFICIAL_TYPE_GROUPS.items()]
    return [{"label": OFFICIAL_TYPES[code][f"short_{lang}"], "data": f"official_type={code}",
             "display_text": OFFICIAL_TYPES[code][lang]}
            for code in OFFICIAL_TYPE_GROUPS[group]["types"]]


CHANNELS = ("web", "line", "hotline", "walk_in", "volunteer", "open311", "email", "phone", "letter")
# How a tip reached Sodsong, in words (the desk, the volunteer's and staff's filing form).
CHANNEL_LABELS: dict[str, dict[str, str]] = {
    "web": {"th": "เว็บไซต์", "en": "Website"},
    "line": {"th": "LINE", "en": "LINE"},
    "hotline": {"th": "สายด่วน", "en": "Hotline"},
    "walk_in": {"th": "มาแจ้งด้วยตนเอง", "en": "In person (walk-in)"},
    "volunteer": {"th": "อาสาสมัครช่วยแจ้ง", "en": "Filed by a volunteer"},
    "open311": {"th": "ระบบพันธมิตร (Open311)", "en": "Partner platform (Open311)"},
    "email": {"th": "อีเมล", "en": "Email"},
    "phone": {"th": "โทรศัพท์ (เช่น สายด่วน 1206)", "en": "Telephone (e.g. the 1206 hotline)"},
    "letter": {"th": "หนังสือ / จดหมาย", "en": "Letter"},
}
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
