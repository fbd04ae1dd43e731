"""Spelling correction into the knowledge base's own words, and nothing else.

A person in pain types "musle", "legg" or "swolen". The reader matches phrases word by
word, so one typo hides a finding. This pass gives such a word the norm of the
knowledge-base word it was meant to be, so the phrase matcher finds it, and records the
correction so the confirm step can show it ("you wrote 'musle' - we read 'muscle'").

It is deliberately narrow:

- only words the knowledge base uses are ever suggested (symspellpy's dictionary holds
  the lexicon's words, not English);
- a word that is already English (in symspellpy's English frequency list) is left alone,
  so a real word is never turned into a clinical term ("fell" never becomes "feel"),
  except a rare word that is one swapped pair of letters away from a much commoner
  lexicon word ("hurst" for "hurts");
- short words (under four letters) are never changed: too many are one letter apart;
  words under eight letters are corrected by one edit only, and never in their first
  letter (people rarely mistype the first letter; "glutes" is not "slures");
- when two lexicon words of different findings are equally close, nothing is changed.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from symspellpy import SymSpell, Verbosity

MIN_LENGTH = 4
"""Words shorter than this are never corrected ("leg", "log", "lag" are all words)."""

LONG_WORD = 8
"""Words this long may be two edits from the lexicon word; shorter ones only one."""

SWAP_RATIO = 1.5
"""A known English word is read as a swapped-letter typo of a lexicon word only when
that word is at least this many times commoner."""

SWAP_CEILING = 3_000_000
"""Known words commoner than this are never read as typos, swapped letters or not."""


_ENDINGS = ("", "s", "es", "ed", "ing", "y", "er", "ness")

_FORMS = (
    ("iest", "y"),
    ("ier", "y"),
    ("ied", "y"),
    ("ies", "y"),
    ("est", ""),
    ("er", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("s", ""),
    ("es", ""),
    ("ly", ""),
    ("ness", ""),
)
"""Endings of English word forms, and what replaces them in the word's base form."""


@dataclass(frozen=True)
class Correction:
    """A word the person wrote, the lexicon word it was read as, and where it is."""

    written: str
    read_as: str
    start: int
    end: int


@cache
def english_frequencies() -> dict[str, int]:
    """symspellpy's English word frequency list (82,765 words), loaded once."""
    path = importlib.resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    counts: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition(" ")
        if count:
            counts[word] = int(count)
    return counts


def _one_swap(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with one pair of neighbouring letters swapped."""
    if len(a) != len(b) or a == b:
        return False
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and a[diffs[0]] == b[diffs[1]]
        and a[diffs[1]] == b[diffs[0]]
    )


def _same_word(a: str, b: str) -> bool:
    """Two lexicon words that are forms of one word ("leg", "legs"; "swell", "swelling")."""
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and len(long) - len(short) <= 3


class Speller:
    """Corrects single words into the knowledge base's vocabulary. Build once, reuse."""

    def __init__(
        self, vocabulary: Mapping[str, frozenset[str]], stems: Mapping[str, frozenset[str]]
    ) -> None:
        """``vocabulary``: each lexicon word with the findings whose phrases use it;
        ``stems``: each wildcard stem ("twitch" for twitch*) with its findings."""
        self._english = english_frequencies()
        self._stems = tuple(sorted(stems, key=len, reverse=True))
        self._meaning: dict[str, frozenset[str]] = {
            w.lower(): ids
            for w, ids in vocabulary.items()
            if w.isalpha() and len(w) >= MIN_LENGTH - 1
        }
        # A stem stands for its usual endings, so that "twiching" is found one letter
        # from "twitching".
        for stem, ids in stems.items():
            for ending in _ENDINGS:
                self._meaning[stem + ending] = self._meaning.get(stem + ending, frozenset()) | ids
        self._vocabulary = set(self._meaning)
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word in self._vocabulary:
            self._symspell.create_dictionary_entry(word, self._english.get(word, 1) + 1)
        self._cache: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The lexicon word ``word`` was meant to be, or None to leave it as written."""
        lower = word.lower()
        if lower in self._cache:
            return self._cache[lower]
        result = self._correct(lower)
        if len(self._cache) < 50_000:
            self._cache[lower] = result
        return result

    def _known_base(self, word: str) -> int | None:
        """The frequency of the English word this one is a form of ("puffier" is
        "puffy", "stiffened" is "stiffen"): the frequency list lacks many forms."""
        for ending, base in _FORMS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                count = self._english.get(word[: len(word) - len(ending)] + base)
                if count is not None:
                    return count
        return None

    def _correct(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or not word.isalpha() or word in self._vocabulary:
            return None
        if any(word.startswith(stem) for stem in self._stems):
            return None
        known = self._english.get(word) or self._known_base(word)
        distance = 1 if len(word) < LONG_WORD else 2
        suggestions: list[tuple[str, int]] = [
            (str(s.term), int(s.count))
            for s in self._symspell.lookup(word, Verbosity.CLOSEST, max_edit_distance=distance)
            if s.term[0] == word[0]
        ]
        if not suggestions:
            return None
        if known is not None:
            if known > SWAP_CEILING:
                return None
            swaps = [(term, count) for term, count in suggestions if _one_swap(word, term)]
            if len(swaps) == 1 and swaps[0][1] >= SWAP_RATIO * known:
                return swaps[0][0]
            return None
        best = suggestions[0][0]
        meaning = self._meaning.get(best, frozenset())
        if any(
            not _same_word(term, best) and not (self._meaning.get(term, frozenset()) & meaning)
            for term, _ in suggestions[1:]
        ):
            return None  # two different findings are equally close: never guess
        forms = [term for term, _ in suggestions if _same_word(term, best)]
        # Forms of one word: the shortest ("legg" is "leg", not "legs"); otherwise the
        # commonest word, which symspellpy lists first.
        return min(forms, key=len)
