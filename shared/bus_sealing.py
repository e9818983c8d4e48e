"""Content sealed on the wire: the free-text fields of an event travel through the broker sealed under the "bus"
keyring, so neither the broker's data directory nor anyone reading a queue sees what a tipster or an office wrote.

Which fields are content is declared once, by the producer, in the catalogue (`EventType.content`, dotted paths
into the payload). The outbox relay seals them just before publishing (the outbox row itself is sealed at rest
under the service's own keyring); the consuming entrypoint (shared.reliable) opens them before the payload is
checked against the catalogue and handed to the handler. Everything else in the envelope stays clear: ids,
references, types, categories, provinces, offices, states and dates, so routing by metadata, notification and the
audit chain keep working.

Each sealed value is `s1:<key id>:...` (AES-256-GCM, shared.sealing), bound to the event's type, id and field, so
a sealed value copied into another event or field does not open. The bus keyring is `keys.bus` or
`<keys_dir>/bus-keys.yaml` like every other keyring, rotated by `sodsong keys rotate --new-key` (old keys stay to
open events still in flight). Only the services that need content hold it (BUS_KEY_HOLDERS); a consumer without
it (notify, audit) receives the sealed strings as they are and never needs them.
"""
from __future__ import annotations

from shared import sealing
from shared.events import CATALOGUE
from shared.logging import get_logger

log = get_logger(__name__)

KEYRING = "bus"
# the services that read content from events; notify and audit work with metadata only
BUS_KEY_HOLDERS = ("intake", "routing", "casework")


def install(config: dict, service: str | None = None):
    """Install the bus keyring in this process when `service` is one that needs content (or for operator tools)."""
    if service is not None and service not in BUS_KEY_HOLDERS:
        return None
    return sealing.install(config, KEYRING)


def _purpose(body: dict, path: str) -> str:
    return f"{body.get('type')}|{body.get('id')}|{path}"


def _walk(payload, path: str):
    """(container, key) of a dotted path when the value is there and is a string, else None."""
    parts = path.split(".")
    node = payload
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return None
    if isinstance(node.get(parts[-1]), str):
        return node, parts[-1]
    return None


def _copy_along(body: dict, paths) -> dict:
    """A copy of the envelope in which the dicts on the way to each content field are new (so a field can be
    replaced without touching `body`) and everything else is shared: a deep copy of every event cost more than
    sealing it."""
    copied = dict(body)
    copied["payload"] = dict(body["payload"])
    for path in paths:
        node = copied["payload"]
        for part in path.split(".")[:-1]:
            child = node.get(part) if isinstance(node, dict) else None
            if not isinstance(child, dict):
                break
            node[part] = child = dict(child)
            node = child
    return copied


def content_paths(event_type) -> tuple[str, ...]:
    spec = CATALOGUE.get(event_type) if isinstance(event_type, str) else None
    return spec.content if spec is not None else ()


def seal_body(body: dict) -> dict:
    """A copy of a wire envelope with its content fields sealed (values already sealed are left as they are)."""
    paths = content_paths(body.get("type")) if isinstance(body, dict) else ()
    if not paths or not isinstance(body.get("payload"), dict):
        return body
    found = sealing.sealer(KEYRING)  # a producer of content must hold the bus keyring: refuse to send clear
    sealed = _copy_along(body, paths)
    for path in paths:
        spot = _walk(sealed["payload"], path)
        if spot is not None and not sealing.is_sealed(spot[0][spot[1]]):
            node, key = spot
            node[key] = found.seal(node[key], _purpose(body, path))
    return sealed


def open_body(body):
    """A copy of a received envelope with its content fields opened where this process holds the bus key.

    A field that cannot be opened here (no bus keyring, an unknown key, or altered) stays sealed: the consumer's
    schema still accepts it as a string, and a service without the key never reads content."""
    paths = content_paths(body.get("type")) if isinstance(body, dict) else ()
    if not paths or not isinstance(body.get("payload"), dict):
        return body
    found = sealing._sealers.get(KEYRING)
    opened = None
    for path in paths:
        spot = _walk(body["payload"], path)
        if spot is None or not sealing.is_sealed(spot[0][spot[1]]) or found is None:
            continue
        if opened is None:
            opened = _copy_along(body, paths)
        node, key = _walk(opened["payload"], path)
        try:
            node[key] = found.open(node[key], _purpose(body, path))
        except sealing.SealError as exc:
            log.warning("event.content_not_opened", event_type=body.get("type"), field=path, error=str(exc)[:120])
    return opened if opened is not None else body
