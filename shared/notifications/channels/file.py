"""The embedded default channel: one JSON line per message appended to a local file.

Used in development and on small installs with no mail relay; the desk or an operator reads the file. Several
worker processes may append at once, so each line goes out in a single write on an O_APPEND descriptor (the
kernel places it at the end of the file whole) and is fsynced before send() reports success.

A sender killed after writing a line but before recording the delivery as sent leaves it in `sending`; another
instance takes it over and tries again (attempt 2 or later). The file is the one channel that can see whether the
earlier attempt arrived, so for such an attempt it looks for a complete line with the same delivery id and, if there
is one, reports it sent without writing it again. An exclusive lock on the file makes the look and the write one
step across processes. The lock also lets a writer find a line torn by a crash and start its own on a fresh line,
so one torn line never swallows the next message.
"""
from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from shared.clock import utcnow

from .base import Channel, OutboundMessage, TransientDeliveryError, require


class FileChannel(Channel):
    kind = name = "file"

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    @classmethod
    def from_config(cls, config: dict) -> FileChannel:
        require(config, cls.kind, "path")
        return cls(config["path"])

    def send(self, message: OutboundMessage) -> str:
        record = {
            "delivery_id": message.idempotency_key,
            "recipient": message.recipient,
            "language": message.language,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "written_at": utcnow().isoformat(timespec="seconds"),
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # 0600: the lines hold recipient addresses, which for a tipster are as sensitive as the tip.
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            # A wrong path or permission is the installation's fault: keep the delivery queued until fixed.
            raise TransientDeliveryError(f"file channel: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released by close()
            if message.attempt > 1 and _already_written(fd, message.idempotency_key):
                return message.idempotency_key
            if _ends_mid_line(fd):
                line = b"\n" + line
            written = os.write(fd, line)
            if written != len(line):
                # A short write on a regular file means a full disk; the torn line is skipped by the reader.
                raise TransientDeliveryError("file channel: short write (disk full?)")
            os.fsync(fd)
        except OSError as exc:
            raise TransientDeliveryError(f"file channel: {exc.strerror}") from None
        finally:
            os.close(fd)
        return message.idempotency_key


def _line_prefix(delivery_id: str) -> bytes:
    return ('{"delivery_id": ' + json.dumps(delivery_id, ensure_ascii=False) + ",").encode("utf-8")


def _already_written(fd: int, delivery_id: str) -> bool:
    """True when the file holds a complete line for this delivery."""
    prefix = _line_prefix(delivery_id)
    with os.fdopen(os.dup(fd), "rb") as stream:  # shares the offset; appends still land at the end
        stream.seek(0)
        return any(raw.startswith(prefix) and _whole(raw) for raw in stream)


def _whole(raw: bytes) -> bool:
    """A line a crash did not cut short: it parses (a torn one may since have been closed by a newline)."""
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


def _ends_mid_line(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


def read_file_channel(path: str | os.PathLike) -> list[dict]:
    """Every message the file channel wrote, oldest first; a missing file reads as none."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return []
    records = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except ValueError:
            continue  # a line torn by a crash or a full disk; the delivery was not reported as sent
    return records
