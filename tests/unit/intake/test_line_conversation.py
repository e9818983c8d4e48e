"""The LINE conversation's rules, with fake ports (filing validates with intake's TipSchema)."""
from __future__ import annotations

from services.intake.line import places
from services.intake.line.conversation import Incoming, all_button_labels
from services.intake.line.messages import MAX_LABEL, split_text, to_line
from services.intake.line.conversation import Quick, Reply
from tests.unit.intake.line_fakes import RECEIPT, FakePorts, run


def text(t):
    return Incoming("text", text=t, event_id="e-" + t[:8])


def tap(data, **params):
    return Incoming("postback", data=data, params=params, event_id="e-" + data)


def quick_data(replies):
    return [q.data for q in replies[-1].quick]


def test_a_whole_tip_with_typed_places_is_filed_as_intake_takes_it():
    ports = FakePorts()
    state = None
    state, replies = run(state, Incoming("follow"), ports)
    assert "cmd=new" in quick_data(replies)
    state, replies = run(state, tap("cmd=new"), ports)
    assert "category=procurement" in quick_data(replies)
    state, _ = run(state, tap("category=procurement"), ports)
    state, replies = run(state, text("สั้น"), ports)
    assert "อย่างน้อย 10" in replies[0].text and state["step"] == "description"
    state, _ = run(state, text("อบต. ฮั้วประมูลถนนลูกรัง งบ 2 ล้านบาท ผู้รับเหมาเป็นญาตินายก"), ports)
    state, replies = run(state, text("จ.ตราด"), ports)
    assert state["step"] == "district" and "ตราด" in replies[0].text
    state, replies = run(state, text("อำเภอเขาสมิง"), ports)
    assert state["step"] == "subdistrict"
    assert any(q.display == "ท่าโสม" for q in replies[-1].quick) or "page=next" in quick_data(replies)
    state, _ = run(state, text("ท่าโสม"), ports)
    assert state["draft"]["location"]["subdistrict_code"] == places.find(
        places.subdistricts(state["draft"]["location"]["district_code"]), "ท่าโสม")["code"]
    state, _ = run(state, tap("official_type_group=local"), ports)
    state, _ = run(state, tap("official_type=local_executive"), ports)
    state, _ = run(state, text("นายก อบต. ท่าโสม"), ports)
    state, replies = run(state, text("3/11/2569"), ports)
    assert state["draft"]["event_date"] == "2026-11-03" and state["step"] == "files"
    state, _ = run(state, Incoming("file", message_id="m1"), ports)
    state, _ = run(state, Incoming("file", message_id="m2", file_name="สัญญา.pdf"), ports)
    state, _ = run(state, tap("files=done"), ports)
    state, replies = run(state, tap("anonymity=anonymous"), ports)
    assert "ไฟล์: 2 ไฟล์" in replies[0].text and "3 พ.ย. 2569" in replies[0].text
    state, replies = run(state, tap("confirm=yes"), ports)
    [filed] = ports.filed
    tip = filed["tip"]
    assert tip["channel"] == "line" and tip["category"] == "procurement" and "reporter" not in tip
    assert tip["location"]["province_code"] == "23" and tip["location"]["district_code"].startswith("23")
    assert tip["accused"] == {"official_type": "local_executive", "position": "นายก อบต. ท่าโสม"}
    assert filed["files"] == ["f1", "f2"]
    assert "SS-TEST-0001" in replies[0].text and "1234 5678 1234 5678" in replies[0].text
    assert "ปลอดภัย" in replies[1].text
    assert state["draft"] is None and state["linked"] == []  # filing alone does not open the tip in this chat


