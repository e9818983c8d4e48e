"""Click groups whose subcommands are named by import path and imported only when used (sodsong.registry)."""
from __future__ import annotations

import click

from sodsong.registry import resolve


class LazyGroup(click.Group):
    """A click group with subcommands named by import path (sodsong.registry), imported when used."""

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx, name):
        if name in self.lazy and name not in self.commands:
            self.add_command(resolve(self.lazy[name]), name)
        return super().get_command(ctx, name)
