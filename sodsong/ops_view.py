"""What an operator sees across services: queues, dead letters, outbox lag, heartbeats and deliveries.

An operator view across services, never tip content. Each service's own database is read through
`sodsong.registry.service_db_for(service, config)`, and only its operational tables: the outbox (counts and
the oldest row's age), the dead letters (metadata: service, id, queue, event type, correlation id, status,
attempts, age and the first line of the error — never the body), the heartbeats, notify's deliveries and
intake's tipster notices (state, reference, recipient kind, channel, attempts, the first line of the last error —
never an address, a recipient's id or a message). Error lines are scrubbed of anything shaped like an email
address, a phone number or a LINE id before they leave this module in `gather()`, as a last line of defence.

The broker is asked through `shared.broker_status` (management API, else passive declares). In embedded mode the
broker lives inside the `sodsong run` process: a caller in that process (casework's operator page) gets the
in-process queue depths of kombu's memory transport; any other process gets "embedded: n/a".

Used by `sodsong ops queues|outbox|dlq list` (sodsong/cli_ops.py) and by casework's operator page
(`GET /ops`, `GET /api/v1/ops`). It only reads: the page's two actions (redrive a dead letter, retry a delivery)
are events the owning service consumes and carries out in its own database (`ops.dead_letter_redrive_requested`,
`ops.delivery_retry_requested`); `redrivable()` and `retryable()` tell the page whether to ask at all.
"""
from __future__ import annotations

import re
import threading
import time
from collections import deque
from datetime import datetime

from kombu.transport import memory
from sqlalchemy import DateTime, column, func, inspect, select, table
from sqlalchemy.exc import SQLAlchemyError

from shared import broker_status, deadletters, heartbeats
from shared.clock import aware_utc, iso_utc, utcnow
from shared.config import SERVICES, is_memory_transport
from shared.outbox import pending_stats
from sodsong import registry

OUTBOX_LAG_SECONDS = 60.0      # an unpublished event older than this is flagged
HEARTBEAT_WITHIN_SECONDS = 30.0  # a service is alive if one of its instances beat within this
OPEN_LETTER_STATUSES = ("dead", "redrive_requested", "redriving")  # what an operator still has to look at
# the delivery ledgers the page shows, read by column name: (table, whether the service may not have set it up)
DELIVERY_LEDGERS = {"notify": ("notify_deliveries", False), "intake": ("intake_notices", True)}
DELIVERY_SOURCES = tuple(DELIVERY_LEDGERS)
DELIVERY_COLUMNS = ("id", "reference", "recipient_kind", "channel", "status", "attempts", "last_error")
DELIVERY_STATES = ("pending", "sending", "sent", "failed", "dead")
PROBLEM_STATES = ("failed", "dead")


# -- databases ---------------------------------------------------------------------------------------------------
def service_dbs(config: dict, service: str | None = None) -> list[tuple[str, object]]:
    """(name, ServiceDatabase) for one service or all of them, in the usual order."""
    return [(s, registry.service_db_for(s, config)) for s in ([service] if service else SERVICES)]



def _iso(value: datetime | None) -> str | None:
    return iso_utc(value, timespec="seconds")


def _unavailable(exc: Exception) -> str:
    return f"unavailable: {type(exc).__name__}"


# -- scrubbing ---------------------------------------------------------------------------------------------------
_SCRUB = [
    re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+\.[A-Za-z]{2,}"),  # email addresses
    re.compile(r"\bU[0-9a-f]{32}\b"),                                           # LINE user ids
    re.compile(r"\+?\d{9,}"),                                                   # phone numbers, receipts
    re.compile(r"\b0\d{1,2}[- ]\d{3}[- ]\d{3,4}\b"),                           # Thai phone numbers, spaced
]


def first_line(text: str | None, limit: int = 200) -> str:
    return text.splitlines()[0][:limit] if text else ""


def scrub(text: str | None) -> str:
    """An error line with anything that looks like an address or a phone number blanked."""
    out = text or ""
    for pattern in _SCRUB:
        out = pattern.sub("[…]", out)
    return out


# -- queues ------------------------------------------------------------------------------------------------------
def queue_rows(config: dict, earlier: list[dict] | None = None) -> list[dict]:
    """The broker's view of every Sodsong queue (real mode), flagged (see broker_status.flag)."""
    return broker_status.flag(broker_status.snapshot(config, registry.subscriptions()), earlier)


def memory_queue_rows() -> list[dict]:
    """Queue depths of the in-process memory broker (embedded mode, asked from inside `sodsong run`).

    kombu's memory transport keeps its queues in one process-wide dict; it does not track consumers or unacked
    messages, so those are None (and never flagged).
    """
    queues = memory.Channel.queues
    rows = []
    for name in broker_status.queue_names(registry.subscriptions()):
        q = queues.get(name)
        rows.append({"queue": name, "ready": q.qsize() if q is not None else None, "unacked": None,
                     "consumers": None, "publish_rate": None, "deliver_rate": None,
                     "source": "embedded" if q is not None else "missing"})
    return rows


