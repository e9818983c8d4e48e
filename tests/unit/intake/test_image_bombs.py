"""Decompression bombs: a small file that decodes to hundreds of megabytes is refused from its header, and a
real photo still goes through (with metadata stripped) whatever its mode."""
import io
import resource
import zlib

import pytest
from PIL import Image

from services.intake.domain import attachments
from services.intake.domain.attachments import Upload
from services.intake.domain.errors import IntakeError
from services.intake.web.errors import as_api_error

ROOMY = {"max_file_bytes": 10 * 1024 * 1024, "max_tip_bytes": 50 * 1024 * 1024, "max_files": 20}


def zero_png(side: int, colour_type: int = 6) -> bytes:
    """An all-zero PNG (RGBA by default) built row by row, so the test never holds the decoded pixels."""
    channels = {0: 1, 2: 3, 6: 4}[colour_type]
    row = b"\x00" * (1 + side * channels)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()

    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    header = side.to_bytes(4, "big") * 2 + bytes([8, colour_type, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_the_reported_bomb_is_refused_before_decoding():
    bomb = zero_png(7740)  # the review's file: ~227 KiB, 7740 x 7740 RGBA, under the 60-Mpx limit
    assert len(bomb) < 300 * 1024
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(IntakeError) as refused:
        attachments.clean([Upload("zeros.png", bomb)], ROOMY)
    answer = as_api_error(refused.value)
    assert answer.status == 415 and answer.key == "attachment.unreadable_image"
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mib < 50, f"refusing the bomb grew the peak RSS by {grown_mib:.0f} MiB"


@pytest.mark.parametrize("side,colour_type", [(5000, 6), (6000, 2), (9000, 0)])
def test_highly_compressible_large_pictures_are_refused(side, colour_type):
    bomb = zero_png(side, colour_type)
    assert attachments.strip_image_metadata(bomb, "PNG") is None


def test_limits_are_judged_from_width_height_and_mode():
    assert attachments.too_costly(7740, 7740, "RGBA", 233_000)
    assert attachments.too_costly(8000, 8000, "RGB", 30_000_000)        # 256 MB decoded, however it compresses
    assert not attachments.too_costly(4000, 3000, "RGB", 2_500_000)      # a 12-Mpx phone photo
    assert not attachments.too_costly(2480, 3508, "L", 400_000)          # an A4 scan at 300 dpi
    assert not attachments.too_costly(8000, 6000, "RGB", 12_000_000)     # a 48-Mpx photo, 192 MB decoded


@pytest.mark.parametrize("mode,fmt", [("CMYK", "JPEG"), ("LA", "PNG"), ("P", "GIF"), ("I;16", "PNG"),
                                      ("RGBA", "WEBP"), ("L", "JPEG")])
def test_every_mode_is_converted_and_stripped(mode, fmt):
    im = Image.new(mode, (40, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buf = io.BytesIO()
    kwargs = {"exif": exif} if fmt != "GIF" else {"comment": b"PhoneMaker"}
    im.save(buf, fmt, **kwargs)
    [clean] = attachments.clean([Upload("x", buf.getvalue())], ROOMY)
    assert b"PhoneMaker" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as out:
        assert out.size == (40, 30) and not out.getexif()
