"""Search over sealed text: a blind index of keyed hashes of normalised words.

A text is cut into words (PyThaiNLP's newmm for Thai, see shared.thai_words; letters and digits for other
scripts), normalised (NFC, lower case, one-letter tokens dropped), and each word, plus each pair of neighbouring words
joined (so a query the segmenter keeps whole still finds a text it cut in two), and every dictionary word inside
a run of Thai (so "โฉนด" finds a text the segmenter cut as "ออกโฉนด"), is stored only as
HMAC-SHA256(index key, word), truncated to 128 bits. A query is cut and hashed the same way and matches the texts
holding every one of its words.

The index key is the keyring `<service>_index` (configured as `keys.<service>_index`, or a key file in the keys
directory), separate from the sealing key so that rotating the sealing key does not mean rebuilding the index.

What someone with the database but not the key learns: how many distinct words each case has, which cases share
a word (equal hashes), and how often each hashed word occurs — enough for frequency analysis of common words
across many cases, not the words themselves. See docs/security.md.
"""
from __future__ import annotations

import hmac
import itertools
import re
import unicodedata

from shared import keys as keys_mod
from shared import thai_words

_THAI = re.compile(r"[\u0E00-\u0E7F]+")
_WORD = re.compile(r"(?:[^\W_]|[\u0E00-\u0E7F])+", re.UNICODE)  # Thai vowel and tone marks are not \w
MAX_TEXT = 20_000

_keys: dict[str, bytes] = {}


def install(config: dict, service: str) -> None:
    name = f"{service}_index"
    current, keys = keys_mod.parse_keyring(keys_mod.keyring_settings(config, name), name)
    _keys[service] = keys[current]


def install_key(service: str, key: bytes) -> None:
    _keys[service] = key


def _key(service: str) -> bytes:
    key = _keys.get(service)
    if key is None:
        raise RuntimeError(f"no blind-index key installed for {service}")
    return key


def warm_up() -> None:
    """Load the segmenter and the dictionary (about a second) at start, not on the first case."""
    terms("ทดสอบการค้นหา")


def words(text: str) -> list[str]:
    """The normalised words of a text, in order."""
    # NFC, not NFKC: compatibility decomposition would split SARA AM (ำ) and no longer match the dictionary
    text = unicodedata.normalize("NFC", text or "")[:MAX_TEXT].lower()
    out = []
    for chunk in _WORD.findall(text):
        pos = 0
        for m in _THAI.finditer(chunk):
            out.extend(_latin(chunk[pos:m.start()]))
            for token in thai_words.segment(m.group()):
                token = token.strip()
                if len(token) > 1:  # stop words are kept: "เรียก", "รับ" are stop words, and what people search
                    out.append(token)
            pos = m.end()
        out.extend(_latin(chunk[pos:]))
    return out


def _latin(chunk: str) -> list[str]:
    return [chunk] if len(chunk) > 1 else []


def _dictionary_words_in(text: str) -> set[str]:
    """Every dictionary word (2+ letters) found anywhere in a run of Thai: the segmenter cuts in context
    ("ออกโฉนด" stays whole), so the index also holds "โฉนด" for someone who searches that."""
    trie = thai_words.dictionary()
    found = set()
    for i in range(len(text)):
        found.update(w for w in trie.prefixes(text[i:i + 40]) if len(w) > 1)
    return found


def terms(text: str) -> set[str]:
    """Words, joined neighbouring pairs and dictionary words inside Thai runs: what is hashed into the index."""
    ws = words(text)
    found = set(ws) | {a + b for a, b in itertools.pairwise(ws)}
    normalised = unicodedata.normalize("NFC", text or "")[:MAX_TEXT].lower()
    for run in _THAI.findall(normalised):
        found |= _dictionary_words_in(run)
    return found


def blind(service: str, term: str) -> str:
    # hmac.digest: OpenSSL's one-shot HMAC, the same bytes as hmac.new(...).digest() at a third of the cost
    return hmac.digest(_key(service), term.encode("utf-8"), "sha256")[:16].hex()


def index_terms(service: str, *texts: str) -> set[str]:
    found = set()
    for text in texts:
        found |= {blind(service, t) for t in terms(text or "")}
    return found


def query_terms(service: str, query: str) -> set[str]:
    """The hashes a query must all match (each query word; no pairs)."""
    return {blind(service, w) for w in words(query)}
