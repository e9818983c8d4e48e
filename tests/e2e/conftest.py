from contextlib import ExitStack

import pytest

from tests.support.deployment import Deployment


@pytest.fixture(params=["embedded", "real"])
def deployment(request, tmp_path):
    with ExitStack() as stack:
        yield Deployment(request.param, tmp_path, stack)


@pytest.fixture
def real_deployment(tmp_path):
    with ExitStack() as stack:
        yield Deployment("real", tmp_path, stack)


@pytest.fixture
def embedded_deployment(tmp_path):
    with ExitStack() as stack:
        yield Deployment("embedded", tmp_path, stack)


@pytest.fixture(params=["embedded", "real"])
def first_start_deployment(request, tmp_path):
    """Empty databases: the first `sodsong run` applies every service's migrations (the other deployments start on
    copies of migrated ones)."""
    with ExitStack() as stack:
        yield Deployment(request.param, tmp_path, stack, migrated=False)
