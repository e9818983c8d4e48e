"""casework's copy of the office directory, made from routing's (routing owns the directory; casework never
reads routing's files or database at run time).

Routing's shipped agency list (services/routing/jurisdiction/agencies.yaml) decides which offices exist; a
deployment's override file may rename offices or move provinces but never adds one. So the list of office codes
is part of the release, and casework ships it as data of its own: services/casework/data/offices.json (codes and
names only), regenerated here and kept in step by a unit test.

    python -m sodsong.office_directory          # write services/casework/data/offices.json
    python -m sodsong.office_directory --check  # exit 1 if the file differs from routing's directory
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from services.casework.domain.offices import OFFICES_PATH
from services.routing.domain.directory import load_directory


def render() -> str:
    directory = load_directory()
    offices = [{"code": o.code, "name_th": o.name_th, "name_en": o.name_en} for o in directory.offices()]
    body = {"source": "services/routing/jurisdiction/agencies.yaml", "version": directory.version,
            "offices": offices}
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    path = Path(OFFICES_PATH)
    if "--check" in argv:
        same = path.exists() and path.read_text(encoding="utf-8") == text
        if not same:
            print(f"{path} is out of date: run python -m sodsong.office_directory", file=sys.stderr)
        return 0 if same else 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
