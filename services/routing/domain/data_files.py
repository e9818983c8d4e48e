"""Reading routing's YAML data files (rules, agencies, the recognition list, an operator's override)."""
from __future__ import annotations

from pathlib import Path

import yaml


def read_mapping(path: str | Path, error: type[Exception]) -> dict:
    """The file's top-level mapping; `error` (the file's own data error) when it cannot be read or is not one."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping at the top level")
    return data
