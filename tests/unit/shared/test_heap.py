"""Freed memory given back after a one-off build (glibc's malloc_trim)."""
import json
import subprocess
import sys

from shared import heap, thai_words


def test_giving_back_free_memory_is_harmless_anywhere():
    assert heap.give_back_free_memory() in (True, False)


def test_the_dictionary_build_gives_its_temporaries_back(monkeypatch):
    calls = []
    monkeypatch.setattr(heap, "give_back_free_memory", lambda: calls.append("trim") or True)
    thai_words.dictionary.cache_clear()
    try:
        trie = thai_words.dictionary()
        assert calls == ["trim"] and "โฉนด" in trie
        thai_words.dictionary()
        assert calls == ["trim"]  # built once per process, trimmed once
    finally:
        thai_words.dictionary.cache_clear()


def test_the_dictionary_leaves_less_resident_memory_behind_than_its_build_took():
    """The build's high-water mark minus what stays resident: the trim returns the temporaries."""
    code = (
        "import json\nfrom shared import thai_words\n"
        "def status(key):\n"
        "    with open('/proc/self/status') as f:\n"
        "        return next(int(line.split()[1]) for line in f if line.startswith(key))\n"
        "import pythainlp.tokenize, marisa_trie\n"
        "before = status('VmRSS:')\nthai_words.dictionary()\n"
        "print(json.dumps({'kept_kb': status('VmRSS:') - before}))")
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True,
                         timeout=120)
    kept = json.loads(out.stdout.strip().splitlines()[-1])["kept_kb"]
    assert kept < 2 * 1024, kept  # about 0.8 MB with the trim, 4.2 MB without (measured)
