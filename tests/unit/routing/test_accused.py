"""Reading the accused's organisation and position from a tipster's words: a table of texts, with the spellings
people actually type (spaces, dots, Thai digits, typos, English), and texts that must NOT be read as a body."""
import pytest

from services.routing.domain.accused import AccusedDataError, Recogniser, load_recogniser, normalise


@pytest.fixture(scope="module")
def recogniser():
    return load_recogniser()


def org(recogniser, text, province="23"):
    found = recogniser.recognise(None, text, province)
    return (found[0].entry, found[0].official_type, found[0].works_at_office) if found else None


def pos(recogniser, text):
    found = recogniser.recognise(text, None, "23")
    return (found[0].entry, found[0].official_type) if found else None


@pytest.mark.parametrize("text, expected", [
    # the PACC, region from the words
    ("สำนักงาน ป.ป.ท. เขต 2", ("org-pacc", "pacc_staff", "PACC-R2")),
    ("สำนักงานป.ป.ท.เขต2", ("org-pacc", "pacc_staff", "PACC-R2")),
    ("สํานักงาน ปปท. เขต ๒", ("org-pacc", "pacc_staff", "PACC-R2")),       # ํา typed as two marks, Thai digit
    ("สำนักงาน  ป ป ท  เขต  2 ", ("org-pacc", "pacc_staff", "PACC-R2")),     # extra spaces
    ("ปปท เขด 2", ("org-pacc", "pacc_staff", "PACC-R2")),                    # เขด for เขต
    ("ป.ท.ท. เขต 2", ("org-pacc", "pacc_staff", "PACC-R2")),                 # letters swapped
    ("ปปท.ภาค 5", ("org-pacc", "pacc_staff", "PACC-R5")),
    ("สำนักงานป้องกันและปราบปรามการทุจริตในภาครัฐ เขต 9", ("org-pacc", "pacc_staff", "PACC-R9")),
    ("สำนักงานป้องกันและปราบปรามการทุจริตภาครัฐ", ("org-pacc", "pacc_staff", None)),  # "ใน" left out
    ("PACC Region 2", ("org-pacc", "pacc_staff", "PACC-R2")),
    ("pacc region2 (Chon Buri)", ("org-pacc", "pacc_staff", "PACC-R2")),
    ("Office of the Public Sector Anti-Corruption Commission", ("org-pacc", "pacc_staff", None)),
    ("สำนักงาน ป.ป.ท.", ("org-pacc", "pacc_staff", None)),
    # the NACC, province from the words, else the tip's
    ("สำนักงาน ป.ป.ช. ประจำจังหวัดตราด", ("org-nacc", "nacc_staff", "NACC-23")),
    ("ป.ป.ช.จ.ชลบุรี", ("org-nacc", "nacc_staff", "NACC-20")),
    ("สนง.ปปช. จังหวัด เชียงใหม่", ("org-nacc", "nacc_staff", "NACC-50")),
    ("ป.ป.ซ. ตราด", ("org-nacc", "nacc_staff", "NACC-23")),                   # ซ for ช
    ("NACC Trat", ("org-nacc", "nacc_staff", "NACC-23")),
    ("สำนักงาน ป.ป.ช.", ("org-nacc", "nacc_staff", "NACC-23")),
    ("National Anti-Corruption Commission", ("org-nacc", "nacc_staff", "NACC-23")),
    # courts
    ("ศาลจังหวัดตราด", ("org-court", "court_staff", None)),
    ("ศาล จังหวัด ตราด", ("org-court", "court_staff", None)),
    ("ศาลแขวงชลบุรี", ("org-court", "court_staff", None)),
    ("ศาลปกครองระยอง", ("org-court", "court_staff", None)),
    ("สำนักงานศาลยุติธรรม", ("org-court", "court_staff", None)),
    ("Trat Provincial Court", ("org-court", "court_staff", None)),
    # prosecutors
    ("สำนักงานอัยการจังหวัดตราด", ("org-prosecution", "prosecutor", None)),
    ("สนง.อัยการจังหวัดตราด", ("org-prosecution", "prosecutor", None)),
    ("สำนักงานอัยยการจังหวัดตราด", ("org-prosecution", "prosecutor", None)),  # ย doubled
    ("Office of the Attorney General", ("org-prosecution", "prosecutor", None)),
    # independent organs and Parliament
    ("สำนักงานคณะกรรมการการเลือกตั้งประจำจังหวัดตราด", ("org-election", "independent_organ_staff", None)),
    ("สำนักงาน กกต. จังหวัดตราด", ("org-election", "independent_organ_staff", None)),
    ("สำนักงานคณะกรรมการเลือกตั้ง", ("org-election", "independent_organ_staff", None)),  # "การ" left out
    ("Office of the Election Commission of Thailand", ("org-election", "independent_organ_staff", None)),
    ("สำนักงานการตรวจเงินแผ่นดิน", ("org-audit", "independent_organ_staff", "OAG")),
    ("สตง. ภูมิภาคที่ 2", ("org-audit", "independent_organ_staff", "OAG")),
    ("Office of the Auditor General", ("org-audit", "independent_organ_staff", "OAG")),
    ("สำนักงานผู้ตรวจการแผ่นดิน", ("org-ombudsman", "independent_organ_staff", "OMBUDSMAN")),
    ("Office of the Ombudsman", ("org-ombudsman", "independent_organ_staff", "OMBUDSMAN")),
    ("สำนักงาน กสม.", ("org-human-rights", "independent_organ_staff", None)),
    ("สำนักงานเลขาธิการสภาผู้แทนราษฎร", ("org-parliament", "parliament_staff", None)),
    ("สำนักงานเลขาธิการวุฒิสภา", ("org-parliament", "parliament_staff", None)),
    ("Secretariat of the House of Representatives", ("org-parliament", "parliament_staff", None)),
    # others whose own office is set aside
    ("สภ.เมืองตราด", ("org-police", "police_officer", "POLICE")),
    ("สถานีตำรวจภูธรคลองใหญ่", ("org-police", "police_officer", "POLICE")),
    ("Royal Thai Police", ("org-police", "police_officer", "POLICE")),
    ("กรมสอบสวนคดีพิเศษ", ("org-dsi", None, "DSI")),
    ("ศูนย์ดำรงธรรมจังหวัดจันทบุรี", ("org-damrongtham", None, "DAMRONGTHAM-22")),
    ("ศูนย์ดำรงธรรม", ("org-damrongtham", None, "DAMRONGTHAM-23")),
    ("ศาลากลางจังหวัดตราด", ("org-provincial-hall", None, "DAMRONGTHAM-23")),
    ("มหาวิทยาลัยราชภัฏรำไพพรรณี", ("org-university", "university_staff", None)),
    ("การไฟฟ้าส่วนภูมิภาค อำเภอเขาสมิง", ("org-soe", "soe_employee", None)),
    ("มณฑลทหารบกที่ 14", ("org-military", "military_officer", None)),
])
def test_organisations(recogniser, text, expected):
    assert org(recogniser, text) == expected


