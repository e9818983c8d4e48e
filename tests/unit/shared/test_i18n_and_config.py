from marshmallow import ValidationError

from services.intake.domain.tip import TipSchema
from shared import config, i18n
from tests.support.tips import tip


def _errors(body):
    try:
        TipSchema().load(body)
    except ValidationError as exc:
        return i18n.field_errors(exc.messages)
    return {}


def test_every_error_is_thai_first_then_english():
    body = tip(category="gambling", description="short", unexpected=1)
    body["location"] = {"province_code": "99"}
    body["accused"] = {}
    errors = _errors(body)
    assert set(errors) == {"category", "description", "unexpected", "location.province_code",
                           "accused.official_type"}
    for messages in errors.values():
        for m in messages:
            assert list(m)[:2] == ["th", "en"] and m["th"] and m["en"]
            assert any("\u0e00" <= ch <= "\u0e7f" for ch in m["th"]), m
    assert errors["location.province_code"][0]["en"].startswith("Unknown province")


def test_inconsistent_codes_are_named():
    errors = _errors(tip(location={"province_code": "23", "district_code": "1001"}))
    assert errors["location.district_code"][0] == i18n.MESSAGES["geo.district_not_in_province"]


def test_future_dates_and_negative_amounts_are_refused():
    errors = _errors(tip(event_date="2999-01-01", amount_thb=-5))
    assert errors["event_date"][0]["en"] == "The date may not be in the future."
    assert errors["amount_thb"][0]["en"] == "Must not be negative."


def test_environment_overrides_and_postgres_driver():
    cfg = config.load(env={"SODSONG_DB_URL": "postgresql://u@h/db", "SODSONG__intake__http": "0.0.0.0:9000",
                           "SODSONG_AMQP_URI": "amqp://x"})
    assert cfg["intake"]["db_url"] == "postgresql+psycopg2://u@h/db"
    assert cfg["intake"]["http"] == "0.0.0.0:9000"
    assert cfg["amqp_uri"] == "amqp://x" and not config.is_memory_transport(cfg)


def test_embedded_defaults_use_one_sqlite_file_per_service(tmp_path):
    cfg = config.load(env={"SODSONG_DATA_DIR": str(tmp_path)})
    assert config.is_memory_transport(cfg)
    assert {cfg[s]["db_url"] for s in config.SERVICES} == {f"sqlite:///{tmp_path}/{s}.db" for s in config.SERVICES}
