"""Name resolution that never stalls the eventlet hub, without eventlet's own resolver.

eventlet resolves names itself with dnspython (greendns) unless EVENTLET_NO_GREENDNS=yes; that resolver costs about
11 MB in every process. With it off, eventlet keeps the C library's blocking calls, which would stall every green
thread of the process while a slow DNS server answers. `resolve_off_hub()` runs those calls in eventlet's pool of
OS threads instead (tpool), as shared.off_hub does for hashing: only the caller waits. The C library also honours
/etc/hosts, nsswitch and the container's resolver exactly as any other program on the host.
"""
from __future__ import annotations

import functools
import os

_RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "getnameinfo")


def resolve_off_hub() -> bool:
    """In a monkey-patched process with greendns off: the socket module's resolvers run in tpool. Returns whether
    it did (with greendns on, eventlet's resolver is already green and is left alone)."""
    if os.environ.get("EVENTLET_NO_GREENDNS", "").lower() != "yes":
        return False
    import socket

    import eventlet.patcher
    from eventlet import tpool
    from eventlet.green import socket as green_socket

    if not eventlet.patcher.is_monkey_patched("socket"):
        return False
    for name in _RESOLVERS:
        blocking = getattr(green_socket, name)
        if getattr(blocking, "_off_hub", False):
            continue
        off_hub = _in_tpool(tpool, blocking)
        setattr(green_socket, name, off_hub)  # what eventlet's create_connection calls
        setattr(socket, name, off_hub)  # what kombu, smtplib and urllib3 call
    return True


def _in_tpool(tpool, blocking):
    @functools.wraps(blocking)
    def off_hub(*args, **kwargs):
        return tpool.execute(blocking, *args, **kwargs)

    off_hub._off_hub = True
    return off_hub
