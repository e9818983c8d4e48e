"""Integration tests talk to servers of their own on 127.0.0.1 (webhook, LINE, SMS and SMTP stand-ins, the desk)."""
import pytest


@pytest.fixture(autouse=True)
def no_proxy_for_loopback(monkeypatch):
    # A proxy set in the environment would otherwise swallow requests meant for 127.0.0.1.
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
