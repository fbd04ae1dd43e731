"""One regular expression matching any of a list of words, written as a trie.

The reader of quantities builds its patterns from the knowledge base's word lists
(number words, unit words, cue words, in English and Spanish); this is how a list
becomes one fast alternation that always prefers the longer of two words said at one
place ("hours" over "hour"), so a quantity is never read from half a word.
"""

from __future__ import annotations

import re
from typing import Any


def alternation(words: list[str]) -> str:
    """A pattern matching any of ``words`` (a space standing for any run of spaces),
    the longest first where several match at one place.

    Written as a trie ("h(?:ours?|rs?)" rather than "hours|hour|hrs|hr"), so that at each
    place in a text the regular expression engine tries one branch per first letter
    instead of every word in turn: the same matches, several times faster. Two words can
    both match at one place only when one is a prefix of the other, and the trie, like
    the plain list sorted longest first, tries the longer one first. Words that would
    break that (capitals, which ``re.IGNORECASE`` folds, or odd spacing) keep the list."""
    unique = sorted(set(words), key=len, reverse=True)
    if any(not _trie_safe(w) for w in unique):
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique)
    trie: dict[str, Any] = {}
    for word in unique:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_safe(word: str) -> bool:
    """Lower case, no whitespace but single spaces between words."""
    return (
        bool(word)
        and word == word.lower()
        and word == " ".join(word.split(" "))
        and not any(c.isspace() and c != " " for c in word)
        and "  " not in word
        and not word.startswith(" ")
        and not word.endswith(" ")
    )


def _trie_pattern(node: dict[str, Any]) -> str:
    """The pattern of a trie node: its continuations, longest-reaching first, then (when a
    word ends here) nothing more."""
    branches = [
        (r"\s+" if char == " " else re.escape(char)) + _trie_pattern(child)
        for char, child in sorted(
            ((c, n) for c, n in node.items() if c), key=lambda item: -_depth(item[1])
        )
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body


def _depth(node: dict[str, Any]) -> int:
    return max((1 + _depth(child) for c, child in node.items() if c), default=0)
