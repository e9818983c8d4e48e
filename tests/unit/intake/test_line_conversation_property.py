"""Property: whatever a LINE user sends, in any order — any Thai text, the buttons on screen, back, cancel, language
switches, locations, files, receipts — the bot answers within LINE's limits and never fails; and any valid set of
answers, with detours through back, files a tip that intake's TipSchema accepts with exactly those answers."""
from __future__ import annotations

import re
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.intake.line import places
from services.intake.line.conversation import Incoming
from services.intake.line.texts import COMMAND_WORDS
from shared.vocabulary import CATEGORIES, OFFICIAL_TYPE_GROUPS
from tests.unit.intake.line_fakes import RECEIPT, FakePorts, run

THAI = "".join(chr(c) for c in range(0x0E01, 0x0E5C) if chr(c).isprintable())
thai_text = st.text(alphabet=THAI + " 0123456789,.-/\n()ๆ", max_size=300)
COMMANDS = ["ย้อนกลับ", "ยกเลิก", "back", "cancel", "English", "ภาษาไทย", "เมนู", "แจ้งเรื่อง", "ติดตาม", "ข้าม",
            "เสร็จแล้ว", "ไม่ทราบ", "ยืนยัน"]
PROVINCES = places.provinces()
NAVIGATION = COMMAND_WORDS["cancel"] + COMMAND_WORDS["back"]  # the only words that are commands while writing
SKIP = ("ข้าม", "skip", "ไม่ทราบ", "-")


@st.composite
def addresses(draw):
    province = draw(st.sampled_from(PROVINCES))
    words = [draw(thai_text.map(lambda t: t[:40]))]
    districts = places.districts(province["code"])
    if districts and draw(st.booleans()):
        district = draw(st.sampled_from(districts))
        words.append("อำเภอ" + district["th"])
        subs = places.subdistricts(district["code"])
        if subs and draw(st.booleans()):
            words.insert(1, "ตำบล" + draw(st.sampled_from(subs))["th"])
    if draw(st.booleans()):
        words.append(province["th"])
    return " ".join(words)


action = st.one_of(
    st.tuples(st.just("tap"), st.integers(0, 12), st.dates(date(1940, 1, 1), date(2027, 1, 1))),
    st.tuples(st.just("text"), thai_text),
    st.tuples(st.just("text"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("location"), addresses(), st.floats(5.5, 20.5), st.floats(97.3, 105.7)),
    st.tuples(st.just("file"), st.sampled_from([None, "attachment.unsupported_type", "file.gone",
                                                "attachment.too_large"])),
    st.tuples(st.just("receipt"), st.booleans()),
    st.tuples(st.just("event"), st.sampled_from(["follow", "unfollow", "other"])),
)


def _incoming(act, replies):
    kind = act[0]
    if kind == "tap":
        buttons = [q for r in replies for q in r.quick if q.action in ("postback", "datetime")]
        if not buttons:
            return Incoming("text", text="เมนู")
        button = buttons[act[1] % len(buttons)]
        if button.action == "datetime":
            return Incoming("postback", data=button.data, params={"date": act[2].isoformat()})
        return Incoming("postback", data=button.data)
    if kind == "text":
        return Incoming("text", text=act[1])
    if kind == "location":
        return Incoming("location", title="จุดเกิดเหตุ", address=act[1], latitude=act[2], longitude=act[3])
    if kind == "file":
        return Incoming("file", message_id="m")
    if kind == "receipt":
        return Incoming("text", text=RECEIPT if act[1] else "9999 8888 7777 6666")
    return Incoming(act[1])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, max_size=40))
def test_any_sequence_of_messages_is_answered_within_lines_limits(actions):
    ports = FakePorts()
    state, replies = None, []
    for n, act in enumerate(actions):
        if act[0] == "file":
            ports.fail_next_file = act[1]
        incoming = _incoming(act, replies)
        incoming = Incoming(**{**incoming.__dict__, "event_id": f"ev{n}"})
        state, replies = run(state, incoming, ports)  # checks LINE's limits; FakePorts validates filed tips
        if incoming.kind != "unfollow":
            assert replies, f"no answer to {incoming}"


