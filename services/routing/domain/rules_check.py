"""Consistency checks for the rules and the agency directory (`sodsong routing rules check`).

`check(engine)` returns one line per problem; an empty list means the data is sound:
- every province has exactly one PACC, one NACC and one Damrongtham office;
- the rules use only categories and official types from the vocabulary;
- every rule is reachable: some combination of official type x category x {Bangkok, elsewhere} x
  {recent, time-barred} reaches it (the catch-all is exempt: it only guards a vocabulary that grew);
- every valid combination is decided by a rule, and every agency a rule can produce is in the directory;
- every rule that names an office has its statute;
- the rules' vocabulary is the one the forms offer (shared.vocabulary);
- every exclusion (an agency the statute forbids to act on some officials) names known official types and a
  known agency, can be reached both by choosing the type and by the words for a position or organisation, and
  no rule sends an excluded official to an office of the excluded agency;
- every recognition entry (jurisdiction/accused.yaml) names a known official type and offices that exist;
- whatever the accused's type and wherever they work, every province has a triage desk they may be sent to.
"""
from __future__ import annotations

import itertools

from shared import geography
from shared.vocabulary import CATEGORIES, OFFICIAL_TYPES

from .accused import AccusedDataError
from .directory import DirectoryError, load_directory
from .rules import Facts, RuleEngine, RulesError, Screening, load_engine

# Agencies whose offices are chosen by province; each province needs exactly one office of each.
PROVINCIAL_AGENCIES = ("PACC", "NACC", "DAMRONGTHAM")
# One province stands for "anywhere but Bangkok" when enumerating; the rules cannot tell provinces apart
# beyond Bangkok or not, and the per-province offices are checked separately below.
SAMPLE_PROVINCE = "23"


def check(engine: RuleEngine) -> list[str]:
    return [*_directory_problems(engine), *_vocabulary_problems(engine), *_rule_problems(engine),
            *_exclusion_problems(engine), *_recognition_problems(engine), *_triage_desk_problems(engine)]


def check_files(rules_path=None, agencies_path=None, override_path=None, accused_path=None) -> list[str]:
    """Load the files and check them; a file that cannot be loaded is itself reported as a problem."""
    try:
        directory = load_directory(override_path, agencies_path=agencies_path)
        engine = load_engine(directory, rules_path, accused_path)
    except (RulesError, DirectoryError, AccusedDataError) as exc:
        return [str(exc)]
    return check(engine)


def _directory_problems(engine: RuleEngine) -> list[str]:
    directory = engine.directory
    provinces = geography.province_codes()
    problems = []
    agencies = set(PROVINCIAL_AGENCIES) | {rule.office_of for rule in engine.rules if rule.office_of}
    for agency in sorted(agencies):
        for code in provinces:
            serving = directory.serving(agency, code)
            if len(serving) != 1:
                listed = ", ".join(serving) or "none"
                problems.append(f"province {code}: needs exactly one {agency} office, has {listed}")
    known = set(provinces)
    for office in directory.offices():
        for code in office.provinces:
            if code not in known:
                problems.append(f"office {office.code}: unknown province code {code}")
    return problems


def _vocabulary_problems(engine: RuleEngine) -> list[str]:
    problems = []
    vocabulary = {"category": set(engine.categories), "category_not": set(engine.categories),
                  "official_type": set(engine.official_types)}
    for rule in engine.rules:
        for key, allowed in vocabulary.items():
            for value in sorted(rule.when.get(key, frozenset()) - allowed):
                problems.append(f"rule {rule.id}: {key} value {value!r} is not in the vocabulary")
    for name, ours, shared in (("official type", engine.official_types, OFFICIAL_TYPES),
                               ("category", engine.categories, CATEGORIES)):
        for code in sorted(set(shared) - set(ours)):
            problems.append(f"{name} {code!r} is offered to tipsters but not in the rules' vocabulary")
        for code in sorted(set(ours) - set(shared)):
            problems.append(f"{name} {code!r} is in the rules' vocabulary but offered to no tipster")
    for rule in engine.rules:
        if not rule.triage and not rule.statute:
            problems.append(f"rule {rule.id}: names an office but no statute")
    catch_alls = [i for i, rule in enumerate(engine.rules) if rule.catch_all]
    if any(i != len(engine.rules) - 1 for i in catch_alls):
        problems.append("the catch-all rule must be the last rule")
    return problems


def _rule_problems(engine: RuleEngine) -> list[str]:
    problems = []
    reached: set[str] = set()
    for official_type, category, barred, province in itertools.product(
            engine.official_types, engine.categories, (False, True), (geography.BANGKOK, SAMPLE_PROVINCE)):
        facts = Facts(official_type, category, barred, province == geography.BANGKOK)
        rule = engine.first_match(facts)
        if rule is None:
            problems.append(f"no rule decides {_describe(facts)}")
            continue
        reached.add(rule.id)
    for rule in engine.rules:
        if rule.id not in reached and not rule.catch_all:
            problems.append(f"rule {rule.id} is never reached: earlier rules decide every case it covers")
    for rule in engine.rules:
        if rule.triage:
            continue
        for province in geography.province_codes():
            if engine.agency_for(rule, province) is None:
                target = (f"a {rule.office_of} office" if rule.office_of
                          else (rule.agency or "").format(province=province))
                problems.append(f"rule {rule.id}: {target} for province {province} is not in the directory")
    for province in geography.province_codes():
        if engine.configured_coordinator(province) is None:
            problems.append(f"province {province}: the triage coordinator is not in the directory")
    if engine.directory.office(engine.fallback_coordinator) is None:
        problems.append(f"fallback coordinator {engine.fallback_coordinator} is not in the directory")
    return problems


