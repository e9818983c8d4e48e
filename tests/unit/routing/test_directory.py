"""The agency directory and the operator override file."""
import dataclasses
from datetime import datetime, timezone

import pytest
import yaml

from services.routing.domain.directory import DirectoryError, load_directory
from services.routing.domain.rules import load_engine
from services.routing.domain.rules_check import check
from shared import geography


@pytest.fixture(scope="module")
def directory():
    return load_directory()


def write_override(tmp_path, data):
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_every_agency_family_is_present(directory):
    codes = set(directory.codes())
    assert {"NACC", "PACC", "OAG", "OMBUDSMAN", "DSI", "POLICE"} <= codes
    assert {f"PACC-R{n}" for n in range(1, 10)} <= codes
    provinces = geography.province_codes()
    assert {f"NACC-{p}" for p in provinces if p != "10"} <= codes
    assert "NACC-10" not in codes
    assert {f"DAMRONGTHAM-{p}" for p in provinces} <= codes
    assert len(codes) == 6 + 9 + 76 + 77


@pytest.mark.parametrize("province, pacc, nacc, damrongtham", [
    ("23", "PACC-R2", "NACC-23", "DAMRONGTHAM-23"),
    ("10", "PACC", "NACC", "DAMRONGTHAM-10"),
    ("50", "PACC-R5", "NACC-50", "DAMRONGTHAM-50"),
    ("53", "PACC-R6", "NACC-53", "DAMRONGTHAM-53"),  # Uttaradit sits with Phitsanulok, not Chiang Mai
])
def test_offices_for_a_province(directory, province, pacc, nacc, damrongtham):
    assert directory.pacc_office_for(province).code == pacc
    assert directory.nacc_office_for(province).code == nacc
    assert directory.damrongtham_office_for(province).code == damrongtham


def test_unknown_province_has_no_office(directory):
    assert directory.pacc_office_for("99") is None
    assert directory.office("PACC-R10") is None


def test_generated_offices_carry_province_names(directory):
    trat = directory.office("NACC-23")
    assert trat.name_th == "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด"
    assert trat.name_en == "NACC Trat Provincial Office"
    assert trat.provinces == ("23",)
    assert directory.office("DAMRONGTHAM-10").name_th == "ศูนย์ดำรงธรรมกรุงเทพมหานคร"


def test_provenance_is_recorded(directory):
    assert directory.office("PACC-R2").provenance == "partial"
    assert directory.office("PACC-R3").provenance == "inferred"
    assert directory.office("NACC-20").provenance == "partial"  # a Chon Buri office is in the news
    assert directory.office("NACC-23").provenance == "inferred"
    assert all(office.provenance in {"verified", "partial", "inferred"} for office in directory.offices())
    assert all(office.source for office in directory.offices())


def test_offices_are_frozen_with_empty_contacts(directory):
    office = directory.office("PACC-R2")
    assert office.contacts == {"email": "", "webhook": "", "line": "", "sms": ""}
    assert office.agency == "PACC"
    with pytest.raises(dataclasses.FrozenInstanceError):
        office.hotline = "0"


def test_national_offices_serve_every_province(directory):
    assert directory.office("POLICE").provinces == geography.province_codes()


def test_override_fills_contacts(tmp_path):
    path = write_override(tmp_path, {"offices": {"PACC-R2": {
        "contacts": {"email": "r2-desk@example.org"}, "hotline": "033000000"}}})
    office = load_directory(path).office("PACC-R2")
    assert office.contacts == {"email": "r2-desk@example.org", "webhook": "", "line": "", "sms": ""}
    assert office.hotline == "033000000"
    assert load_directory().office("PACC-R2").contacts["email"] == ""


def test_override_moves_provinces_between_offices_of_one_agency(tmp_path):
    path = write_override(tmp_path, {"offices": {"PACC": {"provinces": ["10", 11, "12", "13"]}}})
    directory = load_directory(path)
    assert directory.pacc_office_for("12").code == "PACC"
    assert "12" not in directory.office("PACC-R1").provinces
    assert directory.pacc_office_for("14").code == "PACC-R1"
    assert directory.nacc_office_for("12").code == "NACC-12"  # other agencies untouched
    engine = load_engine(directory)
    assert check(engine) == []
    tip = {"category": "bribery", "location": {"province_code": "12"}, "accused": {"official_type": "state_official"}}
    assert engine.decide(tip, datetime(2026, 11, 1, tzinfo=timezone.utc)).agency == "PACC"


def test_missing_override_file_is_a_directory_error(tmp_path):
    with pytest.raises(DirectoryError, match="cannot read"):
        load_directory(tmp_path / "absent-override.yaml")


@pytest.mark.parametrize("override, message", [
    ({"offices": {"PACC-R10": {"hotline": "1"}}}, "unknown office PACC-R10"),
    ({"offices": {"PACC-R2": {"code": "X"}}}, "cannot change code"),
    ({"offices": {"PACC-R2": {"provinces": "23"}}}, "provinces must be a list"),
    ({"offices": ["PACC-R2"]}, "must map office codes"),
])
def test_bad_override_is_refused(tmp_path, override, message):
    with pytest.raises(DirectoryError, match=message):
        load_directory(write_override(tmp_path, override))


def test_missing_file_is_a_directory_error(tmp_path):
    with pytest.raises(DirectoryError, match="cannot read"):
        load_directory(agencies_path=tmp_path / "absent.yaml")
