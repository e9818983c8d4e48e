"""Every service process answers /livez and /readyz on `health.http`; readiness is false while its broker or its
database cannot be reached, and comes back with them."""
from contextlib import ExitStack

import requests

from shared import config as config_mod
from shared.health import Health
from tests.support.deployment import Deployment
from tests.support.environments import free_port, pg_database, rabbit_vhost
from tests.support.processes import SodsongProcess


def test_each_real_service_process_is_live_and_ready(tmp_path):
    with ExitStack() as stack:
        dep = Deployment("real", tmp_path, stack)
        dep.cli("db", "upgrade")
        ports = {}
        for service in config_mod.SERVICES:
            ports[service] = free_port()
            env = dict(dep.env, SODSONG__health__http=f"127.0.0.1:{ports[service]}")
            proc = SodsongProcess(env, (service,), name=service).start()
            dep.processes[service] = proc
        for service, port in ports.items():
            dep.processes[service].wait_ready(f"http://127.0.0.1:{port}/readyz")
            live = requests.get(f"http://127.0.0.1:{port}/livez", timeout=5)
            assert live.status_code == 200 and live.json()["services"] == [service]
            ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()
            assert ready["checks"] == {"broker": True, f"database:{service}": True}
            assert requests.post(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 405
        # the probe server keeps no access log with client addresses
        assert "127.0.0.1 -" not in dep.processes["routing"].log_path.read_text()


def _closed_port() -> int:
    return free_port()  # bound and released: nothing listens there


def test_readiness_follows_the_broker_and_the_database(tmp_path):
    with rabbit_vhost() as (amqp_uri, _vhost), pg_database() as db_url:
        env = {"SODSONG_AMQP_URI": amqp_uri, "SODSONG_DB_URL": db_url, "SODSONG_DATA_DIR": str(tmp_path),
               "SODSONG__health__cache_seconds": "0"}
        good = Health(config_mod.load(env=env), ["routing", "audit"])
        assert good.readiness() == {"ready": True, "checks": {"broker": True, "database:routing": True,
                                                              "database:audit": True}}

        no_broker = Health(config_mod.load(env=dict(env, SODSONG_AMQP_URI=f"amqp://guest:guest@127.0.0.1:"
                                                                         f"{_closed_port()}/x")), ["routing"])
        result = no_broker.readiness()
        assert result["ready"] is False and result["checks"]["broker"] is False
        assert result["checks"]["database:routing"] is True

        no_db = Health(config_mod.load(env=dict(env, SODSONG_DB_URL_ROUTING=f"postgresql://postgres@127.0.0.1:"
                                                                            f"{_closed_port()}/x")), ["routing"])
        result = no_db.readiness()
        assert result["ready"] is False and result["checks"] == {"broker": True, "database:routing": False}

        crashed = Health(config_mod.load(env=env), ["routing"], alive=lambda: False)
        assert crashed.readiness()["ready"] is False


def test_embedded_process_answers_probes(tmp_path):
    with ExitStack() as stack:
        port = free_port()
        dep = Deployment("embedded", tmp_path, stack, extra_env={"SODSONG__health__http": f"127.0.0.1:{port}"})
        dep.start()
        dep.processes["all"].wait_ready(f"http://127.0.0.1:{port}/readyz", timeout=20)
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert set(ready.json()["checks"]) == {"broker"} | {f"database:{s}" for s in config_mod.SERVICES}
        assert requests.get(f"http://127.0.0.1:{port}/nothing", timeout=5).status_code == 404
