"""Running `sodsong` as a user would: real subprocesses, killed with SIGTERM or SIGKILL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

SODSONG = str(Path(sys.executable).with_name("sodsong"))


class SodsongProcess:
    def __init__(self, env: dict, services=(), log_dir: Path | None = None, name: str = "all"):
        self.env = env
        self.services = tuple(services)
        self.name = name
        self.log_path = (log_dir or Path(env["SODSONG_DATA_DIR"])) / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.terminated = False  # SIGTERM sent to the running process

    def start(self) -> SodsongProcess:
        args = [SODSONG, "run"]
        for service in self.services:
            args += ["--service", service]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        from tools.chaos import _die_with_parent

        self.proc = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True, preexec_fn=_die_with_parent)
        self.terminated = False
        log.close()
        return self

    def wait_ready(self, url: str | None = None, timeout: float = 60.0) -> SodsongProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sodsong {self.name} exited early:\n{self.log_tail()}")
            if url is None:
                if b"sodsong.started" in self.log_path.read_bytes():
                    return self
            else:
                try:
                    if requests.get(url, timeout=1).status_code == 200:
                        return self
                except requests.RequestException:
                    pass
            time.sleep(0.1)
        raise TimeoutError(f"sodsong {self.name} not ready in {timeout}s:\n{self.log_tail()}")

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self):
        """SIGTERM without waiting (`stop` waits)."""
        if self.proc and self.proc.poll() is None and not self.terminated:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.terminated = True

    def stop(self, timeout: float = 20.0):
        if self.proc and self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return "(no log)"


def cli(env: dict, *args, check: bool = True, input_text: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([SODSONG, *args], env=env, capture_output=True, text=True, timeout=120,
                            input=input_text)
    if check and result.returncode != 0:
        raise AssertionError(f"sodsong {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def wait_for(predicate, timeout: float, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{message} not met within {timeout}s (last: {last!r})")