def test_bangkok_nacc_is_the_central_office_once_the_directory_is_asked():
    from services.routing.domain.rules import load_engine

    engine = load_engine()
    assert org(engine.recogniser, "สำนักงาน ป.ป.ช.", province="10") == ("org-nacc", "nacc_staff", "NACC-10")
    assert engine.workplace_office("NACC-10") == "NACC"
    assert engine.workplace_office("PACC-R2") == "PACC-R2"


@pytest.mark.parametrize("text", [
    "สำนักงานที่ดินจังหวัดตราด", "อบต.ห้วงน้ำขาว", "เทศบาลเมืองตราด", "โรงเรียนบ้านท่าเรือจ้าง",
    "ศาลเจ้าพ่อหลักเมือง",      # a shrine, not a court
    "ศาลพระภูมิหน้าอำเภอ",       # a spirit house
    "ศาลปู่ตาบ้านหนองคันทรง",    # a village shrine
    "โรงพยาบาลตราด", "สำนักงานสาธารณสุขจังหวัดตราด", "สสจ.ตราด", "Trat Land Office", "Food courtyard",
    "สภาองค์การบริหารส่วนตำบล", "", "   ", "ปชช. หมู่ 3",
    "Inaccurate Records Unit",   # NACC inside an English word is not the NACC
    "Lands Information Office",  # nor DSI
    "Pacchetti Co., Ltd.",       # nor PACC
])
def test_texts_that_name_no_listed_body(recogniser, text):
    assert org(recogniser, text) is None


