"""The jurisdiction engine: a tip's facts in, one routing decision out.

The rules live in `jurisdiction/rules.yaml`. Only four facts decide which rule applies (official type,
category, time-barred, Bangkok), so at load the engine tabulates the first matching rule for every
combination; a decision is then a few dictionary look-ups. `first_match` still evaluates the rules in order,
for checks that must not trust the table.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import yaml

from shared import geography

from .directory import Directory, load_directory

RULES_PATH = Path(__file__).parent / "jurisdiction" / "rules.yaml"
# Thailand keeps UTC+7 all year; the time bar counts calendar days there.
BANGKOK_TIME = timezone(timedelta(hours=7))
UNKNOWN_OFFICIAL = "unknown"
_CONDITIONS = {"category", "category_not", "official_type", "time_barred", "bangkok"}
_INPUT_CHECKS = ("unknown_category", "unknown_official_type", "invalid_event_date", "unknown_province",
                 "no_office", "no_rule")


class RulesError(ValueError):
    """The rules file is malformed (it cannot be loaded at all)."""


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
    def __init__(self, spec: dict, directory: Directory):
        self.directory = directory
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

    # --- loading --------------------------------------------------------------------------------------
    def _expand(self, values, rule_id) -> frozenset:
        if not isinstance(values, list):
            raise RulesError(f"rule {rule_id}: condition values must be a list")
        out = []
        for value in values:
            if isinstance(value, str) and value.startswith("$"):
                if value[1:] not in self.sets:
                    raise RulesError(f"rule {rule_id}: unknown set {value}")
                out.extend(self.sets[value[1:]])
            else:
                out.append(str(value))
        return frozenset(out)

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
        code = rule.agency.replace("{province}", province_code)
        return code if self.directory.office(code) else None

    def configured_coordinator(self, province_code: str) -> str | None:
        """The coordinator the triage settings name for this province, None if the directory lacks it."""
        target = self._coordinator
        if "office_of" in target:
            office = self.directory.office_for(target["office_of"], province_code)
        elif "agency" in target:
            office = self.directory.office(target["agency"].replace("{province}", province_code))
        else:
            office = None
        return office.code if office else None

    def coordinator_for(self, province_code: str | None) -> str:
        configured = self.configured_coordinator(province_code) if province_code is not None else None
        return configured or self.fallback_coordinator

    def decide(self, tip: dict, submitted_at: datetime | date | str) -> Decision:
        tip = tip if isinstance(tip, dict) else {}
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
        barred = event is not None and is_time_barred(event, _local_date(submitted_at), self.time_bar_years)
        rule = self._table[Facts(official_type, category, barred, province_code == geography.BANGKOK)]
        decision = self._outcome(rule, province_code)
        # Decisions are cached; each caller gets its own reasons dict, so no caller can alter another's.
        return replace(decision, reasons=dict(decision.reasons))

    def _outcome_uncached(self, rule: Rule | None, province_code: str) -> Decision:
        area = geography.province(province_code)
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
        office = self.directory.office(agency)
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


def _local_date(moment: datetime | date | str) -> date:
    if isinstance(moment, str):  # an ISO 8601 timestamp straight from an event payload
        moment = datetime.fromisoformat(moment) if len(moment) > 10 else date.fromisoformat(moment)
    if isinstance(moment, datetime):
        if moment.tzinfo is None:  # naive timestamps in this project are UTC
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(BANGKOK_TIME).date()
    return moment


def _event_date(value) -> date | None | bool:
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


def load_engine(directory: Directory | None = None, rules_path: str | Path | None = None) -> RuleEngine:
    path = rules_path or RULES_PATH
    try:
        with open(path, encoding="utf-8") as handle:
            spec = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"cannot read {path}: {exc}") from exc
    if not isinstance(spec, dict):
        raise RulesError(f"{path}: expected a mapping at the top level")
    return RuleEngine(spec, directory or load_directory())
