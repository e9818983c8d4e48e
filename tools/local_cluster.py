"""A three-node RabbitMQ cluster and a PostgreSQL primary with a streaming replica, all on this machine, for the
cluster chaos run (tools/cluster_chaos.py). They use their own ports, node names, cookie and data directories, and
never touch the machine's own RabbitMQ or PostgreSQL.

Needs Debian's rabbitmq-server and PostgreSQL server packages (rabbitmq-server, rabbitmqctl, initdb, pg_ctl,
pg_basebackup); PostgreSQL runs as the `postgres` system user when this process is root.
"""
from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import psycopg2


class LocalRabbitCluster:
    def __init__(self, workdir: Path, amqp_ports=(5681, 5682, 5683), dist_ports=(25781, 25782, 25783),
                 name: str = "sodsong"):
        self.workdir = Path(workdir)
        self.amqp_ports = tuple(amqp_ports)
        self.dist_ports = tuple(dist_ports)
        self.nodes = [f"rabbit-{name}-{i}@localhost" for i in range(1, len(self.amqp_ports) + 1)]
        self.home = self.workdir / "home"
        self.running: set[int] = set()

    # -- environment of one node --------------------------------------------------------------------------------
    def _env(self, i: int) -> dict:
        base = self.workdir / f"node{i + 1}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")}
        env.update({
            "HOME": str(self.home),  # the shared .erlang.cookie
            "RABBITMQ_NODENAME": self.nodes[i],
            "RABBITMQ_NODE_PORT": str(self.amqp_ports[i]),
            "RABBITMQ_DIST_PORT": str(self.dist_ports[i]),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(base / "rabbit.pid"),
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
        })
        return env

    def ctl(self, i: int, *args, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["rabbitmqctl", "-n", self.nodes[i], *args], env=self._env(i), capture_output=True,
                              text=True, timeout=timeout, check=check)

    def _prepare(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        cookie = self.home / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text(secrets.token_hex(16).upper())
            os.chmod(cookie, 0o400)
        for i in range(len(self.nodes)):
            base = self.workdir / f"node{i + 1}"
            for sub in ("mnesia", "log"):
                (base / sub).mkdir(parents=True, exist_ok=True)
            (base / "rabbitmq.conf").write_text(
                f"listeners.tcp.default = {self.amqp_ports[i]}\n"
                "cluster_partition_handling = pause_minority\n"
                "loopback_users.guest = true\n"
                "log.console = false\n"
                "log.file.level = warning\n"
                "disk_free_limit.absolute = 50MB\n")
            (base / "advanced.config").write_text("[].\n")
            (base / "enabled_plugins").write_text("[].\n")
            (base / "rabbitmq-env.conf").write_text("")
        if os.geteuid() == 0:  # Debian's rabbitmq-server and rabbitmqctl drop to the rabbitmq user
            subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", str(self.workdir)], check=True)

    def _start_node(self, i: int) -> None:
        # -detached leaves a daemon holding whatever it inherited: give it a file, never a pipe to wait on
        with open(self.workdir / f"node{i + 1}-start.log", "ab") as out:
            starter = subprocess.Popen(["rabbitmq-server", "-detached"], env=self._env(i), stdin=subprocess.DEVNULL,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        starter.wait(60)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.ctl(i, "await_startup", "--timeout", "5", check=False, timeout=30).returncode == 0:
                return
            time.sleep(1)
        raise TimeoutError(f"{self.nodes[i]} did not start")

    def start(self) -> None:
        self._prepare()
        self._start_node(0)
        self.running.add(0)
        for i in range(1, len(self.nodes)):
            self._start_node(i)
            self.ctl(i, "stop_app")
            self.ctl(i, "join_cluster", self.nodes[0])
            self.ctl(i, "start_app")
            self.ctl(i, "await_startup")
            self.running.add(i)
        status = self.ctl(0, "cluster_status", "--formatter", "json").stdout
        for node in self.nodes:
            assert node in status, f"{node} not in the cluster: {status}"

    def stop_node(self, i: int) -> None:
        """Stop the whole node (its Erlang VM), as a host or pod going away would."""
        self.ctl(i, "stop", timeout=120, check=False)
        self.running.discard(i)

    def start_node(self, i: int) -> None:
        self._start_node(i)
        self.running.add(i)

    def amqp_uri(self, vhost: str, user: str = "guest", password: str = "guest") -> str:
        """One URI per node, separated by ';': kombu fails over to the next when one is unreachable."""
        return ";".join(f"amqp://{user}:{password}@localhost:{port}/{vhost}" for port in self.amqp_ports)

    def any_running(self) -> int:
        return min(self.running)

    def stop_all(self) -> None:
        for i in range(len(self.nodes)):
            subprocess.run(["rabbitmqctl", "-n", self.nodes[i], "stop"], env=self._env(i), capture_output=True,
                           timeout=120)
            self.running.discard(i)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if not path:
        raise FileNotFoundError(f"{name}: install Debian's postgresql package")
    return path


class LocalPostgresPair:
    """A primary and a streaming (hot standby) replica made by pg_basebackup."""

    def __init__(self, workdir: Path, ports=(5441, 5442)):
        self.workdir = Path(workdir)
        self.ports = tuple(ports)
        self.dirs = (self.workdir / "primary", self.workdir / "replica")
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args, check=True, timeout=300) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=check)

    def _ctl(self, which: int, action: str) -> None:
        d = self.dirs[which]
        args = [_pg_bin("pg_ctl"), "-D", str(d), "-l", str(d.parent / f"{d.name}.log"), "-w", "-t", "120", action]
        if action in ("start", "restart"):
            args += ["-o", f"-p {self.ports[which]} -k {self.workdir} -c listen_addresses=127.0.0.1"]
        if action in ("stop", "restart"):
            args += ["-m", "fast"]
        self._run(*args)

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(self.workdir, "postgres", "postgres")
        primary, replica = self.dirs
        self._run(_pg_bin("initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        with open(primary / "postgresql.conf", "a", encoding="utf-8") as fh:
            fh.write("wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\nfsync = on\n"
                     "max_connections = 200\nshared_buffers = 64MB\n")
        with open(primary / "pg_hba.conf", "a", encoding="utf-8") as fh:
            fh.write("host replication postgres 127.0.0.1/32 trust\n")
        self._ctl(0, "start")
        self._run(_pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.ports[0]), "-U", "postgres",
                  "-D", str(replica), "-R", "-X", "stream", "-c", "fast")
        self._ctl(1, "start")

    def url(self, which: int = 0, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports[which]}/{database}"

    def create_database(self, name: str) -> str:
        admin = psycopg2.connect(self.url(0))
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return self.url(0, name)

    def replica_caught_up(self, timeout: float = 60.0) -> bool:
        """True once the replica has replayed everything the primary has written so far."""
        conn = psycopg2.connect(self.url(0))
        conn.autocommit = True
        target = conn.cursor()
        target.execute("SELECT pg_current_wal_lsn()")
        lsn = target.fetchone()[0]
        conn.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rep = psycopg2.connect(self.url(1))
            rep.autocommit = True
            cur = rep.cursor()
            cur.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,))
            recovering, done = cur.fetchone()
            rep.close()
            if recovering and done:
                return True
            time.sleep(0.5)
        return False

    def stop(self) -> None:
        for which in (1, 0):
            if (self.dirs[which] / "postmaster.pid").exists():
                self._ctl(which, "stop")
