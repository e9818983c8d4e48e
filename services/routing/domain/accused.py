"""Who the accused is and where they work, read from the words a tipster writes.

`jurisdiction/accused.yaml` lists organisation and position names as data (with provenance). `Recogniser`
normalises a field once (PyThaiNLP's normalize, Thai digits, case, no spaces or punctuation) and runs each
entry's compiled patterns over it; results are cached per distinct text, so a tip costs a few dictionary
look-ups once its words have been seen.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from services.routing.domain.data_files import read_mapping
from services.routing.domain.errors import AccusedDataError
from shared import geography, thai_words

ACCUSED_PATH = Path(__file__).parent.parent / "jurisdiction" / "accused.yaml"
PROVENANCE = ("verified", "partial", "inferred")
_STRIP = re.compile(r"[\s.\-/\\'\"‘’“”()\[\]{},:;·•_]+")
# Between two Latin letters or digits a separator stays as one space, so English words keep their edges
# ("inaccurate" does not contain the word NACC; "lands information" does not contain DSI).
_LATIN_GAP = re.compile(r"(?<=[a-z0-9])[\s.\-/\\'\"‘’“”()\[\]{},:;·•_]+(?=[a-z0-9])")
_MAX_FIELD = 300  # the intake schema's longest accused field


@dataclass(frozen=True)
class Match:
    """One entry that matched: what kind of body or post it is and what it implies."""
    entry: str              # entry id (org-court, pos-judge, …)
    field: str              # "organization" or "position"
    text: str               # the tipster's words, as written (trimmed)
    kind_th: str
    kind_en: str
    official_type: str | None
    works_at_agency: str | None  # the whole agency is the accused's (PACC, NACC)
    works_at_office: str | None  # the one office the accused works in, when the words (or the tip) say which


@dataclass(frozen=True)
class _Entry:
    id: str
    field: str
    kind: dict
    official_type: str | None
    agency: str | None
    office: str | None
    patterns: tuple[re.Pattern, ...]
    regions: tuple[re.Pattern, ...]  # where the region number is, when a phrase itself does not say
    whole: frozenset[str]
    provenance: str
    source: str


@lru_cache(maxsize=1)
def _thai_normalize():
    """PyThaiNLP's normalize and digit conversion (offline)."""
    thai_words.use_offline()
    from pythainlp.util import normalize, thai_digit_to_arabic_digit

    return lambda text: thai_digit_to_arabic_digit(normalize(text))


