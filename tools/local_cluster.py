"""A three-node RabbitMQ cluster and a PostgreSQL primary with a streaming replica, all on this machine, for the
cluster chaos run (tools/cluster_chaos.py). They use their own ports, node names and data directories, and never
touch the machine's own RabbitMQ or PostgreSQL. (Run as root, Debian's rabbitmq-server and rabbitmqctl wrappers
switch to the rabbitmq user with `su`, which resets HOME: the nodes and the CLI then share that user's Erlang
cookie rather than the one written under the run's directory; as any other user they use the run's own.)

Needs Debian's rabbitmq-server and PostgreSQL server packages (rabbitmq-server, rabbitmqctl, initdb, pg_ctl,
pg_basebackup); PostgreSQL runs as the `postgres` system user when this process is root.
"""
from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
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
            "HOME": str(self.home),  # the run's .erlang.cookie (but see the module's docstring)
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
        starter.wait(120)
        # a node that left a cluster waits for the peers it last saw (Mnesia tables) before it finishes booting
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.ctl(i, "await_startup", "--timeout", "5", check=False, timeout=30).returncode == 0:
                return
            time.sleep(1)
        raise TimeoutError(f"{self.nodes[i]} did not start")

    def start(self) -> None:
        self._prepare()
        # boot every VM at once (each takes tens of seconds on a small machine), then join the others to node 1
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            for boot in [pool.submit(self._start_node, i) for i in range(len(self.nodes))]:
                boot.result()
        self.running.add(0)
        for i in range(1, len(self.nodes)):
            self.ctl(i, "stop_app")
            self.ctl(i, "join_cluster", self.nodes[0])
            self.ctl(i, "start_app")
            self.ctl(i, "await_startup")
            self.running.add(i)
        status = self.ctl(0, "cluster_status", "--formatter", "json").stdout
        for node in self.nodes:
            assert node in status, f"{node} not in the cluster: {status}"

    def stop_node(self, i: int) -> None:
        """Stop the whole node (its Erlang VM), as a host or pod going away would, and return once the VM has
        exited (given the pid file, `rabbitmqctl stop` waits for the process, not only for the RPC)."""
        self.ctl(i, "stop", str(self.workdir / f"node{i + 1}" / "rabbit.pid"), timeout=180, check=False)
        self.running.discard(i)

    def start_node(self, i: int) -> None:
        self._start_node(i)
        self.running.add(i)

    # -- the cluster's state, for waiting until a step has really happened ------------------------------------
    def _eval(self, i: int, expression: str) -> str | None:
        """What node i answers to an Erlang expression, or None when its VM does not answer."""
        try:
            out = self.ctl(i, "eval", expression, check=False, timeout=30)
        except subprocess.TimeoutExpired:
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    def rabbit_running(self, i: int) -> bool:
        """True when node i's VM answers and its rabbit application runs (False while stopped or paused)."""
        return (self._eval(i, "rabbit:is_running().") or "").endswith("true")

    def vm_answers(self, i: int) -> bool:
        return self._eval(i, "ok.") is not None

    def wait_paused(self, i: int, timeout: float = 120) -> None:
        """Wait until node i, left without a majority, has paused itself (pause_minority: its VM runs, its rabbit
        application and Mnesia are stopped). Starting another node before the pause is complete is the race that
        ends in a partition: the starting node's Mnesia sees this one's Mnesia stop, this one saw the other go
        down, and when both run again each has recorded the other as down (Mnesia's inconsistent_database)."""
        self._until(lambda: self.vm_answers(i) and not self.rabbit_running(i), timeout,
                    f"{self.nodes[i]} did not pause")
        self._until(lambda: self._mnesia_stopped(i), timeout, f"{self.nodes[i]}'s Mnesia did not stop")

    def _mnesia_stopped(self, i: int) -> bool:
        return (self._eval(i, "mnesia:system_info(is_running).") or "").endswith("no")

    def wait_whole(self, nodes: list[int], vhost: str, timeout: float = 300) -> None:
        """Wait until the given nodes run rabbit, see each other, and every quorum queue of the vhost has a
        leader and a member online on each of them."""
        for i in nodes:
            self._until(lambda i=i: self.rabbit_running(i), timeout, f"{self.nodes[i]} is not running")
        first = nodes[0]
        self.ctl(first, "await_online_nodes", str(len(nodes)), "--timeout", str(int(timeout)), timeout=timeout + 30)
        wanted = {self.nodes[i] for i in nodes}
        self._until(lambda: self._quorum_queues_online(first, vhost, wanted), timeout,
                    f"quorum queues of {vhost} not online on {sorted(wanted)}")

    def _quorum_queues_online(self, i: int, vhost: str, wanted: set[str]) -> bool:
        try:
            out = self.ctl(i, "list_queues", "-p", vhost, "name", "type", "leader", "online", "--formatter", "json",
                           check=False, timeout=60)
        except subprocess.TimeoutExpired:
            return False
        if out.returncode != 0:
            return False
        try:
            queues = json.loads(out.stdout)
        except ValueError:
            return False
        for q in queues:
            if q.get("type") != "quorum":
                continue
            online = set(q.get("online") or [])
            if q.get("leader") not in wanted or not wanted <= online:
                return False
        return bool(queues)

    @staticmethod
    def _until(check, timeout: float, message: str) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise TimeoutError(message)
            time.sleep(1)

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
