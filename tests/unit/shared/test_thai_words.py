"""The compact dictionary segments Thai exactly as PyThaiNLP's own trie does: the same tokens, so the same stored
blind-index terms and the same duplicate signals, over a varied corpus and over generated text."""
import random
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.routing.domain import duplicates
from shared import blind_index, thai_words

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from throughput import tip_maker  # noqa: E402  (the bench's varied tips: categories, accused, places, amounts)

SENTENCES = [
    "เจ้าหน้าที่ที่ดินเรียกรับเงินเพื่อเร่งออกโฉนด",
    "นายก อบต.เกาะช้าง ฮั้วประมูลโครงการก่อสร้างถนนลาดยาง งบ 4,500,000 บาท ผู้ชนะเป็นญาติ",
    "องค์การบริหารส่วนตำบลหนองบัวจัดซื้อครุภัณฑ์การแพทย์ราคาสูงเกินจริง ๑๒๐,๐๐๐ บาท",
    "ผู้กำกับการสถานีตำรวจภูธรเมืองขอเงินใต้โต๊ะแลกกับการไม่จับกุม เมื่อวันที่ 12/03/2567 เวลา 19:30 น.",
    "ครูผู้ช่วยโรงเรียนบ้านหนองบัวเบิกค่าอบรมที่ไม่มีการจัดจริง\nมีพยานเห็นเหตุการณ์สามคน\tและสลิปโอนเงิน",
    "ชินโซ อาเบะ เกิด 21 กันยายน",  # names outside the dictionary
    "Land Office bribe ที่ดิน PACC region 2 สำนักงาน ป.ป.ท. เขต ๒ e-mail: a@b.co https://example.org/x?y=1",
    "ตากลม ตากลมตากลม มีนาคม คนขับรถ ขับรถ ไปกลับ กลับไป",  # ambiguous cuts
    "กกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกกก",
    "ำำำ ่่่ ๆๆๆ ฯลฯ ฯ ๏ ๚ ๛ เเเ",  # stray marks, repeated vowels
    "สวัสดีครับ😀 ขอบคุณค่ะ🙏 ข้าราชการ\u200bกรมทางหลวงชนบท",  # emoji, a zero-width space
    "กิน\u0e48\u0e48ข้าว น้ํา น้ำ",  # doubled tone mark; SARA AM decomposed and composed
    "ข้าราชการกรมทางหลวงชนบทเรียกรับเงินจากผู้รับเหมาก่อสร้างสะพานข้ามคลองเพื่อให้ผ่านการตรวจรับงาน"
    "ทั้งที่งานยังไม่แล้วเสร็จตามสัญญาและใช้วัสดุไม่ได้มาตรฐานตามที่กำหนดไว้ในแบบแปลนของโครงการนี้"
    "ชาวบ้านหลายรายถูกเรียกเก็บเหมือนกันเกิดขึ้นซ้ำหลายครั้งในปีนี้",  # a long unspaced run: newmm-safe's chunks
    "ab\ud800กินข้าว",  # a lone surrogate (JSON may carry one)
    "",
    "   ",
]


@pytest.fixture(scope="module")
def reference():
    """PyThaiNLP's own trie and newmm with its default dictionary: what the services used before."""
    thai_words.use_offline()
    from pythainlp.corpus import thai_words as pythainlp_words
    from pythainlp.tokenize import word_tokenize
    from pythainlp.util import Trie

    trie = Trie(pythainlp_words())

    def segment(text):
        return word_tokenize(text, engine="newmm-safe", keep_whitespace=False)

    return trie, segment


@lru_cache(maxsize=1)
def dictionary_words() -> list[str]:
    return sorted(thai_words.dictionary())


def corpus() -> list[str]:
    make = tip_maker(11)
    tips = [make(i) for i in range(150)]
    texts = list(SENTENCES)
    for tip in tips:
        texts.append(tip["description"])
        texts.extend(str(v) for v in tip["accused"].values() if v)
    rng = random.Random(5)
    words = dictionary_words()
    for _ in range(100):  # unspaced runs of dictionary words, short and long (ambiguous boundaries)
        texts.append("".join(rng.choices(words, k=rng.randint(2, 60))))
    return texts


def _same_everywhere(reference, texts):
    trie, segment = reference
    compact = thai_words.dictionary()
    for text in texts:
        assert thai_words.segment(text) == segment(text), text
        for start in range(len(text)):
            assert compact.prefixes(text, start) == trie.prefixes(text, start), (text, start)


def _as_before(monkeypatch, reference):
    trie, segment = reference
    monkeypatch.setattr(thai_words, "dictionary", lambda: trie)
    monkeypatch.setattr(thai_words, "segment", segment)


def test_the_dictionary_holds_pythainlps_words(reference):
    trie, _ = reference
    compact = thai_words.dictionary()
    assert len(compact) == len(trie) > 60_000
    assert set(compact) == set(trie)
    assert all(word in compact for word in ("โฉนด", "ที่ดิน", "ทุจริต", "สินบน")) and "ไม่ใช่คำในพจนานุกรม" not in compact


def test_segmentation_and_prefixes_are_pythainlps_over_a_varied_corpus(reference):
    _same_everywhere(reference, corpus())


def test_blind_index_terms_and_duplicate_words_do_not_change(reference, monkeypatch):
    texts = corpus()
    make = tip_maker(12)
    tips = [make(i) for i in range(100)]
    now_terms = [blind_index.terms(t) for t in texts]
    now_queries = [blind_index.words(t) for t in texts]
    now_words = [duplicates.words(t) for t in texts]
    now_matter = [duplicates.matter_words(t) for t in tips]
    _as_before(monkeypatch, reference)
    assert [blind_index.terms(t) for t in texts] == now_terms
    assert [blind_index.words(t) for t in texts] == now_queries
    assert [duplicates.words(t) for t in texts] == now_words
    assert [duplicates.matter_words(t) for t in tips] == now_matter
    assert sum(map(len, now_terms)) > 10_000  # the corpus really exercised the index


THAI = st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B)
MIXED = st.one_of(THAI, THAI, THAI, st.sampled_from(" \n\t.,-/:()0123456789๑๒๓abcXYZ😀\u200b"), st.characters())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(MIXED, max_size=300))
def test_generated_text_segments_the_same(reference, text):
    _same_everywhere(reference, [text])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_generated_runs_of_words_segment_the_same(reference, data):
    piece = st.one_of(st.sampled_from(dictionary_words()), st.text(MIXED, max_size=3))
    pieces = data.draw(st.lists(piece, max_size=40))
    _same_everywhere(reference, ["".join(pieces)])
