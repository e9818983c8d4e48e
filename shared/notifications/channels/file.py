"""The embedded default channel: one JSON line per message appended to a local file.

Used in development and on small installs with no mail relay; the desk or an operator reads the file. Several
worker processes may append at once, so each line goes out in a single write on an O_APPEND descriptor (the
kernel places it at the end of the file whole) and is fsynced before send() reports success.
"""
from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

from .base import Channel, OutboundMessage, TransientDeliveryError, require


class FileChannel(Channel):
    kind = name = "file"

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    @classmethod
    def from_config(cls, config: dict) -> "FileChannel":
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
            "written_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # 0600: the lines hold recipient addresses, which for a tipster are as sensitive as the tip.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            # A wrong path or permission is the installation's fault: keep the delivery queued until fixed.
            raise TransientDeliveryError(f"file channel: {exc.strerror}") from None
        try:
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
