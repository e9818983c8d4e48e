"""Duplicate candidates on Thai tip text: the same matter reworded is found; other matters are not."""
from datetime import datetime, timedelta, timezone

import pytest

from services.routing.domain.duplicates import DuplicateIndex, matter_words, normalise_key, similarity, words

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)

BRIBE = ("นายก อบต.เกาะช้าง เรียกรับเงินจากผู้รับเหมาโครงการก่อสร้างถนนคอนกรีต 50,000 บาท "
         "เพื่อให้ได้งาน")
BRIBE_REWORDED = ("ผู้รับเหมาถูกนายกองค์การบริหารส่วนตำบลเกาะช้างเรียกเงิน 50000 บาท "
                  "แลกกับการได้งานสร้างถนนคอนกรีตในหมู่บ้าน")
CAR = "เจ้าหน้าที่ อบต.เกาะช้าง ใช้รถยนต์หลวงไปธุระส่วนตัวในวันหยุด"
DREDGING = "โครงการขุดลอกคลองของเทศบาลตำบลคลองใหญ่ งานไม่ตรงแบบ กรรมการตรวจรับงานเท็จ"
DREDGING_REWORDED = "กรรมการตรวจรับงานขุดลอกคลอง เทศบาลตำบลคลองใหญ่ ทั้งที่งานไม่ตรงแบบ ตรวจรับเท็จ"


def tip(description, province="23", district="2307", name="", organization="", position=""):
    return {
        "category": "bribery",
        "description": description,
        "location": {"province_code": province, "district_code": district, "subdistrict_code": None},
        "accused": {"official_type": "local_executive", "name": name, "organization": organization,
                    "position": position},
    }


@pytest.fixture
def index():
    idx = DuplicateIndex()
    idx.add("bribe", tip(BRIBE, name="นายสมชาย ใจดี", organization="อบต.เกาะช้าง", position="นายก อบต."), T0)
    idx.add("car", tip(CAR, organization="อบต. เกาะช้าง", position="เจ้าหน้าที่"), T0)
    return idx


def test_thai_words_are_segmented_and_normalised():
    found = words(BRIBE)
    assert {"ผู้รับเหมา", "ถนน", "คอนกรีต", "50000"} <= found
    assert "จาก" not in found  # a stop word
    assert "อบต." in words("องค์การบริหารส่วนตำบลเกาะช้าง")


def test_long_unspaced_text_is_cut_and_quick():
    import time

    text = "ผู้รับเหมาเรียกรับเงินโครงการก่อสร้างถนนคอนกรีตงบประมาณ" * 200 + "ทุเรียน"  # 10,000 characters
    start = time.perf_counter()
    found = words(text)
    assert time.perf_counter() - start < 0.5
    assert {"ผู้รับเหมา", "ถนน"} <= found
    assert "ทุเรียน" not in found  # beyond MAX_TEXT
    assert "ทุเรียน" in words("ผู้รับเหมา" + "ทุเรียน")


def test_similarity_orders_related_texts():
    assert similarity(words(BRIBE), words(BRIBE_REWORDED)) > 0.5
    assert similarity(words(BRIBE), words(CAR)) < 0.3
    assert similarity(words(BRIBE), frozenset()) == 0.0


def test_keys_ignore_spacing_titles_and_abbreviations():
    assert normalise_key("นายสมชาย  ใจดี", strip_honorific=True) == normalise_key("สมชาย ใจดี")
    assert normalise_key("Mr. Somchai Jaidee", strip_honorific=True) == "somchaijaidee"
    assert normalise_key("องค์การบริหารส่วนตำบลเกาะช้าง") == normalise_key("อบต. เกาะช้าง")
    assert normalise_key("สมชาย ใจดี") == "สมชายใจดี"  # Thai vowel marks survive


def test_reworded_matter_about_the_same_accused_is_a_candidate(index):
    query = tip(BRIBE_REWORDED, name="สมชาย ใจดี", organization="องค์การบริหารส่วนตำบลเกาะช้าง")
    found = index.candidates(query, T0 + timedelta(days=20))
    assert [tip_id for tip_id, _, _ in found] == ["bribe"]
    _, score, reasons = found[0]
    assert score >= 0.45
    assert {"same_province", "same_accused_name", "same_organization", "similar_text"} <= set(reasons)


