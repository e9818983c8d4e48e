"""The desk's HTTP entrypoints: `desk_api` (JSON answers) and `desk_page` (HTML answers, a missing session is a
trip to the sign-in page). Domain errors are answered through web/errors.py's table."""
from __future__ import annotations

from werkzeug.exceptions import NotFound as UnknownUrl
from werkzeug.wrappers import Response

from services.casework.domain.errors import Hidden
from services.casework.web import errors
from services.casework.web.auth import SignInRequired
from services.casework.web.rendering import PAGES, redirect, render
from shared import i18n
from shared.logging import get_logger
from shared.web import ApiError, ApiHandler

log = get_logger(__name__)


class Redirect(Exception):
    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


class _HiddenPages:
    """A page that is `policy.Hidden` from the caller gets exactly the web server's answer to an unknown URL
    (werkzeug's 404, without the desk's own headers), so nothing tells it from a page that does not exist."""

    def handle_request(self, request):
        response = super().handle_request(request)
        if getattr(response, "sodsong_hidden", False):
            return UnknownUrl().get_response(request.environ)
        return response

    @staticmethod
    def hidden() -> Response:
        response = UnknownUrl().get_response()
        response.sodsong_hidden = True
        return response


class DeskApiHandler(_HiddenPages, ApiHandler):
    def __init__(self, method, url, **kwargs):
        kwargs.setdefault("expected_exceptions", EXPECTED)  # answered, not logged as worker errors
        super().__init__(method, url, **kwargs)

    def response_from_exception(self, exc):
        if isinstance(exc, Hidden):
            return self.hidden()
        return super().response_from_exception(errors.as_api_error(exc))


class DeskPageHandler(_HiddenPages, ApiHandler):
    """HTML pages: errors are pages too (in the language the person chose), and a missing session is a trip to
    the sign-in page."""

    def __init__(self, method, url, **kwargs):
        kwargs.setdefault("expected_exceptions", EXPECTED)
        super().__init__(method, url, **kwargs)

    def handle_request(self, request):
        response = super().handle_request(request)
        error = getattr(response, "sodsong_error", None)
        if error is not None:  # drawn again now that the request (its language) is at hand
            fresh = _error_page(*error, request=request)
            for key, value in response.headers.items():
                fresh.headers.setdefault(key, value)
            return fresh
        return response

    def response_from_exception(self, exc):
        if isinstance(exc, Hidden):
            return self.hidden()
        if isinstance(exc, SignInRequired):
            return redirect("/login")
        if isinstance(exc, Redirect):
            return redirect(exc.location)
        err = errors.as_api_error(exc)
        if isinstance(err, ApiError):
            return _error_page(err.status, err.key)
        log.error("http.unhandled_error", error=type(exc).__name__, exc_info=exc)
        return _error_page(500, "request.internal_error")


def _error_page(status: int, key: str, request=None) -> Response:
    # the language switch of an error page leads to the inbox, not back to the address refused: a refusal in the
    # other language helps nobody, and the page never repeats a reference it would not confirm
    response = render(PAGES, "error.html", status=status, request=request, here="/cases", code=status,
                      message=i18n.message(key), principal=None, csrf=None)
    if request is None:
        response.sodsong_error = (status, key)
    return response


EXPECTED = errors.EXPECTED + (SignInRequired, Redirect)
desk_api = DeskApiHandler.decorator
desk_page = DeskPageHandler.decorator
