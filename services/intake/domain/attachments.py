"""Files from tipsters: typed by content (never by name or declared type), limited in size, images stripped of
EXIF/GPS and every other metadata, hashed (then sealed for storage by the use cases).

Limits (`intake.attachments` in the configuration): 10 MB per file, 50 MB per tip, 20 files per request by
default. A file over a limit is refused (AttachmentTooLarge, AttachmentsTooLarge), a type not on the list too
(UnsupportedAttachment, UnreadableImage); nothing is stored. Reading them from a request: web/requests.py.
"""
from __future__ import annotations

import functools
import hashlib
import io
import logging
import threading
from dataclasses import dataclass

from services.intake.domain.errors import (AttachmentsTooLarge, AttachmentTooLarge, EmptyAttachment,
                                           UnreadableImage, UnsupportedAttachment)
from services.intake.settings import SETTINGS as INTAKE
from shared.off_hub import run_off_hub

IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
DOCUMENT_TYPES = frozenset({
    "application/pdf",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation", "application/rtf",
    "text/plain",
})
AUDIO_TYPES = frozenset({"audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/m4a", "audio/ogg", "audio/x-wav",
                         "audio/wav", "audio/x-flac", "audio/flac", "audio/amr", "audio/aac", "audio/webm"})
ACCEPTED = frozenset(IMAGE_FORMATS) | DOCUMENT_TYPES | AUDIO_TYPES
MAX_IMAGE_PIXELS = 60_000_000  # ~ a 60-megapixel photo; larger is refused (decompression bombs)
# Decompression bombs: what an image costs once decoded is judged from its header, before any pixel is read.
MAX_DECODED_BYTES = 200 * 1024 * 1024  # a 50-megapixel colour photo (Pillow keeps RGB as 4 bytes a pixel)
MAX_EXPANSION = 250                    # decoded bytes per byte of file, for pictures above the floor below
EXPANSION_FLOOR_BYTES = 32 * 1024 * 1024
_slots = None


@functools.lru_cache(maxsize=1)
def _pillow():
    """Pillow, imported by the first image (about 3 MB that a process receiving no picture never holds).

    Image stripping runs in an OS thread (eventlet.tpool) so it never stalls the hub. In that thread nothing
    may take an eventlet-green lock: so Pillow and its format plugins are imported here, in the caller's thread
    before the work is handed over (clean() calls this on the hub), and Pillow's debug logging (whose handler
    lock is green) is kept quiet."""
    from PIL import Image

    Image.init()
    logging.getLogger("PIL").setLevel(logging.WARNING)


def limits(config: dict) -> dict:
    return INTAKE.section(config, "intake.attachments")


@dataclass(frozen=True)
class Upload:
    filename: str | None
    data: bytes


@dataclass(frozen=True)
class CleanFile:
    filename: str | None
    media_type: str
    data: bytes
    sha256: str


def check_sizes(uploads: list[Upload], limit: dict) -> None:
    per_file, per_tip = int(limit["max_file_bytes"]), int(limit["max_tip_bytes"])
    total = 0
    for upload in uploads:
        if len(upload.data) > per_file:
            raise AttachmentTooLarge(limit_bytes=per_file)
        total += len(upload.data)
    if total > per_tip:
        raise AttachmentsTooLarge(limit_bytes=per_tip)


def sniff(data: bytes) -> str | None:
    """The media type by content. Plain UTF-8 text (no NUL) is text/plain; anything unrecognised is None."""
    import filetype  # the first upload's cost, not every intake's

    kind = filetype.guess(data)
    if kind is not None:
        mime = kind.mime
        return "audio/mp4" if mime in ("audio/x-m4a", "audio/m4a") else mime
    if b"\x00" in data[:65536]:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain"


