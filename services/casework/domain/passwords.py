"""The password policy for desk accounts (OWASP ASVS 5.0 V6.2), without composition rules.

- 12 to 256 characters (ASVS asks for at least 8 and strongly recommends 15; the desk keeps its 12), any
  characters including spaces and Thai, never truncated (V6.2.1, V6.2.5, V6.2.8, V6.2.9).
- Not one of the 20,000 most common passwords shipped in data/common-passwords.txt.gz, compared lower-cased
  (V6.2.4; see data/README.md for its source and licence), nor such a password with digits or symbols added.
- Not built from the account's own context: the username, the office code, the product's name (V6.2.11).
- Not one character, or one short run of characters, repeated ("aaaaaaaaaaaa", "abcabcabcabc", "123412341234").
"""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

MIN_PASSWORD, MAX_PASSWORD = 12, 256
_LIST = Path(__file__).parent.parent / "data" / "common-passwords.txt.gz"
CONTEXT_WORDS = ("sodsong", "สอดส่อง", "password", "passw0rd", "รหัสผ่าน")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset:
    with gzip.open(_LIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def problem(password, *, username: str = "", office_code: str = "") -> str | None:
    """The message key saying what is wrong with `password`, or None if it may be used."""
    if not isinstance(password, str) or not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        return "user.password_length"
    lowered = password.lower()
    if re.fullmatch(r"(.{1,4})\1+.{0,3}", lowered, flags=re.DOTALL):
        return "user.password_common"
    common = common_passwords()
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    if lowered in common or (core and core in common and len(core) >= 6) or lowered.replace(" ", "") in common:
        return "user.password_common"
    squeezed = re.sub(r"[\W_]+", "", lowered)
    for word in (username, office_code, *CONTEXT_WORDS):
        word = re.sub(r"[\W_]+", "", (word or "").lower())
        if len(word) >= 4 and word in squeezed and len(squeezed) - len(word) <= 8:
            return "user.password_context"
    return None
