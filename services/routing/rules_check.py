"""Consistency checks for the rules and the agency directory (`sodsong routing rules check`).

`check(engine)` returns one line per problem; an empty list means the data is sound:
- every province has exactly one PACC, one NACC and one Damrongtham office;
- the rules use only categories and official types from the vocabulary;
- every rule is reachable: some combination of official type x category x {Bangkok, elsewhere} x
  {recent, time-barred} reaches it (the catch-all is exempt: it only guards a vocabulary that grew);
- every valid combination is decided by a rule, and every agency a rule can produce is in the directory.
"""
from __future__ import annotations

import itertools

from shared import geography

from .directory import DirectoryError, load_directory
from .rules import Facts, RuleEngine, RulesError, load_engine

# Agencies whose offices are chosen by province; each province needs exactly one office of each.
PROVINCIAL_AGENCIES = ("PACC", "NACC", "DAMRONGTHAM")
# One province stands for "anywhere but Bangkok" when enumerating; the rules cannot tell provinces apart
# beyond Bangkok or not, and the per-province offices are checked separately below.
SAMPLE_PROVINCE = "23"


def check(engine: RuleEngine) -> list[str]:
    return [*_directory_problems(engine), *_vocabulary_problems(engine), *_rule_problems(engine)]


def check_files(rules_path=None, agencies_path=None, override_path=None) -> list[str]:
    """Load the files and check them; a file that cannot be loaded is itself reported as a problem."""
    try:
        directory = load_directory(override_path, agencies_path=agencies_path)
        engine = load_engine(directory, rules_path)
    except (RulesError, DirectoryError) as exc:
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
                target = rule.office_of and f"a {rule.office_of} office" or rule.agency.format(province=province)
                problems.append(f"rule {rule.id}: {target} for province {province} is not in the directory")
    for province in geography.province_codes():
        if engine.configured_coordinator(province) is None:
            problems.append(f"province {province}: the triage coordinator is not in the directory")
    if engine.directory.office(engine.fallback_coordinator) is None:
        problems.append(f"fallback coordinator {engine.fallback_coordinator} is not in the directory")
    return problems


def _describe(facts: Facts) -> str:
    where = "Bangkok" if facts.bangkok else "a province outside Bangkok"
    age = "time-barred" if facts.time_barred else "recent"
    return f"{facts.official_type} x {facts.category} ({where}, {age})"
