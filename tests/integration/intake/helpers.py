"""Helpers for intake's end-to-end tests: intake's own commands, identifiable test data, images with GPS."""
from __future__ import annotations

import io
import subprocess
import sys

from requests.adapters import HTTPAdapter


def intake_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    """intake's commands (`python -m services.intake.cli`, the same groups sodsong/cli.py mounts)."""
    result = subprocess.run([sys.executable, "-m", "services.intake.cli", *args], env=env, capture_output=True,
                            text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"intake cli {args} failed ({result.returncode}):\n{result.stderr}")
    return result


def jpeg_with_gps(size=(80, 60), colour=(30, 90, 160), software: str | None = None) -> bytes:
    """A JPEG whose EXIF names the camera's maker, a GPS position and, if given, a Software tag."""
    from PIL import Image

    im = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if software is not None:
        exif[0x0131] = software
    exif[0x8825] = {1: "N", 2: (12.0, 14.0, 30.0), 3: "E", 4: (102.0, 30.0, 0.0)}
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


class SourceAddressAdapter(HTTPAdapter):
    """Connect from a chosen loopback address, so a test can look for that client address in the server log."""

    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)
