"""Signed checkpoints: written outside the database, each line verified, and a forged or altered line refused."""
import json

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.audit import usecases
from services.audit.domain import anchor, chain
from services.audit.models import Base
from services.audit.repository import AuditRepository
from tests.unit.shared.test_events import _status_changed


class _Uow:
    def __init__(self, session):
        self.repo = AuditRepository(session)


def _config(tmp_path):
    return {"data_dir": str(tmp_path / "data"), "keys_dir": None, "keys": {}, "audit": {}}


def _session(config, n=4):
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    s = Session(engine)
    keys = chain.chain_keys(config)
    for _ in range(n):
        usecases.append(_Uow(s), _status_changed(), keys)
        s.flush()
    s.commit()
    return s


def test_checkpoint_is_signed_and_kept_apart_from_data_and_keys(tmp_path):
    config = _config(tmp_path)
    s = _session(config)
    record = usecases.write_checkpoint(config, AuditRepository(s))
    path = anchor.checkpoint_file(config)
    assert record["seq"] == 4 and path.exists()
    assert path.parent != tmp_path / "data" and path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "data-keys").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "data-keys" / anchor.SIGNING_KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert anchor.read(config)[0]["hash"] == record["hash"]
    assert usecases.verify_all(config, AuditRepository(s)).ok


def test_an_altered_checkpoint_line_fails_verification(tmp_path):
    config = _config(tmp_path)
    s = _session(config)
    usecases.write_checkpoint(config, AuditRepository(s))
    path = anchor.checkpoint_file(config)
    record = json.loads(path.read_text())
    record["seq"] = 2  # an insider trying to move the anchor back before their rewrite
    path.write_text(json.dumps(record) + "\n")
    verdict = usecases.verify_all(config, AuditRepository(s))
    assert not verdict.ok and "does not verify" in verdict.problem


def test_a_checkpoint_signed_with_another_key_is_refused(tmp_path):
    config = _config(tmp_path)
    s = _session(config)
    other = dict(config, keys_dir=str(tmp_path / "other-keys"))
    usecases.write_checkpoint(other, AuditRepository(s))  # signed with a key the deployment does not have
    path = anchor.checkpoint_file(config)
    assert path == anchor.checkpoint_file(other)
    verdict = usecases.verify_all(config, AuditRepository(s))
    assert not verdict.ok and "does not verify" in verdict.problem
