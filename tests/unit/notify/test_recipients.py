"""Who notify tells: offices, staff, supervisors and operators, resolved from configuration only."""
import datetime

import pytest

from services.notify import usecases as deliveries
from shared import config as config_mod

UTC = datetime.timezone.utc


def config(tmp_path, **notify):
    cfg = config_mod.load(env={"SODSONG_DATA_DIR": str(tmp_path)})
    cfg["notify"].update(notify)
    return cfg


def test_office_falls_back_to_the_file_channel_in_the_embedded_default(tmp_path):
    assert deliveries.office_recipients(config(tmp_path), "PACC-R2") == [("file", "PACC-R2")]


def test_office_contacts_in_notify_config_win(tmp_path):
    cfg = config(tmp_path, office_contacts={"PACC-R2": {"email": "r2@example.org", "line": ""}})
    assert deliveries.office_recipients(cfg, "PACC-R2") == [("email", "r2@example.org")]


def test_directory_override_contacts_are_used_for_configured_channels_only(tmp_path):
    override = tmp_path / "agencies.override.yaml"
    override.write_text("offices:\n  PACC-R2:\n    contacts: {email: r2-desk@example.org, sms: '0812345678'}\n")
    cfg = config(tmp_path, channels={"file": {"type": "file", "path": str(tmp_path / "n.jsonl")},
                                     "email": {"type": "email", "host": "127.0.0.1", "from": "a@b.c"}},
                 office_directory=str(override))
    assert deliveries.office_recipients(cfg, "PACC-R2") == [("email", "r2-desk@example.org")]
    assert deliveries.office_recipients(cfg, "PACC-R1") == [("file", "PACC-R1")]  # not in the override


def test_the_office_directory_is_notifys_own_setting_defaulting_to_the_deployment_file(tmp_path):
    """notify reads its own setting only; by default it names the file routing.overrides names (one file for both)."""
    env = {"SODSONG_DATA_DIR": str(tmp_path), "SODSONG__routing__overrides": "/etc/sodsong/agencies.override.yaml"}
    assert config_mod.load(env=env)["notify"]["office_directory"] == "/etc/sodsong/agencies.override.yaml"
    own = dict(env, SODSONG__notify__office_directory="/etc/sodsong/offices.yaml")
    assert config_mod.load(env=own)["notify"]["office_directory"] == "/etc/sodsong/offices.yaml"
    assert config_mod.load(env={"SODSONG_DATA_DIR": str(tmp_path)})["notify"]["office_directory"] is None


def test_staff_and_supervisors_come_from_config_by_account_and_office(tmp_path):
    cfg = config(tmp_path, staff_contacts={"u-1": {"email": "somsri@pacc.example", "language": "en"}},
                 supervisor_contacts={"PACC-R2": {"line": "U" + "a" * 32}})
    assert deliveries.staff_recipients(cfg, "u-1") == [("email", "somsri@pacc.example")]
    assert deliveries.staff_recipients(cfg, "u-2") == []
    assert deliveries.staff_recipients(cfg, None) == []
    assert deliveries.supervisor_recipients(cfg, "PACC-R2") == [("line", "U" + "a" * 32)]


@pytest.mark.parametrize("now, expected", [
    (datetime.datetime(2025, 3, 6, 0, 59, tzinfo=UTC), None),                      # 07:59 in Bangkok
    (datetime.datetime(2025, 3, 6, 1, 0, tzinfo=UTC), datetime.date(2025, 3, 5)),   # 08:00 in Bangkok
    (datetime.datetime(2025, 3, 5, 23, 0, tzinfo=UTC), None),                      # 06:00 on the 6th: not yet
])
def test_the_daily_summary_covers_yesterday_once_the_hour_has_passed(now, expected):
    assert deliveries.summary_day_due(now, datetime.time(8, 0)) == expected


def test_operator_defaults_reach_the_file_channel(tmp_path):
    settings = deliveries.operator_settings(config(tmp_path))
    assert settings["recipients"] == {"operators": {"file": "operators"}}
    assert settings["at"] == datetime.time(8, 0)
    assert settings["queue_url"].endswith("/ops/notifications")
