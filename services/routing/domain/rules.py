"""The jurisdiction engine: a tip's facts in, one routing decision out.

The rules live in `jurisdiction/rules.yaml`. Only four facts decide which rule applies (official type,
category, time-barred, Bangkok), so at load the engine tabulates the first matching rule for every
combination; a decision is then a few dictionary look-ups. `first_match` still evaluates the rules in order,
for checks that must not trust the table.

Before the rules, the accused is screened (`screen`): the words for their position and organisation
(jurisdiction/accused.yaml) may show a more specific official type than the one chosen, which is what the
rules then read, and tell where the accused works. Above the rules stands the conflict-of-interest check: no
decision and no triage desk may be an office the accused works in, nor an office of an agency the statute
forbids to act on them (`exclusions` in rules.yaml); such a decision becomes triage elsewhere, and such a
triage desk is replaced by the first one allowed.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from services.routing.domain.data_files import read_mapping
from services.routing.domain.errors import RulesError
from shared import geography
from shared.clock import local_date
from shared.vocabulary import OFFICIAL_TYPES

from .accused import Match, Recogniser, load_recogniser
from .directory import Directory, load_directory

RULES_PATH = Path(__file__).parent.parent / "jurisdiction" / "rules.yaml"
UNKNOWN_OFFICIAL = "unknown"
_CONDITIONS = {"category", "category_not", "official_type", "time_barred", "bangkok"}
_INPUT_CHECKS = ("unknown_category", "unknown_official_type", "invalid_event_date", "unknown_province",
                 "no_office", "no_rule")


@dataclass(frozen=True)
class Exclusion:
    id: str
    agency: str
    official_types: frozenset
    statute: str
    reasons: dict = field(hash=False, compare=False)


@dataclass(frozen=True)
class Screening:
    """Who the accused is for routing, and which offices may not handle the tip."""
    given: str                      # the official type chosen
    official_type: str              # the one the rules read
    matches: tuple[Match, ...]
    decisive: Match | None          # the match that set official_type, when it is not the one chosen
    exclusions: tuple[Exclusion, ...]   # statutes that forbid an agency to act on the accused
    conflicted_agencies: frozenset
    conflicted_offices: frozenset

    def forbidding(self, office) -> tuple[str, object] | None:
        """("conflict", office code) or ("exclusion", Exclusion) when the office may not handle the tip."""
        if office is None:
            return None
        if office.code in self.conflicted_offices or office.agency in self.conflicted_agencies:
            return "conflict", office.code
        for exclusion in self.exclusions:
            if exclusion.agency == office.agency:
                return "exclusion", exclusion
        return None

    def as_dict(self) -> dict:
        return {
            "official_type_given": self.given,
            "official_type": self.official_type,
            "recognised": [{"field": m.field, "text": m.text, "entry": m.entry, "kind_th": m.kind_th,
                            "kind_en": m.kind_en, "official_type": m.official_type,
                            "works_at": m.works_at_office or m.works_at_agency} for m in self.matches],
            "excluded_agencies": sorted({x.agency for x in self.exclusions}),
            "conflicted": sorted(self.conflicted_offices | self.conflicted_agencies),
        }


_FIELD_WORDS = {"organization": ("หน่วยงาน", "The organisation"), "position": ("ตำแหน่ง", "The position")}


class Facts(NamedTuple):
    official_type: str
    category: str
    time_barred: bool
    bangkok: bool


@dataclass(frozen=True)
class Decision:
    agency: str | None
    triage: bool
    rule: str
    reasons: dict = field(hash=False)
    statute: str
    rules_version: str
    coordinator: str | None = None
    agency_name_th: str | None = None
    agency_name_en: str | None = None
    accused: dict | None = field(default=None, hash=False)  # the screening, for explanations

    def as_dict(self) -> dict:
        return {
            "agency": self.agency,
            "triage": self.triage,
            "rule": self.rule,
            "reasons": {"th": self.reasons["th"], "en": self.reasons["en"]},
            "statute": self.statute,
            "rules_version": self.rules_version,
            "coordinator": self.coordinator,
            "agency_name_th": self.agency_name_th,
            "agency_name_en": self.agency_name_en,
            "accused": self.accused,
        }


@dataclass(frozen=True)
class Rule:
    id: str
    when: dict = field(hash=False)  # as written, with sets expanded
    office_of: str | None = None  # agency family, resolved per province
    agency: str | None = None  # fixed code, may hold "{province}"
    triage: bool = False
    catch_all: bool = False
    statute: str = ""
    reasons: dict = field(default_factory=dict, hash=False)

    def matches(self, facts: Facts) -> bool:
        when = self.when
        if "category" in when and facts.category not in when["category"]:
            return False
        if "category_not" in when and facts.category in when["category_not"]:
            return False
        if "official_type" in when and facts.official_type not in when["official_type"]:
            return False
        if "time_barred" in when and facts.time_barred is not when["time_barred"]:
            return False
        if "bangkok" in when and facts.bangkok is not when["bangkok"]:
            return False
        return True


class _Reasons(dict):
    def __missing__(self, key):  # an unknown placeholder is left as written, never a crash
        return "{" + key + "}"


class RuleEngine:
    def __init__(self, spec: dict, directory: Directory, recogniser: Recogniser | None = None):
        self.directory = directory
        self.recogniser = recogniser or load_recogniser()
        self.rules_version = str(spec.get("version") or "")
        if not self.rules_version:
            raise RulesError("rules file has no version")
        self.time_bar_years = int(spec.get("time_bar_years", 10))
        vocabulary = spec.get("vocabulary") or {}
        self.categories = tuple(vocabulary.get("categories") or ())
        self.official_types = tuple(vocabulary.get("official_types") or ())
        self.sets = {name: tuple(values) for name, values in (spec.get("sets") or {}).items()}
        if not isinstance(spec.get("rules"), list) or not spec["rules"]:
            raise RulesError("rules file has no list of rules")
        self.rules = tuple(self._compile_rule(entry) for entry in spec["rules"])
        if len({rule.id for rule in self.rules}) != len(self.rules):
            raise RulesError("rule ids must be unique")
        self.input_checks = self._compile_input_checks(spec.get("input_checks") or {})
        triage = spec.get("triage") or {}
        self._coordinator = self._compile_target(triage.get("coordinator") or {"office_of": "PACC"}, "triage")
        self.fallback_coordinator = str(triage.get("fallback_coordinator") or "PACC")
        self._alternates = tuple(self._compile_target(entry, "triage alternates")
                                 for entry in triage.get("alternates") or ())
        self.fallback_alternates = tuple(str(code) for code in triage.get("fallback_alternates") or ())
        self.exclusions = tuple(self._compile_exclusion(entry) for entry in spec.get("exclusions") or ())
        self._exclusions_for = {
            official_type: tuple(x for x in self.exclusions if official_type in x.official_types)
            for official_type in self.official_types}
        conflict = spec.get("conflict_of_interest") or {}
        self.conflict_rule = str(conflict.get("id") or "conflict-of-interest")
        self.agency_of_official_type = {str(k): str(v) for k, v in
                                        (conflict.get("agency_of_official_type") or {}).items()}
        self._conflict_text = {key: _bilingual(conflict.get(key), key)
                               for key in ("reasons", "replaced_decision", "replaced_coordinator")}
        self._table = {
            facts: self.first_match(facts)
            for facts in itertools.starmap(
                Facts, itertools.product(self.official_types, self.categories, (False, True), (False, True)))
        }
        self._known_categories = frozenset(self.categories)
        self._known_official_types = frozenset(self.official_types)
        # Checked against this set rather than geography.province(), whose cache would grow with every
        # made-up code a tip carries.
        self._provinces = frozenset(geography.province_codes())
        self._outcome = lru_cache(maxsize=4096)(self._outcome_uncached)
        self._screen = lru_cache(maxsize=8192)(self._screen_uncached)

    # --- loading --------------------------------------------------------------------------------------
    def _expand(self, values, rule_id) -> frozenset:
        if not isinstance(values, list):
            raise RulesError(f"rule {rule_id}: condition values must be a list")
        out: list = []
        for value in values:
            if isinstance(value, str) and value.startswith("$"):
                if value[1:] not in self.sets:
                    raise RulesError(f"rule {rule_id}: unknown set {value}")
                out.extend(self.sets[value[1:]])
            else:
                out.append(str(value))
        return frozenset(out)

    def _compile_exclusion(self, entry: dict) -> Exclusion:
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("agency"):
            raise RulesError(f"an exclusion needs an id and an agency: {entry!r}")
        if not entry.get("statute"):
            raise RulesError(f"exclusion {entry['id']}: needs the statute that makes it")
        return Exclusion(id=str(entry["id"]), agency=str(entry["agency"]),
                         official_types=self._expand(entry.get("official_types") or [], entry["id"]),
                         statute=str(entry["statute"]), reasons=_bilingual(entry.get("reasons"), entry["id"]))

    def _compile_target(self, entry: dict, rule_id: str) -> dict:
        targets = [key for key in ("office_of", "agency") if entry.get(key)]
        if entry.get("triage") is True:
            targets.append("triage")
        if len(targets) != 1:
            raise RulesError(f"rule {rule_id}: needs exactly one of office_of, agency, triage")
        key = targets[0]
        return {key: True if key == "triage" else str(entry[key])}

    def _compile_rule(self, entry: dict) -> Rule:
        if not isinstance(entry, dict):
            raise RulesError(f"a rule must be a mapping, not {entry!r}")
        rule_id = str(entry.get("id") or "")
        if not rule_id:
            raise RulesError("every rule needs an id")
        raw_when = entry.get("when") or {}
        unknown = set(raw_when) - _CONDITIONS
        if unknown:
            raise RulesError(f"rule {rule_id}: unknown condition {', '.join(sorted(unknown))}")
        when = {}
        for key, value in raw_when.items():
            when[key] = bool(value) if key in ("time_barred", "bangkok") else self._expand(value, rule_id)
        if entry.get("catch_all") and when:
            raise RulesError(f"rule {rule_id}: a catch-all rule has no conditions")
        reasons = entry.get("reasons") or {}
        if not reasons.get("th") or not reasons.get("en"):
            raise RulesError(f"rule {rule_id}: reasons need both th and en")
        return Rule(
            id=rule_id,
            when=when,
            **self._compile_target(entry, rule_id),
            catch_all=bool(entry.get("catch_all")),
            statute=str(entry.get("statute") or ""),
            reasons={"th": " ".join(reasons["th"].split()), "en": " ".join(reasons["en"].split())},
        )

    def _compile_input_checks(self, raw: dict) -> dict:
        checks = {}
        for name in _INPUT_CHECKS:
            entry = raw.get(name) or {}
            reasons = entry.get("reasons") or {}
            checks[name] = (
                str(entry.get("id") or f"input-{name.replace('_', '-')}"),
                {"th": str(reasons.get("th") or name), "en": str(reasons.get("en") or name)},
            )
        return checks

    # --- deciding -------------------------------------------------------------------------------------
    def first_match(self, facts: Facts) -> Rule | None:
        for rule in self.rules:
            if rule.matches(facts):
                return rule
        return None

    def agency_for(self, rule: Rule, province_code: str) -> str | None:
        """The office code a non-triage rule sends a tip from this province to (None if there is none)."""
        if rule.office_of:
            office = self.directory.office_for(rule.office_of, province_code)
            return office.code if office else None
        code = (rule.agency or "").replace("{province}", province_code)
        return code if self.directory.office(code) else None

    def configured_coordinator(self, province_code: str) -> str | None:
        """The coordinator the triage settings name for this province, None if the directory lacks it."""
        return self._resolve(self._coordinator, province_code)

    def coordinator_chain(self, province_code: str | None) -> tuple[str, ...]:
        """Triage desks in order of preference: the configured one, then the alternates."""
        codes: tuple[str | None, ...]
        if province_code is None or province_code not in self._provinces:
            codes = (self.fallback_coordinator, *self.fallback_alternates)
        else:
            codes = tuple(self._resolve(target, province_code) for target in (self._coordinator, *self._alternates))
        return tuple(dict.fromkeys(code for code in codes if code and self.directory.office(code)))

    def _resolve(self, target: dict, province_code: str) -> str | None:
        if "office_of" in target:
            office = self.directory.office_for(target["office_of"], province_code)
        elif "agency" in target:
            office = self.directory.office(target["agency"].replace("{province}", province_code))
        else:
            office = None
        return office.code if office else None

    def coordinator_for(self, province_code: str | None, screening: Screening | None = None) -> str:
        """The triage desk for a tip: the first in the chain the screening allows."""
        configured = self.configured_coordinator(province_code) if province_code is not None else None
        if screening is None:
            return configured or self.fallback_coordinator
        for code in self.coordinator_chain(province_code):
            if screening.forbidding(self.directory.office(code)) is None:
                return code
        # Only a directory that `rules check` rejects gets here: any office the tip may go to.
        for office in self.directory.offices():
            if screening.forbidding(office) is None and (not province_code or province_code in office.provinces):
                return office.code
        return configured or self.fallback_coordinator

    # --- screening the accused ----------------------------------------------------------------------------
    def screen(self, tip: dict) -> Screening:
        """Who the accused is for routing (see the module docstring); never fails on odd input."""
        tip = tip if isinstance(tip, dict) else {}
        accused = tip.get("accused")
        if not isinstance(accused, dict):
            accused = {}
        given = accused.get("official_type") or UNKNOWN_OFFICIAL
        if not isinstance(given, str) or given not in self._known_official_types:
            given = UNKNOWN_OFFICIAL
        position, organization = (accused.get(key) for key in ("position", "organization"))
        position = position if isinstance(position, str) else None
        organization = organization if isinstance(organization, str) else None
        province_code = _province_code(tip.get("location"))
        if province_code not in self._provinces:
            province_code = None
        return self._screen(given, position, organization, province_code)

    def _screen_uncached(self, given: str, position, organization, province_code) -> Screening:
        matches = self.recogniser.recognise(position, organization, province_code)
        typed = [m for m in matches if m.official_type in self._known_official_types]
        official_type, decisive = given, None
        if typed:
            if given in self.recogniser.generic_types:
                official_type, decisive = typed[0].official_type or given, typed[0]
            elif not self._exclusions_for.get(given):
                # the words show someone an agency may not act on, where the choice did not: the words win
                stricter = next((m for m in typed if self._exclusions_for.get(m.official_type)), None)
                if stricter is not None:
                    official_type, decisive = stricter.official_type or given, stricter
        exclusions: dict = {}
        for code in (official_type, given, *(m.official_type for m in typed)):
            for exclusion in self._exclusions_for.get(code, ()):
                exclusions.setdefault(exclusion.id, exclusion)
        return Screening(
            given=given, official_type=official_type, matches=matches, decisive=decisive,
            exclusions=tuple(exclusions.values()),
            conflicted_agencies=frozenset(
                [m.works_at_agency for m in matches if m.works_at_agency]
                + [self.agency_of_official_type[t] for t in (given, official_type)
                   if t in self.agency_of_official_type]),
            conflicted_offices=frozenset(self.workplace_office(m.works_at_office)
                                         for m in matches if m.works_at_office))

    def workplace_office(self, code: str) -> str:
        """The directory's code for an office named from words: "NACC-10" is the central NACC, which serves
        Bangkok."""
        if self.directory.office(code) is None and "-" in code:
            family, province_code = code.rsplit("-", 1)
            office = self.directory.office_for(family, province_code)
            if office is not None:
                return office.code
        return code

    def _screening_note(self, screening: Screening) -> dict:
        match = screening.decisive
        if match is None:
            return {"th": "", "en": ""}
        field_th, field_en = _FIELD_WORDS[match.field]
        exclusion = next((x for x in self._exclusions_for.get(match.official_type, ())), None)
        if exclusion is not None:
            return {"th": f"{field_th} '{match.text}' เป็น{match.kind_th}: {exclusion.reasons['th']}",
                    "en": f"{field_en} '{match.text}' is {match.kind_en}: {exclusion.reasons['en']}."}
        label = OFFICIAL_TYPES.get(screening.official_type, {"th": screening.official_type,
                                                              "en": screening.official_type})
        return {"th": f"{field_th} '{match.text}' เป็น{match.kind_th} จึงถือว่าผู้ถูกกล่าวหาเป็น{label['th']}",
                "en": f"{field_en} '{match.text}' is {match.kind_en}, so the accused is taken to be: "
                      f"{label['en']}."}

    def decide(self, tip: dict, submitted_at: datetime | date | str) -> Decision:
        tip = tip if isinstance(tip, dict) else {}
        screening = self.screen(tip)
        province_code = _province_code(tip.get("location"))
        province_code = province_code if province_code in self._provinces else None
        return self._guarded(self._decide(tip, screening, submitted_at), screening, province_code)

    def _decide(self, tip: dict, screening: Screening, submitted_at) -> Decision:
        category = tip.get("category")
        if not isinstance(category, str) or category not in self._known_categories:
            return self._input_triage("unknown_category", None)
        accused = tip.get("accused")
        official_type = (accused.get("official_type") if isinstance(accused, dict) else None) or UNKNOWN_OFFICIAL
        if not isinstance(official_type, str) or official_type not in self._known_official_types:
            return self._input_triage("unknown_official_type", None)
        event = _event_date(tip.get("event_date"))
        if event is False:
            return self._input_triage("invalid_event_date", None)
        province_code = _province_code(tip.get("location"))
        if province_code not in self._provinces:
            return self._input_triage("unknown_province", None)
        # the time bar counts calendar days in Thailand
        barred = event is not None and is_time_barred(event, local_date(submitted_at), self.time_bar_years)
        official_type = screening.official_type
        rule = self._table[Facts(official_type, category, barred, province_code == geography.BANGKOK)]
        return self._outcome(rule, province_code)

    def _guarded(self, decision: Decision, screening: Screening, province_code: str | None) -> Decision:
        """The conflict-of-interest check above every rule, and the screening's note ahead of the reasons.

        Decisions are cached; each caller gets its own reasons dict, so no caller can alter another's."""
        note = self._screening_note(screening)
        reasons = {lang: " ".join(part for part in (note[lang], decision.reasons[lang]) if part)
                   for lang in ("th", "en")}
        accused = screening.as_dict()
        if not decision.triage:
            forbidden = screening.forbidding(self.directory.office(decision.agency))
            if forbidden is None:
                return replace(decision, reasons=reasons, accused=accused)
            coordinator = self.coordinator_for(province_code, screening)
            why, statute = self._forbidden_reason(forbidden)
            then = self._fill("replaced_decision", to=coordinator)
            reasons = {lang: " ".join(part for part in (note[lang], why[lang], then[lang]) if part)
                       for lang in ("th", "en")}
            return Decision(agency=None, triage=True, rule=self.conflict_rule, reasons=reasons, statute=statute,
                            rules_version=self.rules_version, coordinator=coordinator, accused=accused)
        forbidden = screening.forbidding(self.directory.office(decision.coordinator))
        if forbidden is None:
            return replace(decision, reasons=reasons, accused=accused)
        coordinator = self.coordinator_for(province_code, screening)
        why, statute = self._forbidden_reason(forbidden)
        instead = self._fill("replaced_coordinator", to=coordinator, office=decision.coordinator)
        reasons = {lang: " ".join(part for part in (reasons[lang], why[lang], instead[lang])
                                  if part and (part is not why[lang] or part.rstrip(".") not in reasons[lang]))
                   for lang in ("th", "en")}
        statutes = "; ".join(dict.fromkeys(part for part in (decision.statute, statute) if part))
        return replace(decision, reasons=reasons, coordinator=coordinator, statute=statutes, accused=accused)

    def _forbidden_reason(self, forbidden) -> tuple[dict, str]:
        kind, detail = forbidden
        if kind == "conflict":
            return self._fill("reasons", office=detail), ""
        return {"th": detail.reasons["th"], "en": detail.reasons["en"] + "."}, detail.statute

    def _fill(self, key: str, **codes) -> dict:
        values = _Reasons()
        for name, code in codes.items():
            office = self.directory.office(code) if code else None
            values[f"{name}_th"] = office.name_th if office else str(code)
            values[f"{name}_en"] = office.name_en if office else str(code)
        return {lang: text.format_map(values) for lang, text in self._conflict_text[key].items()}

    def _outcome_uncached(self, rule: Rule | None, province_code: str) -> Decision:
        area = geography.known_province(province_code)
        # Bangkok is not a จังหวัด, so Thai reasons take the area's full name.
        area_th = area.name_th if province_code == geography.BANGKOK else f"จังหวัด{area.name_th}"
        values = _Reasons(area_th=area_th, province_en=area.name_en, years=self.time_bar_years)
        if rule is None:  # the table has a hole and no catch-all: still one outcome, never a crash
            return self._input_triage("no_rule", province_code)
        if rule.triage:
            return self._triage(rule.id, rule.reasons, rule.statute, province_code, values)
        agency = self.agency_for(rule, province_code)
        if agency is None:
            values["agency"] = rule.office_of or rule.agency
            return self._input_triage("no_office", province_code, values)
        office = self.directory.known_office(agency)
        return Decision(
            agency=agency,
            triage=False,
            rule=rule.id,
            reasons={lang: text.format_map(values) for lang, text in rule.reasons.items()},
            statute=rule.statute,
            rules_version=self.rules_version,
            agency_name_th=office.name_th,
            agency_name_en=office.name_en,
        )

    def _triage(self, rule_id, reasons, statute, province_code, values) -> Decision:
        return Decision(
            agency=None,
            triage=True,
            rule=rule_id,
            reasons={lang: text.format_map(values) for lang, text in reasons.items()},
            statute=statute,
            rules_version=self.rules_version,
            coordinator=self.coordinator_for(province_code),
        )

    def _input_triage(self, check: str, province_code, values=None) -> Decision:
        rule_id, reasons = self.input_checks[check]
        return self._triage(rule_id, reasons, "", province_code, _Reasons(values or {}))


