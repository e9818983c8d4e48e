"""A whole Sodsong deployment for end-to-end tests, embedded (one process) or real (a process per service)."""
from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

from shared.config import SERVICES
from tests.support.environments import base_env, free_port, pg_database, rabbit_vhost, seed_sqlite
from tests.support.processes import SodsongProcess, cli, wait_for
from tests.support.tips import IntakeClient


class Deployment:
    def __init__(self, mode: str, data_dir: Path, stack: ExitStack, extra_env=None, migrated: bool = True,
                 groups=None):
        """`migrated`: every service's tables are in place before the first start (copies of migrated databases,
        tests/support/environments.py), so the services' own migrate finds nothing to do; without it the first
        `sodsong run` migrates empty databases. `groups` (real mode): the services each process runs, e.g.
        `[("intake",), ("routing", "casework"), ("notify", "audit")]`; default one process per service."""
        self.mode = mode
        self.groups = [tuple(g) for g in groups] if groups else [(s,) for s in SERVICES]
        self.intake_port, self.casework_port = free_port(), free_port()
        amqp_uri = db_url = None
        if mode == "real":
            amqp_uri, self.vhost = stack.enter_context(rabbit_vhost())
            db_url = stack.enter_context(pg_database(migrated=migrated))
        elif migrated:
            seed_sqlite(data_dir)
        self.env = base_env(data_dir, self.intake_port, self.casework_port, amqp_uri, db_url, extra_env)
        self.data_dir = Path(data_dir)
        self.intake = IntakeClient(f"http://127.0.0.1:{self.intake_port}")
        self.processes: dict[str, SodsongProcess] = {}
        stack.callback(self.stop_all)

    # -- processes ------------------------------------------------------------------------------------------
    def start(self, *services: str) -> None:
        """Embedded: one process for everything. Real: a process per group (`groups`), or per service named."""
        if self.mode == "embedded":
            proc = SodsongProcess(self.env, (), name="all").start()
            self.processes["all"] = proc
            proc.wait_ready(f"http://127.0.0.1:{self.intake_port}/health")
            return
        groups = [(s,) for s in services] if services else self.groups
        for group in groups:
            name = "+".join(group)
            self.processes[name] = SodsongProcess(self.env, group, name=name).start()
        for group in groups:
            url = f"http://127.0.0.1:{self.intake_port}/health" if "intake" in group else None
            self.processes["+".join(group)].wait_ready(url)

    def kill9(self, name: str) -> None:
        self.processes[name].kill9()

    def stop(self, name: str) -> None:
        self.processes[name].stop()

    def stop_all(self) -> None:
        """SIGTERM to every process first, then wait for each: they shut down side by side, not one after another."""
        for proc in self.processes.values():
            proc.terminate()
        for proc in self.processes.values():
            proc.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{p.log_tail()}" for n, p in self.processes.items())

    # -- what a user or operator sees ------------------------------------------------------------------------
    def cli(self, *args, check=True):
        return cli(self.env, *args, check=check)

    def cli_json(self, *args):
        return json.loads(self.cli(*args, "--json").stdout)

    def office_cases(self, office: str) -> list[dict]:
        return self.cli_json("ops", "cases", "--office", office)

    def notifications(self) -> list[dict]:
        return self.cli_json("ops", "notifications")

    def audit_trail(self, reference: str) -> list[dict]:
        return self.cli_json("audit", "trail", reference)

    def wait_status(self, receipt: str, predicate, timeout: float = 5.0):
        def check():
            r = self.intake.status(receipt)
            return r.json() if r.status_code == 200 and predicate(r.json()) else None

        return wait_for(check, timeout, message=f"tip status on {self.mode}")
