"""A body is read only up to its limit: a larger one, announced or not, is refused with 413."""
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from shared.web import ApiError, read_body


def _request(data: bytes, **headers) -> Request:
    return Request(EnvironBuilder(method="POST", data=data, headers=headers).get_environ())


def test_a_body_within_the_limit_is_read():
    assert read_body(_request(b"12345"), 5) == b"12345"
    assert read_body(_request(b"12345"), 5, cache=False) == b"12345"


def test_a_body_over_the_limit_is_refused():
    with pytest.raises(ApiError) as refused:
        read_body(_request(b"123456"), 5)
    assert refused.value.status == 413
