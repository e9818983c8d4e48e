"""Casework's configured timer (the deadline sweep's): nameko's timer, its interval read from configuration."""
from __future__ import annotations

from nameko.timer import Timer


class ConfiguredTimer(Timer):
    """nameko's timer with its interval read from `casework.<setting>` at start-up."""

    def __init__(self, setting: str, default: float, **kwargs):
        self.setting = setting
        super().__init__(interval=default, eager=False, **kwargs)

    def setup(self):
        value = (self.container.config["SODSONG"].get("casework") or {}).get(self.setting)
        if value:
            self.interval = float(value)
        super().setup()


configured_timer = ConfiguredTimer.decorator