def test_a_shared_location_fills_the_areas_and_notices_need_the_choice():
    ports = FakePorts()
    state, _ = run(None, tap("cmd=new"), ports)
    state, _ = run(state, tap("category=bribery"), ports)
    state, _ = run(state, text("ตำรวจเรียกเงินที่ด่านตรวจ 500 บาท"), ports)
    state, replies = run(state, Incoming("location", title="ด่านตรวจ", address="ตำบลบางพระ อำเภอเมืองตราด ตราด 23000",
                                         latitude=12.24, longitude=102.51), ports)
    assert state["step"] == "location_confirm" and "ต.บางพระ อ.เมืองตราด จ.ตราด" in replies[0].text
    state, _ = run(state, tap("location=ok"), ports)
    assert state["step"] == "who_group"
    for data in ("official_type_group=government", "official_type=police_officer", "cmd=skip", "when=today",
                 "files=done", "anonymity=line", "confirm=yes"):
        state, _ = run(state, tap(data), ports)
    tip = ports.filed[0]["tip"]
    assert tip["location"] == {"province_code": "23", "district_code": "2301", "subdistrict_code": "230101",
                               "place": "ด่านตรวจ, ตำบลบางพระ อำเภอเมืองตราด ตราด 23000 (12.240000, 102.510000)"}
    assert tip["reporter"]["notify_via"] == ["line"] and tip["event_date"] == "2026-12-01"


def test_back_returns_a_step_and_cancel_forgets_the_draft_and_its_files():
    ports = FakePorts()
    state, _ = run(None, tap("cmd=new"), ports)
    state, replies = run(state, text("ย้อนกลับ"), ports)
    assert state["step"] == "category" and "ขั้นแรก" in replies[0].text
    state, _ = run(state, tap("category=other"), ports)
    state, _ = run(state, Incoming("file", message_id="early"), ports)  # a photo before its step is kept
    assert state["draft"]["files"] == ["f1"] and state["step"] == "description"
    state, _ = run(state, text("back"), ports)
    assert state["step"] == "category" and state["draft"]["category"] == "other"
    state, replies = run(state, text("ยกเลิก"), ports)
    assert state["draft"] is None and state["mode"] == "idle" and ports.dropped == ["f1"]
    assert "ถูกลบ" in replies[0].text


def test_english_on_request():
    ports = FakePorts()
    state, replies = run(None, text("English"), ports)
    assert state["lang"] == "en" and "English" in replies[0].text
    state, replies = run(state, tap("cmd=new"), ports)
    assert replies[0].text.startswith("Step 1/8") and "Bribery" in [q.label for q in replies[0].quick]


def test_following_needs_the_receipt_once_then_reads_and_answers():
    ports = FakePorts()
    state, replies = run(None, text("ติดตาม"), ports)
    assert "16 หลัก" in replies[0].text
    state, replies = run(state, text("0000 0000 0000 0000"), ports)
    assert "ไม่ถูกต้อง" in replies[0].text and state["linked"] == []
    state, replies = run(state, text(" ".join(RECEIPT[i:i + 4] for i in range(0, 16, 4))), ports)
    shown = "\n".join(r.text for r in replies)
    assert "SS-TEST-0001" in shown and "ท่านจำวันที่ได้หรือไม่" in shown and "ได้รับหลักฐานแล้ว" in shown
    assert state["linked"] == [{"tip_id": "tip-1", "reference": "SS-TEST-0001"}]
    state, _ = run(state, tap("cmd=answer"), ports)
    state, replies = run(state, text("จำได้ว่าเป็นวันที่ 3 พฤศจิกายน"), ports)
    assert ports.messages == [("tip-1", "จำได้ว่าเป็นวันที่ 3 พฤศจิกายน", "q-1", [])]
    state, _ = run(state, Incoming("file", message_id="m9"), ports)
    assert ports.messages[-1][2] is None and ports.messages[-1][3] == ["f1"]
    # later, the chat opens the tip without the receipt, until the tipster says to forget it
    state, _ = run(state, text("เมนู"), ports)
    state, replies = run(state, text("ติดตาม"), ports)
    assert "SS-TEST-0001" in replies[0].text
    state, replies = run(state, tap("cmd=forget"), ports)
    assert state["linked"] == []
    state, replies = run(state, text("ติดตาม"), ports)
    assert "16 หลัก" in replies[0].text


def test_unfollow_forgets_everything():
    ports = FakePorts()
    state, _ = run(None, text(RECEIPT), ports)
    assert state["linked"]
    state, _ = run(state, tap("cmd=new"), ports)
    state, _ = run(state, tap("category=other"), ports)
    state, _ = run(state, Incoming("file", message_id="x"), ports)
    state, replies = run(state, Incoming("unfollow"), ports)
    assert state["linked"] == [] and state["draft"] is None and replies == [] and ports.dropped == ["f1"]


