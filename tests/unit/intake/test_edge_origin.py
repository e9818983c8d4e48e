"""Which requests count as sent from another site (finding 3: another page spending a visitor's attempts)."""
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.intake.edge import cross_site

CFG = {"intake": {"public_origins": ["https://tips.example.org"]}}


def request(headers, host="127.0.0.1:8000"):
    return Request(EnvironBuilder(method="POST", path="/status", headers=headers,
                                  base_url=f"http://{host}").get_environ())


@pytest.mark.parametrize("headers,host,expected", [
    ({}, "127.0.0.1:8000", False),                                                   # a program, not a browser
    ({"Sec-Fetch-Site": "same-origin", "Origin": "null"}, "127.0.0.1:8000", False),  # our page, no-referrer
    ({"Sec-Fetch-Site": "none"}, "127.0.0.1:8000", False),                           # typed or bookmarked
    ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, "127.0.0.1:8000", True),
    ({"Sec-Fetch-Site": "same-site", "Origin": "https://x.tips.example.org"}, "tips.example.org", True),
    ({"Origin": "https://evil.example"}, "127.0.0.1:8000", True),                    # an older browser
    ({"Origin": "http://127.0.0.1:8000"}, "127.0.0.1:8000", False),
    ({"Origin": "https://tips.example.org"}, "intake:8000", False),                  # behind a proxy
])
def test_cross_site(headers, host, expected):
    assert cross_site(request(headers, host), CFG) is expected
