"""What Thai text costs a service: memory of the dictionary, CPU of segmenting a tip (routing's duplicate words)
and of computing its blind-index terms (casework), with PyThaiNLP's own trie and with the compact one
(shared.thai_words), side by side in one process on the same tips.

    .venv/bin/python bench/thai_text.py [--tips 300]

CPU is time.process_time per tip description (varied Thai tips from bench/throughput.py); memory is the growth of
this process's RSS while a dictionary is built (the dictionary's words read from the package file included).
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tips", type=int, default=300)
    args = parser.parse_args()

    from throughput import tip_maker

    from services.routing.domain import duplicates
    from shared import blind_index, thai_words

    thai_words.use_offline()
    from pythainlp.corpus import get_corpus
    from pythainlp.tokenize import word_tokenize
    from pythainlp.util import Trie

    make = tip_maker(7)
    tips = [make(i) for i in range(args.tips)]
    texts = [t["description"] for t in tips]
    blind_index.install_key("casework", b"\x01" * 32)
    thai_words.stopwords()

    gc.collect()
    before = rss_mb()
    compact = thai_words.dictionary()
    gc.collect()
    compact_mb = rss_mb() - before
    before = rss_mb()
    own = Trie(get_corpus(thai_words.DICTIONARY_FILE))  # what pythainlp.tokenize.word_dict_trie() builds
    gc.collect()
    own_mb = rss_mb() - before

    def cpu(fn) -> float:
        fn(texts[0])
        t0 = time.process_time()
        for text in texts:
            fn(text)
        return (time.process_time() - t0) / len(texts) * 1000

    def with_dictionary(trie, segment):
        thai_words.dictionary = lambda: trie  # what blind_index and duplicates look up at each call
        thai_words.segment = segment

    compact_segment = thai_words.segment

    def own_segment(text):
        return word_tokenize(text, custom_dict=own, engine="newmm-safe", keep_whitespace=False)

    rows = []
    for label, trie, segment in (("PyThaiNLP's trie", own, own_segment), ("compact trie", compact, compact_segment)):
        with_dictionary(trie, segment)
        rows.append((label, cpu(segment), cpu(duplicates.words), cpu(lambda t: blind_index.index_terms("casework", t))))
    print(f"dictionary: {len(compact):,} words; RSS to build and hold it: PyThaiNLP's trie {own_mb:.1f} MB, "
          f"compact trie {compact_mb:.1f} MB")
    print(f"{'CPU ms per tip description':28} {'segment':>8} {'duplicate words':>16} {'blind-index terms':>18}")
    for label, seg, dup, terms in rows:
        print(f"{label:28} {seg:8.3f} {dup:16.3f} {terms:18.3f}")


if __name__ == "__main__":
    main()