@pytest.mark.parametrize("text, expected", [
    ("ผู้พิพากษา", ("pos-judge", "judge")),
    ("ผู้พิพากษาศาลจังหวัดตราด", ("pos-judge", "judge")),
    ("ผู้พิภากษา", ("pos-judge", "judge")),           # ภ for พ
    ("ตุลาการศาลปกครอง", ("pos-judge", "judge")),
    ("Judge", ("pos-judge", "judge")),
    ("อัยการจังหวัด", ("pos-prosecutor", "prosecutor")),
    ("พนักงานอัยการ", ("pos-prosecutor", "prosecutor")),
    ("public prosecutor", ("pos-prosecutor", "prosecutor")),
    ("นายก อบต.", ("pos-local-executive", "local_executive")),
    ("รองนายก อบต.ห้วงน้ำขาว", ("pos-local-executive", "local_executive")),
    ("นายกเทศมนตรีเมืองตราด", ("pos-local-executive", "local_executive")),
    ("Mayor", ("pos-local-executive", "local_executive")),
    ("สมาชิกสภา อบต.", ("pos-local-council", "local_council_member")),
    ("ส.อบต. หมู่ 4", ("pos-local-council", "local_council_member")),
    ("ส.ท.", ("pos-local-council", "local_council_member")),
    ("รัฐมนตรีช่วยว่าการ", ("pos-political", "political_office_holder")),
    ("ส.ส.", ("pos-political", "political_office_holder")),
    ("MP", ("pos-political", "political_office_holder")),
    ("ผู้ว่าราชการจังหวัดตราด", ("pos-senior", "senior_executive")),
    ("ผู้ว่าฯ", ("pos-senior", "senior_executive")),
    ("อธิบดีกรมที่ดิน", ("pos-senior", "senior_executive")),
    ("Director-General", ("pos-senior", "senior_executive")),
    ("กำนันตำบลวังกระแจะ", ("pos-kamnan", "kamnan_village_head")),
    ("ผญบ. หมู่ 2", ("pos-kamnan", "kamnan_village_head")),
    ("ร.ต.อ.", ("pos-police", "police_officer")),
    ("ผกก.สภ.เมืองตราด", ("pos-police", "police_officer")),
    ("ทหารพราน", ("pos-military", "military_officer")),
])
def test_positions(recogniser, text, expected):
    assert pos(recogniser, text) == expected


@pytest.mark.parametrize("text", [
    "รองผู้ว่าราชการจังหวัด",   # deputies are not senior executives
    "รองอธิบดี", "ปลัด อบต.", "ปลัดอำเภอ", "นิติกร", "เจ้าพนักงานที่ดิน", "ครู", "deputy director-general",
    "สสจ.",    # the provincial health office, not an MP (ส.ส. is read only as the whole field)
])
def test_positions_that_are_not_listed(recogniser, text):
    assert pos(recogniser, text) is None


def test_position_is_read_before_organisation(recogniser):
    found = recogniser.recognise("ผู้พิพากษา", "ศาลจังหวัดตราด", "23")
    assert [m.entry for m in found] == ["pos-judge", "org-court"]


def test_the_tipsters_words_are_kept_as_written_for_the_explanation(recogniser):
    (match,) = recogniser.recognise(None, "  สำนักงาน   ป.ป.ท.  เขต 2 ", "23")
    assert match.text == "สำนักงาน ป.ป.ท. เขต 2"
    assert match.kind_th and match.kind_en


def test_normalise():
    assert normalise("สํานักงาน ป.ป.ท. เขต ๒") == normalise("สำนักงานปปทเขต2") == "สำนักงานปปทเขต2"
    assert normalise("PACC  Region-2") == "pacc region 2"  # English words keep one space between them
    assert normalise(None) == ""


def test_very_long_text_is_cut_not_slow(recogniser):
    assert recogniser.recognise(None, "ก" * 100_000 + "ศาล", "23") == ()


@pytest.mark.parametrize("spec, message", [
    ({}, "no version"),
    ({"version": "1", "organisations": [{"id": "x", "kind": {"th": "ก"}, "provenance": "verified", "source": "s",
                                         "official_type": "judge", "phrases": ["ก"]}]}, "kind needs th and en"),
    ({"version": "1", "organisations": [{"id": "x", "kind": {"th": "ก", "en": "a"}, "provenance": "rumour",
                                         "source": "s", "official_type": "judge", "phrases": ["ก"]}]},
     "provenance"),
    ({"version": "1", "organisations": [{"id": "x", "kind": {"th": "ก", "en": "a"}, "provenance": "verified",
                                         "source": "s", "phrases": ["ก"]}]}, "needs an official_type"),
    ({"version": "1", "positions": [{"id": "x", "kind": {"th": "ก", "en": "a"}, "provenance": "verified",
                                     "source": "s", "official_type": "judge"}]}, "no phrases"),
])
def test_malformed_lists_are_refused(spec, message):
    with pytest.raises(AccusedDataError, match=message):
        Recogniser(spec)
