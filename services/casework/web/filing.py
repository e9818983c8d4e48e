"""Filing a tip on someone's behalf from the desk: the page (`/file`) and the API (`POST /api/v1/filing-tickets`)
that hand a signed-in staff member or volunteer a short-lived ticket for intake's form (usecases/filing.py). The
page's only form posts the ticket to intake, so its CSP allows that one other origin as a form target."""
from __future__ import annotations

from urllib.parse import urlsplit

from services.casework.usecases import filing
from services.casework.web.rendering import PAGE_CSP, PAGES, render
from shared.web import json_response


def _desk_origin(desk, request) -> str:
    """The desk as this browser reaches it (only a "back to the desk" link on intake's form)."""
    return request.host_url.rstrip("/")


def _config(desk) -> dict:
    return desk.container.config["SODSONG"]


def page(desk, request):
    principal, csrf = desk.page_principal(request)
    issued = filing.issue_ticket(_config(desk), principal, _desk_origin(desk, request))
    parts = urlsplit(issued["form_url"])
    csp = PAGE_CSP.replace("form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")
    response = render(PAGES, "file.html", request=request, principal=principal, csrf=csrf, issued=issued)
    response.headers["Content-Security-Policy"] = csp
    return response


def api_ticket(desk, request):
    principal = desk.api_principal(request, unsafe=True)
    return json_response(201, filing.issue_ticket(_config(desk), principal, _desk_origin(desk, request)))