@st.composite
def valid_answers(draw):
    province = draw(st.sampled_from(PROVINCES))
    district = draw(st.sampled_from(places.districts(province["code"])))
    subs = places.subdistricts(district["code"])
    sub = draw(st.sampled_from(subs)) if subs else None
    group = draw(st.sampled_from(list(OFFICIAL_TYPE_GROUPS)))
    return {
        "category": draw(st.sampled_from(list(CATEGORIES))),
        "description": draw(st.text(alphabet=THAI + " ", min_size=10, max_size=400).filter(
            lambda t: len(t.strip()) >= 10 and " ".join(t.split()) not in NAVIGATION)),
        "province": province, "district": district, "subdistrict": sub, "group": group,
        "official_type": draw(st.sampled_from(OFFICIAL_TYPE_GROUPS[group]["types"])),
        "position": draw(st.one_of(st.none(), thai_text.filter(
            lambda t: t.strip() and " ".join(t.split()) not in NAVIGATION + SKIP))),
        "event_date": draw(st.one_of(st.none(), st.dates(date(1950, 1, 1), date(2026, 12, 1)))),
        "files": draw(st.integers(0, 4)),
        "notify": draw(st.booleans()),
        "backs": draw(st.sets(st.integers(1, 9), max_size=4)),
        "lang": draw(st.sampled_from(["th", "en"])),
    }


def _province_page_tap(state, ports, code, level):
    """Pick an area the way a person does: page through the buttons until it shows, then press it."""
    options = {"province": PROVINCES, "district": None, "subdistrict": None}[level]
    if options is None:
        loc = state["draft"]["location"]
        options = places.districts(loc["province_code"]) if level == "district" else \
            places.subdistricts(loc["district_code"])
    index = [o["code"] for o in options].index(code)
    for _ in range(index // 9):
        state, _ = run(state, Incoming("postback", data="page=next"), ports)
    return run(state, Incoming("postback", data=f"{level}={code}"), ports)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_answers())
def test_any_valid_answers_with_detours_file_that_tip(a):
    ports = FakePorts()
    state, _ = run(None, Incoming("text", text="English" if a["lang"] == "en" else "ภาษาไทย"), ports)
    state, _ = run(state, Incoming("postback", data="cmd=new"), ports)
    steps = [
        lambda s: run(s, Incoming("postback", data=f"category={a['category']}"), ports),
        lambda s: run(s, Incoming("text", text=a["description"]), ports),
        lambda s: _province_page_tap(s, ports, a["province"]["code"], "province"),
        lambda s: _province_page_tap(s, ports, a["district"]["code"], "district"),
        lambda s: (_province_page_tap(s, ports, a["subdistrict"]["code"], "subdistrict") if a["subdistrict"]
                   else run(s, Incoming("postback", data="cmd=skip"), ports)),
        lambda s: run(s, Incoming("postback", data=f"official_type_group={a['group']}"), ports),
        lambda s: run(s, Incoming("postback", data=f"official_type={a['official_type']}"), ports),
        lambda s: run(s, Incoming("text", text=a["position"]) if a["position"] else
                      Incoming("postback", data="cmd=skip"), ports),
        lambda s: run(s, Incoming("postback", data="when=picked", params={"date": a["event_date"].isoformat()})
                      if a["event_date"] else Incoming("postback", data="when=unknown"), ports),
    ]
    state_steps = []
    for n, do in enumerate(steps, start=1):
        state_steps.append(state["step"])
        state, _ = do(state)
        if n in a["backs"]:  # go back once and answer the same step again
            state, _ = run(state, Incoming("text", text="ย้อนกลับ"), ports)
            assert state["step"] == state_steps[-1]
            state, _ = do(state)
    for i in range(a["files"]):
        state, _ = run(state, Incoming("file", message_id=f"m{i}"), ports)
    state, _ = run(state, Incoming("postback", data="files=done"), ports)
    state, _ = run(state, Incoming("postback", data="anonymity=line" if a["notify"] else "anonymity=anonymous"), ports)
    assert state["step"] == "confirm"
    state, replies = run(state, Incoming("postback", data="confirm=yes", event_id="confirm"), ports)
    [filed] = ports.filed
    tip = filed["tip"]
    assert tip["category"] == a["category"] and tip["description"] == a["description"].strip()
    assert tip["language"] == a["lang"]
    expected_location = {"province_code": a["province"]["code"], "district_code": a["district"]["code"]}
    if a["subdistrict"]:
        expected_location["subdistrict_code"] = a["subdistrict"]["code"]
    assert tip["location"] == expected_location
    assert tip["accused"]["official_type"] == a["official_type"]
    typed = re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", a["position"] or "").strip()[:200]
    assert tip["accused"].get("position") == (typed or None)
    assert tip["event_date"] == (a["event_date"].isoformat() if a["event_date"] else None)
    assert len(filed["files"]) == a["files"]
    assert ("reporter" in tip) == a["notify"]
    assert "SS-TEST-0001" in replies[0].text
    assert state["draft"] is None