def test_refused_files_are_explained():
    ports = FakePorts()
    state, _ = run(None, tap("cmd=new"), ports)
    ports.fail_next_file = "attachment.unsupported_type"
    state, replies = run(state, Incoming("file", message_id="exe"), ports)
    assert "ชนิดไฟล์ไม่รองรับ" in replies[0].text and state["draft"]["files"] == []
    ports.fail_next_file = "file.gone"
    state, replies = run(state, Incoming("file", message_id="gone"), ports)
    assert "ส่งใหม่" in replies[0].text


def test_dates_buddhist_era_and_future_refused():
    ports = FakePorts()
    state, _ = run(None, tap("cmd=new"), ports)
    state["step"] = "when"
    state["draft"].update(category="other", description="x" * 20)
    state2, replies = run(state, text("2/12/2569"), ports)  # tomorrow in Bangkok
    assert state2["step"] == "when" and "อนาคต" in replies[0].text
    state2, _ = run(state, tap("when=picked", date="2025-01-31"), ports)
    assert state2["draft"]["event_date"] == "2025-01-31"


def test_button_labels_fit_line():
    assert all(1 <= len(label) <= MAX_LABEL for label in all_button_labels())
    assert all(len(p[lang][:20]) <= 20 for p in places.provinces() for lang in ("th", "en"))


def test_long_texts_are_split_and_quick_reply_goes_last():
    parts = split_text("ก" * 4990 + "\n" + "ข" * 300)
    assert [len(p) for p in parts] == [4990, 300]
    assert all(len(p) <= 5000 for p in split_text("ค" * 12_001))
    messages = to_line([Reply("ก" * 6000, [Quick("หนึ่ง", "cmd=menu")]), Reply("สอง")])
    assert [m.quick_reply is not None for m in messages] == [False, False, True]


def test_places_from_line_addresses():
    assert places.from_address("123 ถนนสุขุมวิท ตำบลบางพระ อำเภอเมืองตราด ตราด 23000 ประเทศไทย") == {
        "province_code": "23", "district_code": "2301", "subdistrict_code": "230101"}
    assert places.from_address("Bang Phra, Mueang Trat District, Trat 23000, Thailand")["subdistrict_code"] == "230101"
    assert places.from_address("อ.เมือง จ.เชียงใหม่") == {"province_code": "50", "district_code": "5001"}
    assert places.from_address("Somewhere without a province") == {}


def test_bangkok_areas_are_khwaeng_and_khet():
    found = places.from_address("ถนนราชดำเนินนอก แขวงวัดโสมนัส เขตป้อมปราบศัตรูพ่าย กรุงเทพมหานคร 10100")
    assert places.describe(found) == "แขวงวัดโสมนัส เขตป้อมปราบศัตรูพ่าย กรุงเทพมหานคร"


def test_a_typed_district_or_subdistrict_that_is_not_there_is_named_and_asked_again():
    ports = FakePorts()
    state, _ = run(None, Incoming("follow"), ports)
    state, _ = run(state, tap("cmd=new"), ports)
    state, _ = run(state, tap("category=procurement"), ports)
    state, _ = run(state, text("อบต. ฮั้วประมูลถนนลูกรัง งบ 2 ล้านบาท ผู้รับเหมาเป็นญาตินายก"), ports)
    state, _ = run(state, text("จ.ตราด"), ports)
    state, replies = run(state, text("อำเภอไม่มีจริง"), ports)
    assert state["step"] == "district" and "ไม่มีจริง" in replies[0].text and "ตราด" in replies[0].text
    state, _ = run(state, text("อำเภอเขาสมิง"), ports)
    state, replies = run(state, text("ตำบลไม่มีจริง"), ports)
    assert state["step"] == "subdistrict" and "ไม่มีจริง" in replies[0].text and "เขาสมิง" in replies[0].text
    assert state["draft"]["location"].get("subdistrict_code") is None
