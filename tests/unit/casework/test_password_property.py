"""Valid passphrases of every kind are accepted (no composition rules), whatever words, spacing and script."""
from hypothesis import given
from hypothesis import strategies as st

from services.casework.usecases import accounts

WORDS = ["ม้าลาย", "ทะเลสาบ", "ภูเขา", "หมอกควัน", "ตลาดน้ำ", "river", "ladder", "quiet", "lantern", "mango",
         "ช้างเผือก", "orchid", "monsoon", "ข้าวเหนียว", "tamarind", "ระเบียง"]


@given(st.lists(st.sampled_from(WORDS), min_size=3, max_size=8), st.sampled_from([" ", "-", " / ", ""]),
       st.one_of(st.just(""), st.integers(min_value=0, max_value=9999).map(str)))
def test_long_passphrases_are_accepted(words, sep, suffix):
    password = (sep.join(words) + suffix)[:256]
    if len(password) < 12:
        return
    accounts.check_password_policy(password, username="somchai", office_code="PACC-R2")
