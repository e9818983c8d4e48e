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