def normalise(text) -> str:
    """The matching form of a text: "สำนักงาน ป.ป.ท. เขต ๒" and "สํานักงานปปท.เขต 2" are both "สำนักงานปปทเขต2";
    "PACC  Region-2" is "pacc region 2"."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text[:_MAX_FIELD])
    text = _LATIN_GAP.sub("\x00", _thai_normalize()(text).casefold())
    return _STRIP.sub("", text).replace("\x00", " ")


def _province_names() -> tuple[dict[str, str], str]:
    names: dict[str, str] = {}
    for code in geography.province_codes():
        area = geography.known_province(code)
        for name in (area.name_th, area.name_en):
            names[normalise(name)] = code
    names.update({normalise("กรุงเทพ"): geography.BANGKOK, normalise("กทม."): geography.BANGKOK,
                  normalise("Bangkok"): geography.BANGKOK})
    alternatives = "|".join(_spaces_optional(re.escape(name)) for name in sorted(names, key=len, reverse=True) if name)
    return names, alternatives


class Recogniser:
    def __init__(self, spec: dict):
        self.version = str(spec.get("version") or "")
        if not self.version:
            raise AccusedDataError("the recognition list has no version")
        self.generic_types = frozenset(spec.get("generic_official_types") or ())
        self._province_codes, self._province_pattern = _province_names()
        entries = []
        for field_name, key in (("organization", "organisations"), ("position", "positions")):
            for raw in spec.get(key) or []:
                entries.append(self._compile(raw, field_name))
        if len({e.id for e in entries}) != len(entries):
            raise AccusedDataError("recognition entry ids must be unique")
        self.entries = tuple(entries)
        self._field = lru_cache(maxsize=8192)(self._field_uncached)

    def _compile(self, raw: dict, field_name: str) -> _Entry:
        if not isinstance(raw, dict) or not raw.get("id"):
            raise AccusedDataError(f"a recognition entry needs an id: {raw!r}")
        entry_id = str(raw["id"])
        kind = raw.get("kind") or {}
        if not kind.get("th") or not kind.get("en"):
            raise AccusedDataError(f"{entry_id}: kind needs th and en")
        provenance = raw.get("provenance")
        if provenance not in PROVENANCE or not raw.get("source"):
            raise AccusedDataError(f"{entry_id}: provenance (one of {', '.join(PROVENANCE)}) and source are required")
        works_at = raw.get("works_at") or {}
        if not raw.get("official_type") and not works_at:
            raise AccusedDataError(f"{entry_id}: needs an official_type, works_at or both")
        not_before = "".join(f"(?!{re.escape(normalise(t))})" for t in raw.get("not_before") or ())
        not_after = "".join(f"(?<!{re.escape(before)})"
                            for t in raw.get("not_after") or ()
                            for before in {normalise(t), normalise(t) + " " if normalise(t)[-1:].isascii() else ""}
                            if before)
        patterns = [re.compile(not_after + self._phrase(phrase) + not_before) for phrase in raw.get("phrases") or ()]
        regions = tuple(re.compile(self._phrase(phrase)) for phrase in raw.get("region_phrases") or ())
        whole = frozenset(normalise(str(t)) for t in raw.get("whole") or ())
        if not patterns and not whole:
            raise AccusedDataError(f"{entry_id}: no phrases")
        return _Entry(id=entry_id, field=field_name, kind={"th": str(kind["th"]), "en": str(kind["en"])},
                      official_type=raw.get("official_type"), agency=works_at.get("agency"),
                      office=works_at.get("office"), patterns=tuple(patterns), regions=regions, whole=whole,
                      provenance=provenance, source=" ".join(str(raw["source"]).split()))

    def _phrase(self, phrase) -> str:
        compact = normalise(str(phrase).replace("{n}", "REGIONN").replace("{province}", "PROVINCEP"))
        body = _spaces_optional(re.escape(compact)).replace(normalise("REGIONN"), r"(?P<n>\d{1,2})").replace(
            normalise("PROVINCEP"), rf"(?:ประจำ)?(?:จังหวัด|จ)?(?P<province>{self._province_pattern})")
        # an English word is matched whole: "court" is not "courtyard", "dsi" is not in "lands information"
        if compact[:1].isascii() and compact[:1].isalnum():
            body = r"(?<![a-z0-9])" + body
        if compact[-1:].isascii() and compact[-1:].isalnum() or compact.endswith(("regionn", "provincep")):
            body += r"(?![a-z0-9])"
        return body

    # --- reading --------------------------------------------------------------------------------------------
    def recognise(self, position, organization, province_code: str | None = None) -> tuple[Match, ...]:
        """What the position and organisation fields show; the first entry in list order that matches a field
        decides for it, position before organisation."""
        found = []
        for field_name, text in (("position", position), ("organization", organization)):
            if isinstance(text, str) and text.strip():
                match = self._field(field_name, text.strip()[:_MAX_FIELD], province_code)
                if match is not None:
                    found.append(match)
        return tuple(found)

    def _field_uncached(self, field_name: str, text: str, province_code: str | None) -> Match | None:
        compact = normalise(text)
        if not compact:
            return None
        for entry in self.entries:
            if entry.field != field_name:
                continue
            best: dict | None = None
            if compact in entry.whole:
                best = {}
            for pattern in entry.patterns:
                found = pattern.search(compact)
                if found is None:
                    continue
                groups = {k: v for k, v in found.groupdict().items() if v}
                if best is None or len(groups) > len(best):
                    best = groups
            if best is None:
                continue
            if "n" not in best:
                for pattern in entry.regions:
                    found = pattern.search(compact)
                    if found is not None:
                        best = {**best, "n": found.group("n")}
                        break
            return Match(entry=entry.id, field=field_name, text=" ".join(text.split()), kind_th=entry.kind["th"],
                         kind_en=entry.kind["en"], official_type=entry.official_type,
                         works_at_agency=entry.agency,
                         works_at_office=self._office(entry.office, best, province_code))
        return None

    def _office(self, template: str | None, groups: dict, province_code: str | None) -> str | None:
        if not template:
            return None
        if "{n}" in template:
            if "n" not in groups:
                return None
            template = template.replace("{n}", str(int(groups["n"])))
        if "{province}" in template:
            code = self._province_codes.get(groups["province"]) if "province" in groups else province_code
            if not code:
                return None
            template = template.replace("{province}", code)
        return template


def _spaces_optional(escaped: str) -> str:
    """ "pacc region 2" also matches "pacc region2" and "paccregion2" (tipsters space words as they like)."""
    return escaped.replace("\\ ", " ?")


def load_recogniser(path: str | Path | None = None) -> Recogniser:
    return Recogniser(read_mapping(path or ACCUSED_PATH, AccusedDataError))
