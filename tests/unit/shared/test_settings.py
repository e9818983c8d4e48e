"""Typed settings: declared once per service (services/*/settings.py) and in shared.config, assembled by
sodsong.settings; the generated docs match the declarations; environment overrides keep the case of keys they do
not know; a value of the wrong type stops loading and names the setting."""
import pytest

from services.casework import deadlines
from shared import config
from sodsong import settings


def test_the_committed_docs_and_example_are_what_the_declarations_generate():
    for path, text in settings.generated().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run python -m sodsong.settings"


def test_the_example_configuration_loads_and_is_valid():
    cfg = settings.load(settings.EXAMPLE_YAML, env={"SODSONG_RECEIPT_KEY": "k"})
    assert cfg["notify"]["office_channel"] == "email" and cfg["casework"]["desk_url"] == "https://desk.example.org"
    assert cfg["notify"]["channels"]["email"]["port"] == 587


def test_every_setting_is_declared_once_with_a_meaning():
    paths = [item.path for group in settings.GROUPS for item in group.items]
    assert len(paths) == len(set(paths))
    for group in settings.GROUPS:
        for item in group.items:
            assert item.doc, item.path
            assert item.accepts(item.default), item.path
            if group.owner != "shared":
                assert item.path.startswith(group.owner + "."), item.path  # a service declares only its own


def test_defaults_fill_what_the_file_leaves_out(tmp_path):
    cfg = settings.load(env={"SODSONG_DATA_DIR": str(tmp_path)})
    assert cfg["intake"]["filing_limit"] == {"tips": 5, "window_seconds": 600, "max_clients": 100_000}
    assert cfg["casework"]["deadlines"]["acknowledge_days"] == 7
    assert cfg["retention"]["every_seconds"] == 3600
    assert cfg["notify"]["channels"]["file"]["path"] == str(tmp_path.resolve() / "notifications.jsonl")


def test_environment_overrides_keep_the_case_of_keys_they_do_not_know(tmp_path):
    """`SODSONG__casework__deadlines__agencies__PACC-R3__...` reaches office PACC-R3 (it was lowercased)."""
    cfg = settings.load(env={"SODSONG_DATA_DIR": str(tmp_path),
                             "SODSONG__casework__deadlines__agencies__PACC-R3__acknowledge_days": "3",
                             "SODSONG__CASEWORK__DEADLINES__FEEDBACK_MONTHS": "2",
                             "SODSONG__notify__office_contacts__PACC-R2__email": "r2@example.org"})
    agencies = cfg["casework"]["deadlines"]["agencies"]
    assert agencies == {"PACC-R3": {"acknowledge_days": 3}}
    assert cfg["casework"]["deadlines"]["feedback_months"] == 2      # known keys match whatever their case
    assert "DEADLINES" not in cfg["casework"] and "CASEWORK" not in cfg
    assert deadlines.settings_for(cfg["casework"]["deadlines"], "PACC-R3")["acknowledge_days"] == 3
    assert deadlines.settings_for(cfg["casework"]["deadlines"], "PACC-R2")["acknowledge_days"] == 7
    assert cfg["notify"]["office_contacts"] == {"PACC-R2": {"email": "r2@example.org"}}


def test_an_override_matches_a_key_from_the_file_ignoring_case(tmp_path):
    path = tmp_path / "sodsong.yaml"
    path.write_text("casework:\n  deadlines:\n    agencies:\n      NACC: {acknowledge_days: 5}\n", encoding="utf-8")
    cfg = settings.load(path, env={"SODSONG__casework__deadlines__agencies__nacc__feedback_months": "4"})
    assert cfg["casework"]["deadlines"]["agencies"] == {"NACC": {"acknowledge_days": 5, "feedback_months": 4}}


@pytest.mark.parametrize("var, value", [("SODSONG__intake__filing_limit__tips", "many"),
                                        ("SODSONG__outbox__batch", "[1, 2]"),
                                        ("SODSONG__casework__deadlines__agencies", "secret-looking-text")])
def test_a_value_of_the_wrong_type_stops_loading_naming_the_setting_not_the_value(var, value):
    with pytest.raises(config.SettingError) as err:
        settings.load(env={var: value})
    assert var in str(err.value) and value not in str(err.value)


def test_a_service_reads_its_section_over_the_declared_defaults_even_from_a_hand_made_configuration():
    from services.intake.settings import SETTINGS as INTAKE

    assert INTAKE.section({"intake": {"filing_limit": {"tips": 9}}}, "intake.filing_limit") == {
        "tips": 9, "window_seconds": 600, "max_clients": 100_000}
    assert INTAKE.value({}, "intake.http") == "127.0.0.1:8000"