def _exclusion_problems(engine: RuleEngine) -> list[str]:
    problems = []
    agencies = set(engine.directory.agencies())
    worded = {entry.official_type for entry in engine.recogniser.entries if entry.official_type}
    for exclusion in engine.exclusions:
        if exclusion.agency not in agencies:
            problems.append(f"exclusion {exclusion.id}: agency {exclusion.agency} is not in the directory")
        for code in sorted(exclusion.official_types - set(engine.official_types)):
            problems.append(f"exclusion {exclusion.id}: official type {code!r} is not in the vocabulary")
        if not exclusion.official_types & worded:
            problems.append(f"exclusion {exclusion.id}: no position or organisation in the recognition list "
                            f"leads to it, so it is reached only when the tipster picks the type")
    # No rule may send an excluded official to the excluded agency: the conflict check would catch it, but
    # only as triage, and the law says where these tips belong.
    for official_type, category, barred, bangkok in itertools.product(
            engine.official_types, engine.categories, (False, True), (False, True)):
        rule = engine.first_match(Facts(official_type, category, barred, bangkok))
        if rule is None or rule.triage:
            continue
        target = rule.office_of or (rule.agency or "").split("-", 1)[0]
        for exclusion in engine.exclusions:
            if official_type in exclusion.official_types and exclusion.agency == target:
                problems.append(f"rule {rule.id} sends {official_type} x {category} to {target}, which "
                                f"{exclusion.statute} excludes (exclusion {exclusion.id})")
    return sorted(set(problems), key=problems.index)


def _recognition_problems(engine: RuleEngine) -> list[str]:
    problems = []
    directory = engine.directory
    agencies = set(directory.agencies())
    for entry in engine.recogniser.entries:
        if entry.official_type and entry.official_type not in engine.official_types:
            problems.append(f"recognition {entry.id}: official type {entry.official_type!r} is not in the vocabulary")
        if entry.agency and entry.agency not in agencies:
            problems.append(f"recognition {entry.id}: agency {entry.agency} is not in the directory")
        if entry.office:
            for code in _office_codes(entry.office, directory):
                if directory.office(engine.workplace_office(code)) is None:
                    problems.append(f"recognition {entry.id}: office {code} is not in the directory")
    for code in sorted(engine.recogniser.generic_types - set(engine.official_types)):
        problems.append(f"recognition: generic official type {code!r} is not in the vocabulary")
    return problems


def _office_codes(template: str, directory) -> list[str]:
    if "{n}" in template:  # regions: the directory's own (PACC-R1 … PACC-R9)
        prefix, suffix = template.split("{n}", 1)
        return [office.code for office in directory.offices()
                if office.code.startswith(prefix) and office.code.endswith(suffix)] or [template]
    if "{province}" in template:
        return [template.replace("{province}", code) for code in geography.province_codes()]
    return [template]


def _triage_desk_problems(engine: RuleEngine) -> list[str]:
    """Every combination of who the accused is and where they work leaves a triage desk in every province."""
    problems = []
    directory = engine.directory
    for official_type in engine.official_types:
        base = engine._screen_uncached(official_type, None, None, None)
        for province in (*geography.province_codes(), None):
            workplaces: list[tuple[frozenset, frozenset]] = [(frozenset(), frozenset())]
            for entry in engine.recogniser.entries:
                offices = {engine.workplace_office(code)
                           for code in (_office_codes(entry.office, directory) if entry.office else [])
                           if "{" not in code and (province is None or code.split("-")[-1] in (province, code)
                                                   or not code.split("-")[-1].isdigit())}
                workplaces.append((frozenset({entry.agency} - {None}), frozenset(offices)))
            for agencies, workplace_offices in workplaces:
                screening = Screening(given=official_type, official_type=official_type, matches=(), decisive=None,
                                      exclusions=base.exclusions,
                                      conflicted_agencies=base.conflicted_agencies | agencies,
                                      conflicted_offices=workplace_offices)
                if not any(screening.forbidding(directory.office(code)) is None
                           for code in engine.coordinator_chain(province)):
                    where = f"province {province}" if province else "an unknown province"
                    problems.append(f"no triage desk for {official_type} working at "
                                    f"{', '.join(sorted(agencies | offices)) or 'an unlisted office'} in {where}")
    return sorted(set(problems), key=problems.index)


def _describe(facts: Facts) -> str:
    where = "Bangkok" if facts.bangkok else "a province outside Bangkok"
    age = "time-barred" if facts.time_barred else "recent"
    return f"{facts.official_type} x {facts.category} ({where}, {age})"
