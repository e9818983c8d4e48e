"""schemathesis, driven by intake's own OpenAPI document, finds no 5xx (and no response that breaks HTTP).

It runs as a subprocess (the test process is eventlet-patched) against an embedded `sodsong run`, with a fixed
seed and a bounded number of examples per operation; the number of test cases it ran is printed.
"""
from __future__ import annotations

import re
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from tests.support.deployment import Deployment

MAX_EXAMPLES = 40
SEED = 20261122


def test_schemathesis_finds_no_server_errors(tmp_path):
    with ExitStack() as stack:
        dep = Deployment("embedded", tmp_path / "server", stack,
                         extra_env={"SODSONG__intake__receipt_guard": "{client_failures: 1000000, global_failures: 1000000}"})
        dep.start()
        schemathesis = Path(sys.executable).with_name("schemathesis")
        result = subprocess.run(
            [str(schemathesis), "run", f"{dep.intake.base}/api/v1/openapi.json",
             "--checks", "not_a_server_error", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
             "--no-shrink", "--request-timeout", "20", "--max-time", "75", "--warnings", "off"],
            capture_output=True, text=True, timeout=200, cwd=tmp_path)
        log = dep.processes["all"].log_tail(400)
    summary = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    print(f"schemathesis: {summary.group(0) if summary else 'no summary'} (max {MAX_EXAMPLES} per operation, "
          f"seed {SEED})")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert summary and int(summary.group(1)) >= 100 and summary.group(1) == summary.group(2), result.stdout[-2000:]
    assert "http.unhandled_error" not in log