class QueueHistory:
    """Recent queue depths seen by this process, so a page looked at every few seconds can tell which backlog
    is growing: each look is compared with the latest earlier look at least `min_age` seconds old."""

    def __init__(self, min_age: float = 5.0, max_age: float = 300.0, keep: int = 64):
        self.min_age, self.max_age = min_age, max_age
        self._looks: deque = deque(maxlen=keep)
        self._lock = threading.Lock()

    def compare_and_add(self, rows: list[dict], now: float | None = None) -> list[dict] | None:
        now = time.monotonic() if now is None else now
        with self._lock:
            while self._looks and now - self._looks[0][0] > self.max_age:
                self._looks.popleft()
            earlier = next((look for at, look in reversed(self._looks) if now - at >= self.min_age), None)
            self._looks.append((now, [{"queue": r["queue"], "ready": r["ready"]} for r in rows]))
        return earlier


HISTORY = QueueHistory()  # the looks of this process (casework's operator page)


def queues_view(config: dict, *, in_process: bool = False, history: QueueHistory | None = None) -> dict:
    if is_memory_transport(config):
        if not in_process:
            return {"available": False, "source": "embedded", "note": "embedded: n/a", "rows": []}
        rows = memory_queue_rows()
        note = "embedded: in-process counts (consumers and unacked are not tracked)"
    else:
        try:
            rows = broker_status.snapshot(config, registry.subscriptions())
        except Exception as exc:  # broker down or restarting: say so, show the rest
            return {"available": False, "source": "unavailable", "note": _unavailable(exc), "rows": []}
        note = ""
    earlier = history.compare_and_add(rows) if history is not None else None
    rows = broker_status.flag(rows, earlier)
    kinds = sorted({r["source"] for r in rows} - {"missing"})
    return {"available": True, "source": kinds[0] if len(kinds) == 1 else "none", "note": note, "rows": rows}


# -- outbox, dead letters, heartbeats ----------------------------------------------------------------------------
def outbox_rows(config: dict) -> list[dict]:
    """Per service: unpublished events and the oldest one's age (`sodsong ops outbox`)."""
    rows = []
    for name, db in service_dbs(config):
        try:
            rows.append({"service": name, **pending_stats(db), "note": ""})
        except SQLAlchemyError as exc:  # e.g. a service whose tables were never created here
            rows.append({"service": name, "unpublished": None, "oldest_age_seconds": None,
                         "note": f"unavailable: {type(exc).__name__}"})
    return rows


def _letter_row(name: str, letter: dict, now: datetime) -> dict:
    """A dead letter's metadata; the body is left behind."""
    return {
        "service": name, "id": letter["id"], "queue": letter["queue"], "event_type": letter["event_type"],
        "correlation_id": letter["correlation_id"], "status": letter["status"],
        "attempts": letter["attempts"], "times_dead": letter["times_dead"],
        "age_seconds": int((now - aware_utc(letter["last_dead_at"])).total_seconds()),
        "error": first_line(letter["error"]),
    }


def dead_letter_rows(config: dict, service: str | None = None, status: str | None = "dead") -> list[dict]:
    """Dead letters per service (`sodsong ops dlq list`); status None means every status."""
    now = utcnow()
    return [_letter_row(name, letter, now)
            for name, db in service_dbs(config, service)
            for letter in deadletters.list_letters(db, status)]


def _service_view(name: str, db, now: datetime, within: float, lag_seconds: float, letter_limit: int):
    """One service's heartbeats, outbox and open dead letters, and what about them needs an operator."""
    view = {"service": name, "alive": None, "instances": [], "unpublished": None, "oldest_age_seconds": None,
            "dead_letters": {s: None for s in OPEN_LETTER_STATUSES}, "flags": [], "note": ""}
    letters: list[dict] = []
    try:
        view["instances"] = heartbeats.instances(db, within)
        view["alive"] = sum(1 for i in view["instances"] if i["alive"])
        stats = pending_stats(db)
        view["unpublished"] = stats["unpublished"]
        view["oldest_age_seconds"] = (round(stats["oldest_age_seconds"], 1)
                                      if stats["oldest_age_seconds"] is not None else None)
        for status in OPEN_LETTER_STATUSES:
            found = deadletters.list_letters(db, status)
            view["dead_letters"][status] = len(found)
            letters += [_letter_row(name, letter, now) for letter in found]
    except Exception as exc:  # its database is down or not set up here: show the others
        view["note"] = _unavailable(exc)
        view["flags"].append("unavailable")
        return view, []
    if not view["alive"]:
        view["flags"].append("no-heartbeat")
    if view["dead_letters"]["dead"]:
        view["flags"].append("dead-letters")
    if (view["oldest_age_seconds"] or 0) > lag_seconds:
        view["flags"].append("outbox-lag")
    letters.sort(key=lambda r: r["id"], reverse=True)
    for row in letters:
        row["error"] = scrub(row["error"])
    return view, letters[:letter_limit]


