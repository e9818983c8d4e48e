"""CPU-heavy work (password and receipt hashing, image decoding) in a real OS thread when eventlet runs the
process, so it never stalls the hub (and every other request with it); a plain call anywhere else (CLI, tests)."""
from __future__ import annotations


def run_off_hub(fn, *args):
    try:
        import eventlet.patcher  # optional: only a monkey-patched (eventlet) process has a hub to spare
        from eventlet import tpool

        if eventlet.patcher.is_monkey_patched("thread"):
            return tpool.execute(fn, *args)
    except ImportError:
        pass
    return fn(*args)
