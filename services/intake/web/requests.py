"""Reading intake's HTTP requests: JSON or multipart bodies (files parsed in memory), the client's address for the
limits, and whether a request that changes something or spends a client's allowance came from another site.

Multipart bodies are parsed into memory, never spooled to a temporary file: an unencrypted copy of a tipster's
evidence must not land on disk.
"""
from __future__ import annotations

import io
import os
import re
from urllib.parse import urlsplit

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from services.intake.domain.attachments import Upload, limits
from shared import clients
from shared.web import ApiError, parse_json_object, read_json


def json_or_multipart(request, part: str, max_json_bytes: int, limits: dict):
    """(JSON object, [Upload]) from application/json or multipart/form-data (a JSON `part` plus files)."""
    mimetype = (request.mimetype or "").lower()
    if mimetype == "application/json":
        request.max_content_length = max_json_bytes  # a chunked body without a length stops at the limit too
        return read_json(request, max_json_bytes), []
    if mimetype == "multipart/form-data":
        raw, uploads = read_multipart(request, part, limits, max_json_bytes)
        return parse_json_object(raw), uploads
    raise ApiError(415, "request.wrong_content_type", accepted=["application/json", "multipart/form-data"])


def read_form(request, limit: dict, max_form_bytes: int, extra_parts: int = 40):
    """(form fields, [(field name, Upload)]) from a multipart/form-data body, parsed in memory; 400/413."""
    total_limit = int(limit["max_tip_bytes"]) + max_form_bytes + 64 * 1024  # files + fields + multipart framing
    if request.content_length is not None and request.content_length > total_limit:
        raise ApiError(413, "attachment.total_too_large", limit_bytes=int(limit["max_tip_bytes"]))
    parser = FormDataParser(stream_factory=_in_memory, max_form_memory_size=max_form_bytes,
                            max_content_length=total_limit, silent=False,
                            max_form_parts=int(limit["max_files"]) + extra_parts)
    try:
        _, form, files = parser.parse_from_environ(request.environ)
    except RequestEntityTooLarge:
        raise ApiError(413, "attachment.total_too_large", limit_bytes=int(limit["max_tip_bytes"]))
    except (ValueError, UnicodeDecodeError, EOFError):
        raise ApiError(400, "request.multipart_invalid")
    uploads = []
    for name, storage in files.items(multi=True):
        data = storage.read()
        if not data and not storage.filename:
            continue  # a browser's empty file input
        uploads.append((name, Upload(_clean_filename(storage.filename), data)))
    return form, uploads


def read_multipart(request, json_part: str, limit: dict, max_json_bytes: int):
    """(the JSON part's bytes, [Upload]) from a multipart/form-data request, or ApiError 400/413."""
    form, named = read_form(request, limit, max_json_bytes, extra_parts=8)
    raw_json = None
    uploads = []
    for name, upload in named:
        if name == json_part and raw_json is None:
            raw_json = upload.data
            continue
        uploads.append(upload)
    if raw_json is None and json_part in form:
        raw_json = form[json_part].encode("utf-8", "surrogateescape")
    if raw_json is None:
        raise ApiError(400, f"request.missing_{json_part}_part")
    if len(raw_json) > max_json_bytes:
        raise ApiError(413, "request.too_large")
    if len(uploads) > int(limit["max_files"]):
        raise ApiError(413, "attachment.too_many", max_files=int(limit["max_files"]))
    return raw_json, uploads


def _in_memory(total_content_length=None, content_type=None, filename=None, content_length=None):
    return io.BytesIO()


def _clean_filename(name: str | None) -> str | None:
    if not name:
        return None
    name = os.path.basename(name.replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f-\x9f]", "", name).strip()[:200]
    return name or None


def max_request_bytes(config: dict) -> int:
    """The largest body the HTTP server reads for intake: a tip's files, its fields, multipart framing."""
    return int(limits(config)["max_tip_bytes"]) + int(config["intake"]["max_body_bytes"]) + 64 * 1024


def client_settings(config: dict) -> dict:
    """`intake.clients` (shared.clients); the older `intake.client_address_header` alone means one proxy on
    this machine."""
    intake = dict(config.get("intake") or {})
    if intake.get("client_address_header") and not (intake.get("clients") or {}).get("client_address_header"):
        intake["clients"] = {"client_address_header": intake["client_address_header"],
                             "trusted_proxies": ["127.0.0.1/32", "::1/128"], "proxy_hops": 1}
    return clients.settings(intake)


def client_address(request, settings: dict) -> str | None:
    """The address the limits count by (keyed in memory there; never stored or logged)."""
    return clients.client_address(request.environ, settings)


def cross_site(request, config: dict) -> bool:
    """A browser request sent from another site's page (a form or script there): it must not file a tip, send
    a message or spend the visitor's receipt attempts. Browsers say where a request comes from: Sec-Fetch-Site
    (decisive when present), else Origin (older browsers; "null" under the pages' no-referrer policy says
    nothing). Programs that send neither are not browsers acting for someone else. `intake.public_origins` lists
    the origins the pages are served under, when the Host header is not that (e.g. behind a proxy)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site:  # every current browser sends it, and it cannot be set by a page
        return site.lower() not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":  # the pages' no-referrer policy makes a browser send "null"
        return False
    allowed = [o.rstrip("/") for o in ((config.get("intake") or {}).get("public_origins") or [])]
    if origin.rstrip("/") in allowed:
        return False
    return urlsplit(origin).netloc.lower() != (request.host or "").lower()
