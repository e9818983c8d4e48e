"""Duplicate candidates: earlier tips that may describe the same matter. They are linked for a person to
confirm, never merged.

An earlier tip is a candidate when it is in the same province, within the time window, AND
- names the same accused person, organisation or position, and its text is similar; or
- is in the same district and its text is very similar (anonymous tips often name nobody).

Tips are indexed in blocks keyed by (province, signal, normalised value), each block sorted by time, so a
check reads only the few blocks the new tip shares and only their in-window slice: its cost does not grow
with the size of the index. Text similarity compares sets of Thai words, cut by PyThaiNLP's dictionary-based
newmm tokenizer in its safe mode (shared.thai_words: its dictionary ships in the package; nothing is downloaded).
"""
from __future__ import annotations

import json
import re
import sys
from bisect import bisect_left, bisect_right, insort
from datetime import datetime

from shared import thai_words
from shared.clock import aware_utc

WINDOW_DAYS = 180
SIMILAR = 0.35  # text similarity needed when the accused matches
VERY_SIMILAR = 0.6  # needed when only the district matches
MAX_SCAN = 1000  # newest in-window tips read per block; bounds the cost of a very busy (generic) block
MAX_TEXT = 2000  # characters of a description compared; the opening names the matter, and it bounds the cost

# Long official names and their common abbreviations, so "องค์การบริหารส่วนตำบลเกาะช้าง" and "อบต.เกาะช้าง" match.
_ABBREVIATIONS = (
    ("องค์การบริหารส่วนตำบล", "อบต."), ("องค์การบริหารส่วนจังหวัด", "อบจ."), ("เทศบาลตำบล", "ทต."),
    ("เทศบาลเมือง", "ทม."), ("เทศบาลนคร", "ทน."), ("โรงพยาบาลส่งเสริมสุขภาพตำบล", "รพ.สต."),
    ("โรงพยาบาล", "รพ."), ("สถานีตำรวจภูธร", "สภ."), ("กรุงเทพมหานคร", "กทม."), ("ผู้ใหญ่บ้าน", "ผญบ."),
)
_HONORIFICS = ("นางสาว", "น.ส.", "นาง", "นาย", "ด.ช.", "ด.ญ.", "ดร.", "mrs.", "mrs ", "mr.", "mr ", "ms.", "ms ",
               "miss ", "dr.", "dr ")
# Punctuation and spaces; the whole Thai block is kept because \w misses Thai vowel and tone marks.
_NOT_WORD = re.compile(r"[^\w\u0E00-\u0E7F]+|_+")
_NUMBER_COMMAS = re.compile(r"(?<=\d),(?=\d{3})")


def _load_segmenter():
    """Load PyThaiNLP's dictionary (shared.thai_words: a compact trie, offline) and the Thai stop words now."""
    thai_words.dictionary()
    thai_words.stopwords()


def _expand_abbreviations(text: str) -> str:
    for long, short in _ABBREVIATIONS:
        text = text.replace(long, short)
    return text


def words(text: str) -> frozenset[str]:
    """The content words of a text: tokenised, stop words and punctuation dropped, "50,000" as "50000"."""
    stopwords = thai_words.stopwords()
    text = _NUMBER_COMMAS.sub("", _expand_abbreviations(text or "").lower())
    out = set()
    # newmm-safe, not newmm: plain newmm can take over half a second on long runs of unspaced Thai.
    for token in thai_words.segment(text[:MAX_TEXT]):
        token = token.strip()
        if token and token not in stopwords and _NOT_WORD.sub("", token):
            out.add(token)
    return frozenset(out)


