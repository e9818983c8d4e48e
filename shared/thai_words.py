"""Thai words: PyThaiNLP's newmm segmenter over PyThaiNLP's own dictionary, held as a compact trie.

PyThaiNLP keeps its dictionary (62,106 words) as a tree of Python objects, one per character: about 70 MB in
every process that segments Thai. The same words in a MARISA trie (marisa-trie) take under half a megabyte, and
give newmm what it asks of a dictionary, the words that start at a position of a text, in the same order
(shortest first). So every segmentation, every stored search term and every duplicate signal is what PyThaiNLP's
own trie gives (tests/unit/shared/test_thai_words.py compares the two over a varied corpus).

The trie is built once per process on first use (a quarter of a second), never at import. PyThaiNLP is set up
never to download and to write only to a cache directory of ours: its dictionary and stop words ship in the
package.
"""
from __future__ import annotations

import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

from shared import heap

DICTIONARY_FILE = "words_th.txt"  # what pythainlp.corpus.thai_words() reads
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def use_offline() -> None:
    """Before importing PyThaiNLP: no downloads, and its data directory in a cache directory we can write."""
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


class CompactTrie:
    """The dictionary for newmm (`custom_dict`): `prefixes(text, start)`, `in`, `len` and iteration, as
    pythainlp.util.Trie has them, over a MARISA trie. Words are stripped and empty ones dropped, as
    pythainlp.util.Trie.add does."""

    __slots__ = ("_trie", "_longest")

    def __init__(self, words):
        import marisa_trie

        lengths = [0]

        def stripped():
            for word in words:
                word = word.strip()
                if word:
                    lengths[0] = max(lengths[0], len(word))
                    yield word

        self._trie = marisa_trie.Trie(stripped())
        self._longest = lengths[0]

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        """The words that `text` has at `start`, shortest first."""
        window = text[start:start + self._longest]
        try:
            return self._trie.prefixes(window)
        except UnicodeEncodeError:  # a lone surrogate (no word has one) ends what can match
            return self._trie.prefixes(window[:_SURROGATE.search(window).start()])

    def __contains__(self, word) -> bool:
        try:
            return isinstance(word, str) and word in self._trie
        except UnicodeEncodeError:
            return False

    def __len__(self) -> int:
        return len(self._trie)

    def __iter__(self):
        return iter(self._trie.keys())


@lru_cache(maxsize=1)
def dictionary() -> CompactTrie:
    """PyThaiNLP's word list (the file thai_words() reads) as a compact trie, built once per process. The file is
    read line by line: thai_words() would keep its 62,106 strings cached for good (10 MB), and even a set read
    once and dropped leaves the process that much larger."""
    use_offline()
    from importlib.resources import files

    with files("pythainlp.corpus").joinpath(DICTIONARY_FILE).open(encoding="utf-8-sig") as lines:
        trie = CompactTrie(lines)
    heap.give_back_free_memory()  # the build's temporaries (about 4 MB) would otherwise stay resident
    return trie


@lru_cache(maxsize=1)
def _word_tokenize():
    use_offline()
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


def segment(text: str) -> list[str]:
    """newmm in its safe mode (plain newmm can take over half a second on long runs of unspaced Thai), spaces
    dropped: exactly `word_tokenize(text, engine="newmm-safe", keep_whitespace=False)` with PyThaiNLP's own
    dictionary."""
    return _word_tokenize()(text, custom_dict=dictionary(), engine="newmm-safe", keep_whitespace=False)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    use_offline()
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords())
