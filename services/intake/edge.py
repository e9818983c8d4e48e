"""Reading intake's HTTP requests: JSON or multipart bodies, the client's address for the receipt guard."""
from __future__ import annotations

from services.intake import attachments
from shared.web import ApiError, parse_json_object, read_json


def json_or_multipart(request, part: str, max_json_bytes: int, limits: dict):
    """(JSON object, [Upload]) from application/json or multipart/form-data (a JSON `part` plus files)."""
    mimetype = (request.mimetype or "").lower()
    if mimetype == "application/json":
        request.max_content_length = max_json_bytes  # a chunked body without a length stops at the limit too
        return read_json(request, max_json_bytes), []
    if mimetype == "multipart/form-data":
        raw, uploads = attachments.read_multipart(request, part, limits, max_json_bytes)
        return parse_json_object(raw), uploads
    raise ApiError(415, "request.wrong_content_type", accepted=["application/json", "multipart/form-data"])


def client_address(request, config: dict) -> str | None:
    """The address the receipt guard counts by (hashed there; never stored or logged as it is).

    Behind a reverse proxy, set `intake.client_address_header` (e.g. X-Forwarded-For): its last entry is used.
    """
    header = (config.get("intake") or {}).get("client_address_header")
    if header:
        value = request.headers.get(header)
        if value:
            return value.split(",")[-1].strip()
    return request.remote_addr
