"""Audit's own exceptions."""


class CheckpointError(Exception):
    """The checkpoint file was altered (a line does not verify) or cannot be read."""
