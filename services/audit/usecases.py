"""Audit's use cases: chain each event, walk the chain, and write or check the signed checkpoints."""
from __future__ import annotations

from collections.abc import Iterator

from services.audit.domain import anchor, chain
from shared.clock import utcnow


def append(uow, event, keys: chain.ChainKeys):
    """Chain one event after the head (the repository locks the head for the transaction)."""
    return append_all(uow, [event], keys)[0]


def append_all(uow, events, keys: chain.ChainKeys) -> list[dict]:
    """Chain events after the head, in order, with one lock of the head for all of them."""
    seq, prev_hash = uow.repo.locked_head()
    entries = []
    for event in events:
        entry = chain.next_entry(seq, prev_hash, event.to_wire(), keys, utcnow().isoformat())
        entries.append(entry)
        seq, prev_hash = entry["seq"], entry["hash"]
    uow.repo.append_all(entries)
    return entries


def verify(repo, keys: chain.ChainKeys, checkpoints: dict | None = None, unkeyed_up_to: int = 0,
           batch: int = 5000) -> chain.Verdict:
    """Walk the chain up to the head as it was when the walk began.

    The head is read first: an entry and the head move in one transaction, so every entry up to that head is
    committed, and entries appended while the walk runs (the service keeps working) are left for the next walk.
    """
    head = repo.head()
    return chain.walk(_entries(repo, head[0] if head else 0, batch), head, keys, checkpoints, unkeyed_up_to)


def _entries(repo, up_to_seq: int, batch: int) -> Iterator[dict]:
    last_seq = 0
    while rows := repo.entries(last_seq, up_to_seq, batch):
        yield from rows
        last_seq = rows[-1]["seq"]


def write_checkpoint(config: dict, repo) -> dict | None:
    """Append a signed checkpoint of the current head; None when the chain is still empty."""
    head = repo.head()
    if head is None or head[0] == 0:
        return None
    return anchor.write(config, *head)


def verify_all(config: dict, repo) -> chain.Verdict:
    """The chain checked with its key and against every signed checkpoint.

    Returns the chain's Verdict; a checkpoint file that does not verify is itself a failure."""
    try:
        records = anchor.read(config)
    except anchor.CheckpointError as exc:
        return chain.Verdict(False, 0, None, str(exc))
    checkpoints = {r["seq"]: r["hash"] for r in records}
    unkeyed = int((config.get("audit") or {}).get("unkeyed_entries_up_to") or 0)
    return verify(repo, chain.chain_keys(config), checkpoints, unkeyed)
