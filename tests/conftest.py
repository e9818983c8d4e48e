"""Test-wide setup.

nameko runs on eventlet, so the test process is monkey-patched before anything else imports socket or threading
(nameko's pytest plugin no longer does this itself). Code under test that needs a plain OS thread (an asyncio
server, a browser driver) runs in a subprocess instead.
"""
import warnings

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()


def _ephemeral_keyrings():
    """Tests that build tables and sessions by hand (no service container, no operator tool) still need each
    service's keyring for sealed columns: a random one per test process. Containers and tools install the
    deployment's own keys on top (keys stay known for opening)."""
    import secrets

    from shared import blind_index, sealing
    from shared.config import SERVICES

    sealing.install_keys("bus", "test", {"test": secrets.token_bytes(32)})  # content on the wire
    for service in SERVICES:
        sealing.install_keys(service, "test", {"test": secrets.token_bytes(32)})
        blind_index.install_key(service, secrets.token_bytes(32))


_ephemeral_keyrings()
