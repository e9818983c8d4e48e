"""PyThaiNLP, set up never to download and to write only to a cache directory we own: its dictionary and
stopwords ship in the package. Routing's duplicate check and accused recogniser call `use_offline()` before
they import it (lazily: loading the dictionary takes about half a second)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def use_offline() -> None:
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    if "PYTHAINLP_DATA" not in os.environ and "PYTHAINLP_DATA_DIR" not in os.environ:
        os.environ["PYTHAINLP_DATA"] = str(writable_cache_dir())


def writable_cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sodsong" / "pythainlp"
    try:
        base.mkdir(parents=True, exist_ok=True)
        if os.access(base, os.W_OK):
            return base
    except OSError:
        pass
    fallback = Path(tempfile.gettempdir()) / "sodsong-pythainlp"
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback
