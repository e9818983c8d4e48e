import base64
import os
import stat

import pytest

from services.intake import crypto


def keyring(current="a", **keys):
    keys = keys or {"a": base64.b64encode(b"\x01" * 32).decode()}
    return crypto.from_settings({"current": current, "keys": keys})


def test_seal_and_open_text_and_bytes_bound_to_their_row():
    ring = keyring()
    sealed = ring.encrypt_text("เจ้าหน้าที่เรียกรับเงิน", "intake_tips.facts_json:1")
    assert sealed.startswith("e1:a:") and "เรียก" not in sealed
    assert ring.decrypt_text(sealed, "intake_tips.facts_json:1") == "เจ้าหน้าที่เรียกรับเงิน"
    with pytest.raises(crypto.DecryptionError):
        ring.decrypt_text(sealed, "intake_tips.facts_json:2")
    blob = ring.encrypt(b"\x00photo", "intake_attachments.content:9")
    assert crypto.key_id_of(blob) == "a" and ring.decrypt(blob, "intake_attachments.content:9") == b"\x00photo"
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(crypto.DecryptionError):
        ring.decrypt(tampered, "intake_attachments.content:9")


def test_rotation_reads_old_keys_and_writes_with_the_current_one():
    old = keyring()
    value = old.encrypt_text("x", "t:1")
    both = keyring("b", a=base64.b64encode(b"\x01" * 32).decode(), b=base64.b64encode(b"\x02" * 32).decode())
    assert both.decrypt_text(value, "t:1") == "x" and both.needs_rotation(value)
    assert not both.needs_rotation(both.encrypt_text("x", "t:1"))
    assert both.needs_rotation('{"plain": "json from before intake_0002"}')
    only_b = keyring("b", b=base64.b64encode(b"\x02" * 32).decode())
    with pytest.raises(crypto.DecryptionError):
        only_b.decrypt_text(value, "t:1")


@pytest.mark.parametrize("settings", [
    {}, {"current": "a", "keys": {}}, {"current": "z", "keys": {"a": base64.b64encode(b"1" * 32).decode()}},
    {"current": "a", "keys": {"a": base64.b64encode(b"short").decode()}}, {"current": "a", "keys": {"a": "%%%"}},
    {"current": "bad id!", "keys": {"bad id!": base64.b64encode(b"1" * 32).decode()}},
])
def test_bad_key_settings_refuse_to_start(settings):
    with pytest.raises(crypto.KeyringError):
        crypto.from_settings(settings)


def test_embedded_mode_creates_a_private_key_file_once_apart_from_the_data(tmp_path):
    data = tmp_path / "data"
    first = crypto.load({"data_dir": str(data), "intake": {}})
    path = tmp_path / "data-keys" / crypto.KEY_FILE_NAME
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert not (data / crypto.KEY_FILE_NAME).exists()
    again = crypto.load({"data_dir": str(data), "intake": {}})
    assert again.keys == first.keys and again.current == first.current
    configured = crypto.load({"data_dir": str(tmp_path), "intake": {"keys": {
        "current": "cfg", "keys": {"cfg": base64.b64encode(b"\x03" * 32).decode()}}}})
    assert configured.current == "cfg"


def test_a_key_file_left_in_the_data_directory_is_moved_to_the_keys_directory(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    legacy = data / crypto.KEY_FILE_NAME
    legacy.write_text("current: old\nkeys: {old: %s}\n" % base64.b64encode(b"\x05" * 32).decode())
    keyring = crypto.load({"data_dir": str(data), "keys_dir": str(tmp_path / "keys"), "intake": {}})
    assert keyring.current == "old" and keyring.keys["old"] == b"\x05" * 32
    assert not legacy.exists() and (tmp_path / "keys" / crypto.KEY_FILE_NAME).exists()
