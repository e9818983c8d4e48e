"""Who is calling, for rate limits only: the client's address (behind trusted proxies), grouped, then keyed.

- `client_address(environ, settings)`: the peer address, or — when the peer is one of `trusted_proxies` — the
  address the proxy appended to `client_address_header` (`proxy_hops` entries from the right: with one proxy,
  the last entry). A header sent by anyone else is ignored, so a client cannot choose its own address.
- `group(address)`: IPv6 clients are grouped by /64 (one subscriber's network); IPv4 addresses stand alone.
- `ClientLimiter`: failures or actions per client, in memory only, under a random key made when the process
  starts and replaced every day: no address, and nothing an address can be recovered from, is ever stored or
  logged, and nothing survives a restart. The number of clients tracked is bounded (least recently seen are
  forgotten first), so a flood of addresses costs a bounded amount of memory and never clears everyone's count.

Settings (`<service>.clients` in the configuration; intake and casework each have their own):

    clients:
      trusted_proxies: ["127.0.0.1"]      # addresses (or CIDR networks) of the reverse proxies in front
      client_address_header: X-Forwarded-For
      proxy_hops: 1                       # how many trusted proxies append to the header
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass


def settings(service_config: dict | None) -> dict:
    out = dict((service_config or {}).get("clients") or {})  # declared by each service (intake, casework)
    nets = []
    for item in out.get("trusted_proxies") or []:
        nets.append(ipaddress.ip_network(str(item), strict=False))
    out["_networks"] = tuple(nets)
    return out


def _parse(value: str | None):
    try:
        return ipaddress.ip_address((value or "").strip().strip("[]").split("%")[0])
    except ValueError:
        return None


def client_address(environ: dict, cfg: dict) -> str | None:
    """The client's address as this service should count it (a string), or None if unknown."""
    peer = environ.get("REMOTE_ADDR")
    peer_ip = _parse(peer)
    header = cfg.get("client_address_header")
    if header and peer_ip is not None and any(peer_ip in net for net in cfg.get("_networks", ())):
        raw = environ.get("HTTP_" + header.upper().replace("-", "_"))
        if raw:
            entries = [e.strip() for e in raw.split(",") if e.strip()]
            hops = max(1, int(cfg.get("proxy_hops") or 1))
            if len(entries) >= hops:
                candidate = _parse(entries[-hops])
                if candidate is not None:
                    return str(candidate)
    return str(peer_ip) if peer_ip is not None else peer


def group(address: str | None) -> str:
    """The unit a limit counts: an IPv4 address, or an IPv6 /64 (an IPv4-mapped IPv6 address is IPv4). A client
    that reaches us through a messaging channel rather than by address is named `<channel>:<opaque id>` (the LINE
    bot: `line:<keyed hash of the user>`) and counts as itself."""
    ip = _parse(address)
    if ip is None:
        channel, sep, rest = (address or "").partition(":")
        if sep and rest and channel.isascii() and channel.isalpha():
            return address
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass
class _Entry:
    hits: list


class ClientLimiter:
    """At most `limit` counted events per client per `window` seconds; beyond that the client waits.

    Keys are HMACs of the client's group (and an optional scope, e.g. a username) under a random in-memory key
    rotated every `rotate_seconds`; at most `max_clients` keys are kept (least recently used go first)."""

    def __init__(self, limit: int, window: float, *, max_clients: int = 100_000, rotate_seconds: float = 86400,
                 clock=time.monotonic):
        self.limit, self.window = int(limit), float(window)
        self.max_clients = int(max_clients)
        self.rotate_seconds = float(rotate_seconds)
        self.clock = clock
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._secret = secrets.token_bytes(32)
        self._secret_born = clock()

    def key(self, address: str | None, scope: str = "") -> bytes:
        now = self.clock()
        if now - self._secret_born >= self.rotate_seconds:  # a new day: forget everyone, and the old key
            with self._lock:
                self._secret, self._secret_born = secrets.token_bytes(32), now
                self._entries.clear()
        return hmac.new(self._secret, f"{group(address)}|{scope}".encode(), hashlib.sha256).digest()[:16]

    def _entry(self, key: bytes, create: bool) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None and create:
            entry = self._entries[key] = _Entry(hits=[])
            while len(self._entries) > self.max_clients:
                self._entries.popitem(last=False)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def retry_after(self, key: bytes) -> int:
        """0 if the client may go on; otherwise the seconds to wait."""
        now = self.clock()
        with self._lock:
            entry = self._entry(key, False)
            if entry is None:
                return 0
            cutoff = now - self.window
            entry.hits = [t for t in entry.hits if t > cutoff]
            if len(entry.hits) < self.limit:
                return 0
            return max(1, int(entry.hits[0] + self.window - now) + 1)

    def hit(self, key: bytes) -> int:
        """Count one event; returns how many the client has in the window now."""
        now = self.clock()
        with self._lock:
            entry = self._entry(key, True)
            cutoff = now - self.window
            entry.hits = [t for t in entry.hits if t > cutoff]
            entry.hits.append(now)
            return len(entry.hits)

    def forget_before(self, key: bytes, seconds_ago: float) -> None:
        """Forget what the client did more than `seconds_ago` seconds ago (the limit was lifted then)."""
        cutoff = self.clock() - float(seconds_ago)
        with self._lock:
            entry = self._entry(key, False)
            if entry is not None:
                entry.hits = [t for t in entry.hits if t > cutoff]

    def reset(self, key: bytes) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)
