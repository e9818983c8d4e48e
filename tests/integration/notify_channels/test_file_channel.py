"""The embedded file channel: one JSON line per message, safe for concurrent writers."""
import multiprocessing
import os
import stat

import pytest

from shared.notifications.channels import (
    FileChannel,
    OutboundMessage,
    TransientDeliveryError,
    build_channels,
    read_file_channel,
)


def message(n=1, **changes):
    fields = dict(recipient="office@agency.example", language="th", subject=f"เรื่องใหม่ SS-{n}",
                  text=f"มีเรื่องร้องเรียนใหม่ {n}\nบรรทัดที่สอง", html=None, idempotency_key=f"d-{n}")
    fields.update(changes)
    return OutboundMessage(**fields)


def test_appends_json_lines_and_reads_them_back(tmp_path):
    path = tmp_path / "deep" / "er" / "outbox.jsonl"
    channel = build_channels({"file": {"path": str(path)}})["file"]
    assert channel.send(message(1)) == "d-1"
    channel.send(message(2, html="<p>สวัสดี</p>", language="en"))

    assert path.read_bytes().count(b"\n") == 2  # the newline inside text is escaped, one line per message
    first, second = read_file_channel(path)
    assert first["delivery_id"] == "d-1" and first["subject"] == "เรื่องใหม่ SS-1"
    assert first["text"] == "มีเรื่องร้องเรียนใหม่ 1\nบรรทัดที่สอง" and first["html"] is None
    assert second["html"] == "<p>สวัสดี</p>" and second["language"] == "en"
    assert first["recipient"] == "office@agency.example" and first["written_at"]


def test_file_is_private_to_its_owner(tmp_path):
    path = tmp_path / "outbox.jsonl"
    FileChannel(path).send(message())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_missing_file_reads_as_empty_and_a_torn_line_is_skipped(tmp_path):
    path = tmp_path / "outbox.jsonl"
    assert read_file_channel(path) == []
    FileChannel(path).send(message(1))
    with open(path, "ab") as torn:
        torn.write(b'{"delivery_id": "d-2", "subj')
    assert [r["delivery_id"] for r in read_file_channel(path)] == ["d-1"]


def test_unusable_path_is_transient_so_deliveries_wait_for_the_fix(tmp_path):
    (tmp_path / "not-a-dir").write_text("")
    with pytest.raises(TransientDeliveryError):
        FileChannel(tmp_path / "not-a-dir" / "outbox.jsonl").send(message())


def _write_many(path, writer, count):
    channel = FileChannel(path)
    big = "ข" * 3000  # lines well past PIPE_BUF, where interleaving would show
    for n in range(count):
        channel.send(message(n, idempotency_key=f"w{writer}-{n}", text=big))


def test_concurrent_processes_never_interleave_lines(tmp_path):
    path = tmp_path / "outbox.jsonl"
    context = multiprocessing.get_context("spawn")  # a clean interpreter, not a fork of the patched one
    writers = [context.Process(target=_write_many, args=(path, w, 50)) for w in range(4)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
        assert process.exitcode == 0
    records = read_file_channel(path)
    assert path.read_bytes().count(b"\n") == 200 == len(records)
    assert {r["delivery_id"] for r in records} == {f"w{w}-{n}" for w in range(4) for n in range(50)}
