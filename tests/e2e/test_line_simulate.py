"""`sodsong line simulate`: a newcomer chats with the bot in the terminal (embedded, LINE simulated) — here from a
script — files a tip with a location and a photo, has the office ask through casework and answers in the chat."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.support.environments import base_env, free_port

SCRIPT = """\
1
1
เจ้าพนักงานที่ดินเรียกรับเงิน 5,000 บาท เพื่อเร่งออกโฉนดให้ชาวบ้านหมู่ 4
/location ถนนหลักเมือง ตำบลบางพระ อำเภอเมืองตราด ตราด 23000 | 12.2436,102.5151
1
2
1
เจ้าพนักงานที่ดิน
/date 2026-11-03
/photo
1
1
1
/office ท่านจำเวลาที่นัดรับเงินได้หรือไม่
ติดตาม
{receipt}
1
ประมาณ 10 โมงเช้า ที่ร้านกาแฟหน้าสำนักงาน
/quit
"""


def test_a_whole_chat_in_the_terminal(tmp_path):
    script = tmp_path / "chat.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    env = base_env(tmp_path / "unused", free_port(), free_port())
    env["NO_PROXY"] = "127.0.0.1,localhost"
    sodsong = Path(sys.executable).with_name("sodsong")
    result = subprocess.run([str(sodsong), "line", "simulate", "--data-dir", str(tmp_path / "data"),
                             "--script", str(script)], env=env, capture_output=True, text=True, timeout=240)
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert re.search(r"รหัสรับแจ้ง \(16 หลัก\): \d{4} \d{4} \d{4} \d{4}", out)
    reference = re.search(r"เลขอ้างอิง: (SS-[0-9A-Z]{4}-[0-9A-Z]{4})", out).group(1)
    assert "ต.บางพระ อ.เมืองตราด จ.ตราด" in out and "ได้รับไฟล์แล้ว (1 ไฟล์)" in out
    assert "HTTP 201" in out and f"เรื่อง {reference}" in out
    assert "คำถามจากเจ้าหน้าที่" in out and "ท่านจำเวลาที่นัดรับเงินได้หรือไม่" in out
    assert "ส่งถึงเจ้าหน้าที่แล้ว" in out.split("ประมาณ 10 โมงเช้า")[-1]

    # every event was answered; none waits or died (what an operator checks)
    counts = subprocess.run([str(sodsong), "line", "status", "--json"], env={**env, "SODSONG_DATA_DIR": str(
        tmp_path / "data")}, capture_output=True, text=True, timeout=60)
    report = json.loads(counts.stdout)
    sent_by_user = [line for line in SCRIPT.splitlines() if not line.startswith(("/office", "/quit"))]
    assert report["events"] == {"sent": len(sent_by_user) + 1}  # and the "follow" that opened the chat
    assert report["oldest_waiting_seconds"] is None
