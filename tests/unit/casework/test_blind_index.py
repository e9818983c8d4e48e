"""The blind index: Thai and English words found through keyed hashes; the words themselves are not stored."""
import hashlib
import hmac
import secrets

from hypothesis import given, settings
from hypothesis import strategies as st

from shared import blind_index

THAI_WORDS = ["เจ้าหน้าที่", "ที่ดิน", "เรียกรับ", "เงิน", "โฉนด", "ตำรวจ", "ทางหลวง", "ใบอนุญาต", "ก่อสร้าง", "โรงเรียน"]


def test_thai_and_english_words_are_found_and_only_hashes_are_stored():
    blind_index.install_key("casework", secrets.token_bytes(32))
    stored = blind_index.index_terms("casework", "เจ้าหน้าที่ที่ดินเรียกรับเงินเพื่อเร่งออกโฉนด Land Office bribe")
    for query in ("โฉนด", "เรียกรับเงิน", "land office", "BRIBE"):
        assert blind_index.query_terms("casework", query) <= stored, query
    assert not blind_index.query_terms("casework", "ตำรวจ") <= stored
    assert all(len(h) == 32 and "โฉนด" not in h for h in stored)


def test_another_key_gives_other_hashes():
    blind_index.install_key("casework", b"\x01" * 32)
    first = blind_index.index_terms("casework", "โฉนดที่ดิน")
    blind_index.install_key("casework", b"\x02" * 32)
    assert not first & blind_index.index_terms("casework", "โฉนดที่ดิน")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(THAI_WORDS), min_size=2, max_size=8), st.data())
def test_any_word_of_a_thai_text_finds_it(words, data):
    blind_index.install_key("casework", b"\x03" * 32)
    text = "".join(words)
    stored = blind_index.index_terms("casework", text)
    word = data.draw(st.sampled_from(words))
    assert blind_index.query_terms("casework", word) <= stored



@settings(max_examples=50, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_a_stored_term_is_hmac_sha256_of_the_word_cut_to_128_bits(word):
    """Terms already stored stay findable: the hash is exactly the documented one."""
    key = b"\x07" * 32
    blind_index.install_key("casework", key)
    expected = hmac.new(key, word.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
    assert blind_index.blind("casework", word) == expected
