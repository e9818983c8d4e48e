"""Short-lived signed links from the desk to a tip's files.

The files stay encrypted in intake, which alone holds their keys. A caseworker asks casework for a file;
casework checks that the caseworker may read the case, records the view (`case.evidence_viewed`) and answers
with a redirect to intake's `/evidence/<reference>/<attachment id>` carrying an HMAC-SHA256 over
(reference, attachment id, office, user, expiry) under a key that casework and intake share through
configuration (`evidence.link_key`). Intake checks the signature, the expiry and that the office is the tip's
current office, and serves the file as a download. No call between the services: the link is the message.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

from shared import keys as keys_mod

KEY_FILE_NAME = "evidence-link.key"


def link_key(config: dict) -> bytes:
    """The shared secret: `evidence.link_key` (any string, at least 32 characters), else a key file in the keys
    directory, apart from the data (created on first use; enough when every process runs on one host, as embedded
    mode does)."""
    configured = (config.get("evidence") or {}).get("link_key")
    if configured:
        if len(str(configured)) < 32:
            raise ValueError("evidence.link_key must be at least 32 characters")
        return hashlib.sha256(str(configured).encode("utf-8")).digest()
    path = keys_mod.keys_dir(config) / KEY_FILE_NAME
    keys_mod.private_file(config, KEY_FILE_NAME, keys_mod.new_key)
    for _ in range(50):  # the other process may still be writing it
        text = path.read_text(encoding="ascii").strip()
        if text:
            return base64.b64decode(text)
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty")


def link_seconds(config: dict) -> int:
    return int((config.get("evidence") or {}).get("link_seconds") or 60)


def intake_url(config: dict) -> str:
    """Where browsers and API clients reach intake (`evidence.intake_url`, else intake's own listen address)."""
    configured = (config.get("evidence") or {}).get("intake_url")
    if configured:
        return str(configured).rstrip("/")
    return "http://" + str(config["intake"]["http"])


def _mac(key: bytes, reference: str, attachment_id: str, office: str, user: str, expires: int) -> str:
    message = "\n".join(("sodsong-evidence-v1", reference, attachment_id, office, user, str(int(expires))))
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def signed_url(config: dict, reference: str, attachment_id: str, office: str, user: str,
               now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + link_seconds(config))
    query = {"office": office, "user": user, "exp": expires,
             "sig": _mac(link_key(config), reference, attachment_id, office, user, expires)}
    return (f"{intake_url(config)}/evidence/{quote(reference, safe='')}/{quote(attachment_id, safe='')}?"
            f"{urlencode(query)}")


def verify(key: bytes, reference: str, attachment_id: str, office: str | None, user: str | None,
           expires: str | None, sig: str | None, now: float | None = None) -> bool:
    """True for an unexpired link signed with `key` for exactly these values."""
    if not (office and user and expires and sig) or not str(expires).isdigit():
        return False
    if int(expires) < (now if now is not None else time.time()):
        return False
    expected = _mac(key, reference, attachment_id, office, user, int(expires))
    return hmac.compare_digest(expected, str(sig))
