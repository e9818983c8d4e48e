"""Which requests count as sent from another site (finding 3: another page spending a visitor's attempts)."""
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.intake.web.requests import cross_site

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


def test_a_configured_keyring_needs_a_configured_receipt_key(tmp_path):
    import base64

    from services.intake import receipts

    keys = {"current": "k1", "keys": {"k1": base64.b64encode(b"\x01" * 32).decode()}}
    with pytest.raises(receipts.ReceiptKeyError):
        receipts.load_key({"data_dir": str(tmp_path), "intake": {"keys": keys}})
    assert not (tmp_path / receipts.KEY_FILE_NAME).exists()
    key = base64.b64encode(b"\x02" * 32).decode()
    configured = receipts.load_key({"data_dir": str(tmp_path), "intake": {"keys": keys, "receipt_key": key}})
    assert configured.mac("1234567812345678") == receipts.ReceiptKey(b"\x02" * 32).mac("1234567812345678")
    made = receipts.load_key({"data_dir": str(tmp_path), "intake": {}})  # embedded: a key file, 0600, with the keys
    keys_dir = tmp_path.parent / (tmp_path.name + "-keys")
    assert (keys_dir / receipts.KEY_FILE_NAME).stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / receipts.KEY_FILE_NAME).exists()
    assert made.mac("1") == receipts.load_key({"data_dir": str(tmp_path), "intake": {}}).mac("1")
