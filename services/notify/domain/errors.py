"""Notify's own exceptions."""


class TimerAlreadyClaimed(Exception):
    """Another instance claimed this periodic job's run first."""