def similarity(a: frozenset, b: frozenset) -> float:
    """Mean of Jaccard and overlap: rewording keeps overlap high, while Jaccard penalises padding."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return (shared / (len(a) + len(b) - shared) + shared / min(len(a), len(b))) / 2


def normalise_key(value, strip_honorific: bool = False) -> str:
    text = _expand_abbreviations(str(value or "").strip().lower())
    if strip_honorific:
        for title in _HONORIFICS:
            if text.startswith(title):
                text = text[len(title):]
                break
    return _NOT_WORD.sub("", text)


def _signals(tip: dict) -> list[tuple[str, str]]:
    """(signal, normalised value) pairs of a tip, each naming a block."""
    accused = _mapping(tip.get("accused"))
    location = _mapping(tip.get("location"))
    signals = [
        ("accused_name", normalise_key(accused.get("name"), strip_honorific=True)),
        ("organization", normalise_key(accused.get("organization"))),
        ("position", normalise_key(accused.get("position"))),
        ("district", str(location.get("district_code") or "").strip()),
    ]
    return [(signal, value) for signal, value in signals if value]


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def matter_words(tip: dict) -> frozenset[str]:
    """Words of the description that say what happened: the accused's own name, organisation and position
    are left out, since matching them is a separate signal and they would make any two tips about the same
    office look alike."""
    accused = _mapping(tip.get("accused"))
    identity = " ".join(str(accused.get(key) or "") for key in ("name", "organization", "position"))
    return words(tip.get("description") or "") - words(identity)


def _timestamp(moment: datetime) -> float:
    return aware_utc(moment).timestamp()  # naive timestamps in this project are UTC


class _Block:
    __slots__ = ("times", "entries")

    def __init__(self):
        self.times: list[float] = []
        self.entries: list[tuple[str, frozenset]] = []

    def add(self, when: float, tip_id: str, text_words: frozenset) -> None:
        if not self.times or when >= self.times[-1]:  # the usual case: tips arrive in time order
            self.times.append(when)
            self.entries.append((tip_id, text_words))
        else:
            at = bisect_right(self.times, when)
            insort(self.times, when)
            self.entries.insert(at, (tip_id, text_words))

    def newest_within(self, start: float, end: float) -> list[tuple[str, frozenset]]:
        lo, hi = bisect_left(self.times, start), bisect_right(self.times, end)
        return self.entries[max(lo, hi - MAX_SCAN):hi]


class DuplicateIndex:
    def __init__(self, window_days: int = WINDOW_DAYS, similar: float = SIMILAR,
                 very_similar: float = VERY_SIMILAR):
        self.window = window_days * 86400
        self._within = f"within_{window_days}_days"
        self.similar = similar
        self.very_similar = very_similar
        self._blocks: dict[tuple[str, str, str], _Block] = {}
        self._size = 0
        _load_segmenter()  # load the dictionary now rather than during the first check

    def __len__(self) -> int:
        return self._size

    def add(self, tip_id, tip: dict, submitted_at: datetime, text_words: frozenset | None = None) -> None:
        """Index a tip. `text_words` may pass a stored `matter_words(tip)`, so that rebuilding the index at
        start-up skips tokenising (the costly part: about half a millisecond per tip)."""
        province = _province(tip)
        if not province:
            return  # without a province no block can hold it; such tips are triaged anyway
        # each word held once per process however many tips use it (sys.intern): the index keeps every tip of
        # the window, and the same few thousand words recur in all of them (1.6 KB a tip instead of 2.8 with the
        # bench's short tips, more with longer ones)
        text_words = frozenset(map(sys.intern, matter_words(tip) if text_words is None else text_words))
        when = _timestamp(submitted_at)
        for signal, value in _signals(tip):
            self._blocks.setdefault((province, signal, value), _Block()).add(when, tip_id, text_words)
        self._size += 1

    def candidates(self, tip: dict, submitted_at: datetime, limit: int = 5, exclude=None,
                   text_words: frozenset | None = None) -> list[tuple[object, float, tuple[str, ...]]]:
        """Earlier (or concurrent) tips that may be the same matter, best first: (tip_id, score, reasons).

        The score is the text similarity (0..1); reasons name the signals that matched. `text_words` may
        pass `matter_words(tip)` already computed for `add`.
        """
        province = _province(tip)
        if not province:
            return []
        text_words = matter_words(tip) if text_words is None else frozenset(text_words)
        if not text_words:
            return []
        when = _timestamp(submitted_at)
        start, end = when - self.window, when + self.window
        floor = min(self.similar, self.very_similar)
        scores: dict[object, float] = {}
        matched: dict[object, list[str]] = {}
        for signal, value in _signals(tip):
            block = self._blocks.get((province, signal, value))
            if block is None:
                continue
            # This loop is the whole cost of a check on a busy block: similarity() is inlined, and only
            # tips that pass the lower threshold are remembered (recomputing one seen in two blocks is cheap).
            for tip_id, other_words in block.newest_within(start, end):
                shared = len(text_words & other_words)
                if not shared:
                    continue
                score = (shared / (len(text_words) + len(other_words) - shared)
                         + shared / min(len(text_words), len(other_words))) / 2
                if score >= floor and tip_id != exclude:
                    scores[tip_id] = score
                    matched.setdefault(tip_id, []).append(signal)
        found: list[tuple[object, float, tuple[str, ...]]] = []
        for candidate, signals in matched.items():
            score = scores[candidate]
            accused_match = signals != ["district"]
            if score >= (self.similar if accused_match else self.very_similar):
                reasons = ("same_province", *(f"same_{signal}" for signal in signals), "similar_text",
                           self._within)
                found.append((candidate, round(score, 3), reasons))
        found.sort(key=lambda item: -item[1])
        return found[:limit]


def _province(tip: dict) -> str:
    location = tip.get("location")
    if not isinstance(location, dict):
        return ""
    return str(location.get("province_code") or "").strip()


_SIGNALS = {
    "same_province": ("จังหวัดเดียวกัน", "same province"),
    "same_accused_name": ("ชื่อผู้ถูกกล่าวหาตรงกัน", "same accused name"),
    "same_organization": ("หน่วยงานของผู้ถูกกล่าวหาตรงกัน", "same organisation of the accused"),
    "same_position": ("ตำแหน่งของผู้ถูกกล่าวหาตรงกัน", "same position of the accused"),
    "same_district": ("อำเภอเดียวกัน", "same district"),
}


def candidate_reasons(signals, score: float) -> dict:
    """Thai and English for the signals DuplicateIndex.candidates() names."""
    th, en = [], []
    for signal in signals:
        if signal in _SIGNALS:
            th.append(_SIGNALS[signal][0])
            en.append(_SIGNALS[signal][1])
        elif signal == "similar_text":
            th.append(f"เนื้อหาคล้ายกัน (คะแนน {score:.2f})")
            en.append(f"similar description (score {score:.2f})")
        elif signal.startswith("within_") and signal.endswith("_days"):
            days = signal[len("within_"):-len("_days")]
            th.append(f"แจ้งห่างกันไม่เกิน {days} วัน")
            en.append(f"submitted within {days} days of each other")
        else:
            th.append(signal)
            en.append(signal)
    return {"th": ", ".join(th), "en": ", ".join(en)}


def words_json(tip: dict) -> str:
    return json.dumps(sorted(matter_words(tip)), ensure_ascii=False)