def test_different_matter_against_the_same_organisation_is_not(index):
    query = tip("นายก อบต.เกาะช้าง ออกเอกสารสิทธิ์ในที่ดินสาธารณะให้ญาติ", organization="อบต.เกาะช้าง")
    assert index.candidates(query, T0 + timedelta(days=3)) == []


def test_same_text_in_another_province_is_not(index):
    query = tip(BRIBE, province="22", district="2201", name="นายสมชาย ใจดี", organization="อบต.เกาะช้าง")
    assert index.candidates(query, T0 + timedelta(days=3)) == []


def test_outside_the_time_window_is_not(index):
    query = tip(BRIBE_REWORDED, name="สมชาย ใจดี")
    assert index.candidates(query, T0 + timedelta(days=181)) == []
    assert index.candidates(query, T0 + timedelta(days=179)) != []


def test_similar_text_without_a_shared_signal_is_not(index):
    assert index.candidates(tip(BRIBE_REWORDED, district="2301"), T0) == []


def test_anonymous_tip_in_the_same_district_needs_very_similar_text():
    idx = DuplicateIndex()
    idx.add("dredging", tip(DREDGING, district="2302"), T0)
    found = idx.candidates(tip(DREDGING_REWORDED, district="2302"), T0 + timedelta(days=1))
    assert [(tip_id, reasons) for tip_id, _, reasons in found] == [
        ("dredging", ("same_province", "same_district", "similar_text", "within_180_days"))]
    loosely_related = "คลองใหญ่ น้ำท่วมทุกปี เทศบาลไม่ขุดลอกคลอง"
    assert idx.candidates(tip(loosely_related, district="2302"), T0) == []


def test_best_first_limit_and_exclude():
    idx = DuplicateIndex()
    for n in range(8):
        idx.add(f"t{n}", tip(BRIBE + " ซ้ำ" * n, name="สมชาย ใจดี"), T0 + timedelta(days=n))
    assert len(idx) == 8
    found = idx.candidates(tip(BRIBE, name="สมชาย ใจดี"), T0 + timedelta(days=10), limit=3, exclude="t0")
    assert len(found) == 3
    assert "t0" not in [tip_id for tip_id, _, _ in found]
    scores = [score for _, score, _ in found]
    assert scores == sorted(scores, reverse=True)


def test_out_of_order_adds_are_found():
    idx = DuplicateIndex()
    idx.add("late", tip(CAR, name="ก"), T0 + timedelta(days=300))
    idx.add("early", tip(BRIBE, name="สมชาย ใจดี"), T0)
    found = idx.candidates(tip(BRIBE_REWORDED, name="สมชาย ใจดี"), T0 + timedelta(days=5))
    assert [tip_id for tip_id, _, _ in found] == ["early"]


def test_stored_words_skip_tokenising():
    idx = DuplicateIndex()
    stored = matter_words(tip(BRIBE, name="สมชาย ใจดี"))
    idx.add("stored", tip("", name="สมชาย ใจดี"), T0, text_words=stored)
    found = idx.candidates(tip(BRIBE_REWORDED, name="สมชาย ใจดี"), T0 + timedelta(days=1))
    assert [tip_id for tip_id, _, _ in found] == ["stored"]


def test_tip_without_province_is_ignored():
    idx = DuplicateIndex()
    idx.add("x", {"description": BRIBE}, T0)
    assert len(idx) == 0
    assert idx.candidates({"description": BRIBE}, T0) == []


def test_naive_timestamps_are_utc(index):
    query = tip(BRIBE_REWORDED, name="สมชาย ใจดี")
    assert index.candidates(query, (T0 + timedelta(days=1)).replace(tzinfo=None))


def test_the_index_holds_each_word_once_however_many_tips_use_it():
    """The index keeps every tip of its window: the words of tips read back from the database (fresh strings for
    every row) are the same string objects in the index, not a copy per tip."""
    import json

    idx = DuplicateIndex()
    stored = json.dumps(sorted(matter_words(tip(DREDGING))), ensure_ascii=False)
    for n in range(3):
        idx.add(f"t{n}", tip(DREDGING, organization="เทศบาลตำบลคลองใหญ่"), T0 + timedelta(minutes=n),
                text_words=json.loads(stored))
    held = [words_ for block in idx._blocks.values() for _ref, words_ in block.entries]
    assert len(held) >= 3
    first = {w: w for w in held[0]}
    assert all(first[w] is w for words_ in held for w in words_)
