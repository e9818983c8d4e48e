"""What a worker gets from the shared DependencyProviders is made once per entrypoint (or per container), and
still names its own entrypoint: the inbox claims each handler's events under its own name."""
from types import SimpleNamespace

from sqlalchemy import MetaData

from shared.dependencies import Database, LoggingContext


def worker(method: str):
    return SimpleNamespace(entrypoint=SimpleNamespace(method_name=method), data={})


def test_each_entrypoint_has_one_view_of_the_database_under_its_own_name():
    provider = Database(MetaData())
    provider.service_db = object()
    first = provider.get_dependency(worker("on_tip_routed"))
    again = provider.get_dependency(worker("on_tip_routed"))
    other = provider.get_dependency(worker("on_case_opened"))
    assert first is again
    assert other is not first
    assert first._handler == "on_tip_routed" and other._handler == "on_case_opened"
    assert first.service_db is provider.service_db and other.service_db is provider.service_db


def test_the_logger_is_made_once_per_container():
    provider = LoggingContext()
    provider.container = SimpleNamespace(service_name="routing")
    provider.setup()
    assert provider.get_dependency(worker("a")) is provider.get_dependency(worker("b"))
