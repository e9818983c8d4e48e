"""Giving freed memory back to the operating system (glibc's malloc_trim).

glibc keeps memory a program freed inside its heap for later allocations; a one-off build that allocates a lot
of temporaries (the Thai dictionary's trie: about 4 MB freed when it is done) leaves that much resident for
good unless the heap is trimmed. Elsewhere than glibc (musl, macOS) this does nothing.
"""
from __future__ import annotations

import sys


def give_back_free_memory() -> bool:
    """malloc_trim(0): return the free pages of every malloc arena to the system. True if some were returned.
    Takes a few milliseconds; meant for after a one-off build, not for a hot path."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return bool(ctypes.CDLL(None).malloc_trim(0))
    except (OSError, AttributeError):  # not glibc
        return False
