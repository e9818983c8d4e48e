"""Reading intake's HTTP requests: JSON or multipart bodies, the client's address for the limits, and whether a
request that changes something or spends a client's allowance came from another site."""
from __future__ import annotations

from urllib.parse import urlsplit

from services.intake.domain import attachments
from shared import clients
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


def client_settings(config: dict) -> dict:
    """`intake.clients` (shared.clients); the older `intake.client_address_header` alone means one proxy on
    this machine."""
    intake = dict(config.get("intake") or {})
    if intake.get("client_address_header") and not intake.get("clients"):
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
