"""Which library should correct misspellings into the knowledge base's own words?

Three field libraries are measured on the same task, in the same run: given a word
one typing error away from a word of the knowledge base's lexicon (a letter dropped,
doubled, swapped with its neighbour or replaced by a neighbouring key), return that
word, choosing only among the lexicon's words.

- symspellpy: a symmetric-delete index over the lexicon (what the reader uses);
- rapidfuzz: the closest lexicon word by Levenshtein distance (``process.extractOne``);
- pyspellchecker: its candidate generation over a dictionary of only the lexicon.

Printed per library: words per second (median of the timings), and how often it
returned the intended word, another word, or nothing. Speeds are also given as a
ratio to symspellpy's.

    .venv/bin/python bench/bench_spelling.py [--words N] [--repeats K] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_info, pin_to_one_core, summary, timed  # noqa: E402

_NEIGHBOURS = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc",
    "g": "ftyhbv", "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop",
    "m": "njk", "n": "bhjm", "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz",
    "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip


def typo(word: str, rng: random.Random) -> str:
    """One typing error in ``word``, never in its first letter."""
    i = rng.randrange(1, len(word))
    kind = rng.choice(("drop", "double", "swap", "neighbour"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    options = _NEIGHBOURS.get(word[i], "")
    return word[:i] + (rng.choice(options) if options else word[i]) + word[i + 1 :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    pinning = pin_to_one_core()

    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein
    from spellchecker import SpellChecker
    from symspellpy import SymSpell, Verbosity

    from crampcheck.knowledge.loader import default_knowledge
    from crampcheck.nlp.spelling import english_frequencies

    kb = default_knowledge()
    english = english_frequencies()
    lexicon = sorted(
        {
            w.rstrip("*").lower()
            for f in kb.findings.values()
            for phrase in (*f.lexicon, *f.lay)
            for w in phrase.split()
            if w.rstrip("*").isalpha() and len(w.rstrip("*")) >= 4
        }
    )
    rng = random.Random(args.seed)
    pairs = []
    while len(pairs) < args.words:
        word = rng.choice(lexicon)
        wrong = typo(word, rng)
        if wrong != word and wrong not in lexicon and wrong not in english:
            pairs.append((wrong, word))

    symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
    for word in lexicon:
        symspell.create_dictionary_entry(word, english.get(word, 1) + 1)
    checker = SpellChecker(language=None, distance=1)
    checker.word_frequency.load_words(lexicon)

    def by_symspell(word: str) -> str | None:
        found = symspell.lookup(word, Verbosity.TOP, max_edit_distance=1)
        return str(found[0].term) if found else None

    def by_rapidfuzz(word: str) -> str | None:
        found = process.extractOne(word, lexicon, scorer=Levenshtein.distance, score_cutoff=1)
        return str(found[0]) if found else None

    def by_pyspellchecker(word: str) -> str | None:
        return checker.correction(word)

    libraries: list[tuple[str, Callable[[str], str | None]]] = [
        ("symspellpy", by_symspell),
        ("rapidfuzz", by_rapidfuzz),
        ("pyspellchecker", by_pyspellchecker),
    ]
    print("spelling correction into the knowledge base's words")
    for line in machine_info(pinning):
        print(line)
    print(f"lexicon:   {len(lexicon)} words of 4+ letters; {len(pairs)} misspellings")
    print()
    print(f"{'':16}{'words/s':>12}{'vs symspellpy':>16}{'right':>8}{'other':>8}{'none':>8}")
    base_rate = None
    for name, correct in libraries:
        words = [wrong for wrong, _ in pairs]

        def run(correct: Callable[[str], str | None] = correct, words: list[str] = words) -> None:
            for word in words:
                correct(word)

        _, median = summary(timed(run, args.repeats))
        rate = len(words) / median
        base_rate = base_rate or rate
        answers = [correct(wrong) for wrong, _ in pairs]
        right = sum(a == want for a, (_, want) in zip(answers, pairs, strict=True))
        none = sum(a is None for a in answers)
        other = len(pairs) - right - none
        print(
            f"{name:16}{rate:12,.0f}{rate / base_rate:15.3f}x"
            f"{right / len(pairs):8.1%}{other / len(pairs):8.1%}{none / len(pairs):8.1%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