def _bilingual(value, where) -> dict:
    if not isinstance(value, dict) or not value.get("th") or not value.get("en"):
        raise RulesError(f"{where}: needs th and en")
    return {"th": " ".join(str(value["th"]).split()), "en": " ".join(str(value["en"]).split())}


def is_time_barred(event: date, submitted: date, years: int) -> bool:
    """True when the event is more than `years` years before the submission date.

    An event exactly `years` years earlier (same day and month) is not barred. A submission on 29 February
    compares with 28 February, the earlier date, so the doubt goes to the tipster.
    """
    try:
        cutoff = submitted.replace(year=submitted.year - years)
    except ValueError:
        cutoff = submitted.replace(year=submitted.year - years, day=28)
    return event < cutoff




def _event_date(value) -> date | None | Literal[False]:
    """The event date, None when absent, False when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return False
    return False


def _province_code(location) -> str | None:
    if not isinstance(location, dict):
        return None
    code = location.get("province_code")
    if code is None or isinstance(code, bool):
        return None
    return str(code).strip()


def load_engine(directory: Directory | None = None, rules_path: str | Path | None = None,
                accused_path: str | Path | None = None) -> RuleEngine:
    spec = read_mapping(rules_path or RULES_PATH, RulesError)
    return RuleEngine(spec, directory or load_directory(), load_recogniser(accused_path))