def clean(uploads: list[Upload], limit: dict) -> list[CleanFile]:
    """Check, type, strip and hash every upload; the first bad one raises its domain error."""
    check_sizes(uploads, limit)
    out = []
    for index, upload in enumerate(uploads):
        if not upload.data:
            raise EmptyAttachment(index=index)
        media_type = sniff(upload.data)
        if media_type not in ACCEPTED:
            raise UnsupportedAttachment(index=index)
        data = upload.data
        if media_type in IMAGE_FORMATS:
            _pillow()  # imported here, on the caller's thread, never in the pool's (see _pillow)
            with _image_slot(limit):
                data = run_off_hub(strip_image_metadata, data, IMAGE_FORMATS[media_type])
            if data is None:
                raise UnreadableImage(index=index)
        out.append(CleanFile(upload.filename, media_type, data, hashlib.sha256(data).hexdigest()))
    return out


class _image_slot:
    """At most `image_slots` images are decoded at once in this process, whatever the number of requests."""

    def __init__(self, limit: dict):
        global _slots
        if _slots is None:
            # green under eventlet (monkey-patched at start): waiting here yields to other requests
            _slots = threading.BoundedSemaphore(int({**INTAKE.defaults("intake.attachments"), **limit}["image_slots"]))
        self.slots = _slots

    def __enter__(self):
        self.slots.acquire()

    def __exit__(self, *exc):
        self.slots.release()


def decoded_bytes(width: int, height: int, mode: str) -> int:
    """Memory Pillow needs for the decoded pixels (one band of 1 byte for L/P/1, 2 for I;16, else 4 bytes)."""
    per_pixel = 1 if mode in ("1", "L", "P") else 2 if mode.startswith("I;16") else 4
    return width * height * per_pixel


def too_costly(width: int, height: int, mode: str, file_bytes: int) -> bool:
    """A picture whose pixels would take too much memory, or that expands far more than photos and scans do."""
    if width * height > MAX_IMAGE_PIXELS:
        return True
    decoded = decoded_bytes(width, height, mode)
    if decoded > MAX_DECODED_BYTES:
        return True
    return decoded > EXPANSION_FLOOR_BYTES and decoded > MAX_EXPANSION * max(1, file_bytes)


def strip_image_metadata(data: bytes, fmt: str) -> bytes | None:
    """Re-encode the pixels only: EXIF (GPS, camera serial, time), XMP, IPTC, ICC, comments are all dropped.

    The EXIF orientation is applied first so the picture still looks right. Returns None if Pillow cannot
    read the image, or its decoded size or expansion is over the limits (judged from the header, before any
    pixel is decoded). The pixels are decoded once and not copied again, except by a mode conversion.
    """
    _pillow()
    from PIL import Image, ImageOps  # imported and set up by _pillow(): only looked up here

    try:
        with Image.open(io.BytesIO(data)) as im:  # lazy: only the header is read here
            if too_costly(im.width, im.height, im.mode, len(data)):  # refused before any pixel is decoded
                return None
            im.seek(0)
            im.load()
            ImageOps.exif_transpose(im, in_place=True)
            upright: Image.Image = im
            target_mode = _mode_for(fmt, upright.mode)
            if upright.mode != target_mode:
                upright = upright.convert(target_mode)
                im.im = None  # type: ignore[assignment]  # the original pixels are no longer needed
            # a new Image object around the same pixels: no info, exif, text chunks or ICC profile at all
            bare = upright._new(upright.im)
            bare.info = {}
        out = io.BytesIO()
        options = {"JPEG": {"quality": 92}, "WEBP": {"quality": 90}, "PNG": {}, "GIF": {}}[fmt]
        bare.save(out, format=fmt, **options)
        return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            EOFError, MemoryError):
        return None


def _mode_for(fmt: str, mode: str) -> str:
    if fmt == "JPEG":
        return mode if mode in ("RGB", "L") else "RGB"
    if fmt == "GIF":
        return "P" if mode == "P" else "RGB"
    return mode if mode in ("RGB", "RGBA", "L", "LA") else "RGBA"


def metadata(attachment) -> dict:
    """What other services learn about a stored attachment (no file name)."""
    return {"attachment_id": attachment.id, "media_type": attachment.media_type, "size": attachment.size,
            "sha256": attachment.sha256}