# -- deliveries --------------------------------------------------------------------------------------------------
def _delivery_table(config: dict, source: str):
    """(ServiceDatabase, table) of a source's delivery ledger; (None, None) when the service has none here."""
    name, optional = DELIVERY_LEDGERS[source]
    db = registry.service_db_for(source, config)
    if optional and not inspect(db.engine).has_table(name):
        return None, None
    return db, table(name, *(column(c) for c in DELIVERY_COLUMNS), column("updated_at", DateTime(timezone=True)))


def _delivery_source(config: dict, source: str, limit: int) -> tuple[dict, list[dict]]:
    summary = {"source": source, "by_state": {s: None for s in DELIVERY_STATES}, "note": ""}
    try:
        db, ledger = _delivery_table(config, source)
        if db is None:
            summary["note"] = "not set up"
            return summary, []
        c = ledger.c
        with db.reading() as session:
            counts = dict(session.execute(select(c.status, func.count()).select_from(ledger)
                                          .group_by(c.status)).all())
            # named columns only: never the address, the recipient's id or the message's context
            found = session.execute(
                select(*(c[name] for name in DELIVERY_COLUMNS), c.updated_at)
                .where(c.status.in_(PROBLEM_STATES)).order_by(c.updated_at.desc()).limit(limit)).all()
    except Exception as exc:
        summary["note"] = _unavailable(exc)
        return summary, []
    summary["by_state"] = {s: int(counts.get(s, 0)) for s in DELIVERY_STATES}
    problems = [{"source": source, "id": r.id, "reference": r.reference, "recipient_kind": r.recipient_kind,
                 "channel": r.channel, "status": r.status, "attempts": r.attempts,
                 "last_error": scrub(first_line(r.last_error, 160)), "updated_at": _iso(r.updated_at)}
                for r in found]
    return summary, problems


def deliveries_view(config: dict, limit: int = 200) -> dict:
    sources, problems = [], []
    for source in DELIVERY_SOURCES:
        summary, rows = _delivery_source(config, source, limit)
        sources.append(summary)
        problems += rows
    totals = {s: sum(src["by_state"][s] or 0 for src in sources) for s in DELIVERY_STATES}
    problems.sort(key=lambda r: r["updated_at"] or "", reverse=True)
    return {"by_source": sources, "by_state": totals, "problems": problems[:limit]}


# -- everything at once ------------------------------------------------------------------------------------------
def gather(config: dict, *, in_process: bool = False, history: QueueHistory | None = None,
           within: float = HEARTBEAT_WITHIN_SECONDS, lag_seconds: float = OUTBOX_LAG_SECONDS,
           letter_limit: int = 200, delivery_limit: int = 200) -> dict:
    """The operator page's data, JSON-ready. `in_process`: the caller runs inside `sodsong run` (embedded mode's
    broker is then in this process); `history`: earlier looks, to flag growing queues."""
    now = utcnow()
    queues = queues_view(config, in_process=in_process, history=history)
    services, letters = [], []
    for name, db in service_dbs(config):
        view, open_letters = _service_view(name, db, now, within, lag_seconds, letter_limit)
        services.append(view)
        letters += open_letters
    deliveries = deliveries_view(config, delivery_limit)

    flags = [{"flag": f, "subject": row["queue"]} for row in queues["rows"] for f in row["flags"]]
    if not queues["available"] and queues["source"] == "unavailable":
        flags.append({"flag": "broker-unavailable", "subject": "broker"})
    flags += [{"flag": f, "subject": view["service"]} for view in services for f in view["flags"]]
    for src in deliveries["by_source"]:
        for state in PROBLEM_STATES:
            if src["by_state"][state]:
                flags.append({"flag": f"{state}-deliveries", "subject": src["source"]})
        if src["note"].startswith("unavailable"):
            flags.append({"flag": "unavailable", "subject": f"{src['source']} deliveries"})
    return {
        "generated_at": _iso(now),
        "mode": "embedded" if is_memory_transport(config) else "real",
        "thresholds": {"outbox_lag_seconds": lag_seconds, "heartbeat_within_seconds": within},
        "flags": flags,
        "queues": queues,
        "services": services,
        "dead_letters": letters,
        "deliveries": deliveries,
    }


# -- whether the page's two actions apply --------------------------------------------------------------------
def redrivable(config: dict, service: str, letter_id: int) -> bool:
    """Is this a dead letter of `service` (so that asking the service to redrive it makes sense)?"""
    if service not in SERVICES:
        return False
    (_, db), = service_dbs(config, service)
    letters = db.tables.dead_letters
    with db.reading() as session:
        return session.execute(select(letters.c.id).where(
            letters.c.id == int(letter_id), letters.c.status == "dead")).first() is not None


def retryable(config: dict, source: str, delivery_id: str) -> bool:
    """Is this a failed or dead delivery (notify) or tipster notice (intake)?"""
    if source not in DELIVERY_LEDGERS:
        return False
    db, ledger = _delivery_table(config, source)
    if db is None:
        return False
    with db.reading() as session:
        return session.execute(select(ledger.c.id).where(
            ledger.c.id == str(delivery_id), ledger.c.status.in_(PROBLEM_STATES))).first() is not None
