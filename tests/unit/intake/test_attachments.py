import io

import pytest
from PIL import Image

from services.intake.domain import attachments
from services.intake.domain.attachments import Upload
from services.intake.domain.errors import IntakeError
from services.intake.web.errors import as_api_error

LIMITS = {"max_file_bytes": 1000, "max_tip_bytes": 1500, "max_files": 3}


def photo(fmt="JPEG", mode="RGB"):
    im = Image.new(mode, (32, 24), 120)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (12.0, 14.0, 30.0), 3: "E", 4: (102.0, 30.0, 0.0)}
    exif[0x0112] = 6  # rotated: the stripped image must come out upright
    buf = io.BytesIO()
    im.save(buf, fmt, exif=exif)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_images_lose_exif_and_gps_but_stay_upright(fmt):
    raw = photo(fmt)
    assert b"PhoneMaker" in raw
    [clean] = attachments.clean([Upload("x", raw)], {"max_file_bytes": 10**6, "max_tip_bytes": 10**6,
                                                      "max_files": 3})
    assert b"PhoneMaker" not in clean.data and b"Exif" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as im:
        assert not im.getexif() and im.size == (24, 32)
    assert clean.media_type == f"image/{fmt.lower()}"


def test_type_comes_from_content_not_the_name():
    assert attachments.sniff(b"%PDF-1.4\n") == "application/pdf"
    assert attachments.sniff("บันทึก".encode()) == "text/plain"
    assert attachments.sniff(b"MZ\x90\x00\x03" + b"\x00" * 60) not in attachments.ACCEPTED
    assert attachments.sniff(b"\x00\x01\x02binary") is None
    with pytest.raises(IntakeError) as refused:
        attachments.clean([Upload("evidence.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 60)], LIMITS)
    assert as_api_error(refused.value).status == 415


def test_limits():
    with pytest.raises(IntakeError) as refused:
        attachments.clean([Upload("a", b"a" * 1001)], LIMITS)
    assert as_api_error(refused.value).status == 413 and as_api_error(refused.value).key == "attachment.too_large"
    with pytest.raises(IntakeError) as refused:
        attachments.clean([Upload("a", b"a" * 800), Upload("b", b"b" * 800)], LIMITS)
    assert as_api_error(refused.value).key == "attachment.total_too_large"
    with pytest.raises(IntakeError) as refused:
        attachments.clean([Upload("a", b"")], LIMITS)
    assert as_api_error(refused.value).status == 400


def test_a_decompression_bomb_is_refused():
    buf = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buf, "PNG")
    assert attachments.strip_image_metadata(buf.getvalue(), "PNG") is None
