"""The target matcher's token patterns, looked for only where their first word is.

The Spanish lexicon's phrases of several words allow a few filler words between their
words ("no nos contesta bien" is "no contesta bien"), so they are token patterns
(``{"NORM": word}`` with ``{"NORM": {"IN": fillers}, "OP": "{0,2}"}`` between words)
rather than phrases. spaCy's ``Matcher`` starts every pattern at every token: with
about 1,500 patterns that was most of the time of reading a Spanish text. Here the
patterns are a word tree by their words' norms, entered only at a token whose norm
begins some pattern, and each match is found with the same (pattern, start, end) as
the ``Matcher`` gives.

The order of the matches can matter in one case only: medspaCy keeps the longest of
overlapping matches and, between two of the same start and end, the first. Where two
patterns of different labels match the same words, the ``Matcher`` itself is asked (its
order then decides, as before); elsewhere the one kept says the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from spacy.attrs import NORM
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

_RANGE = re.compile(r"\{(\d*),(\d*)\}")


@dataclass
class _Node:
    """Where a pattern's words so far lead: the patterns ending here, and the next words
    (directly after, or after filler words)."""

    ends: list[int] = field(default_factory=list)
    next_word: dict[int, _Node] = field(default_factory=dict)
    after_fillers: dict[tuple[frozenset[int], int, int], dict[int, _Node]] = field(
        default_factory=dict
    )


class FirstWordMatcher:
    """A stand-in for spaCy's ``Matcher`` (``add`` and calling it on a doc) for patterns
    of words by their ``NORM``, with optional filler words between them (``{"NORM":
    {"IN": [...]}, "OP": "{m,n}"}``, ``"?"``, ``"*"`` not allowed). Any other shape is
    refused when it is added."""

    def __init__(self, vocab: Vocab, label_of: Callable[[str], str]) -> None:
        self._vocab = vocab
        self._label_of = label_of
        self._first: dict[int, _Node] = {}
        self._labels: dict[int, str] = {}
        self._spacy = Matcher(vocab)
        """The same patterns in spaCy's matcher, asked where its order decides."""

    def __len__(self) -> int:
        return len(self._spacy)

    def add(self, key: str, patterns: Sequence[list[dict[str, Any]]], on_match: Any = None) -> None:
        if on_match is not None:
            raise ValueError("a first-word matcher takes no on_match callback")
        strings = self._vocab.strings
        key_hash = strings.add(key)
        self._labels[key_hash] = self._label_of(key)
        for pattern in patterns:
            node = self._path(pattern)
            node.ends.append(key_hash)
        self._spacy.add(key, list(patterns))

    def _path(self, pattern: list[dict[str, Any]]) -> _Node:
        """The node a pattern ends at (made as needed)."""
        strings = self._vocab.strings
        node: _Node | None = None
        gap: tuple[frozenset[int], int, int] | None = None
        for token in pattern:
            value = token.get("NORM")
            if set(token) - {"NORM", "OP"} or value is None:
                raise ValueError(f"not a pattern of norms: {pattern!r}")
            if isinstance(value, str) and "OP" not in token:
                norm = strings.add(value)
                if node is None:
                    node = self._first.setdefault(norm, _Node())
                elif gap is None:
                    node = node.next_word.setdefault(norm, _Node())
                else:
                    node = node.after_fillers.setdefault(gap, {}).setdefault(norm, _Node())
                gap = None
                continue
            if node is None or gap is not None or not _is_filler(token):
                raise ValueError(f"not a pattern of words with fillers between: {pattern!r}")
            low, high = _range(token["OP"])
            gap = (frozenset(strings.add(w) for w in value["IN"]), low, high)
        if node is None or gap is not None:
            raise ValueError(f"a pattern must start and end with a word: {pattern!r}")
        return node

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(pattern key, start, end) of every match, as spaCy's ``Matcher`` gives them."""
        norms: list[int] = doc.to_array(NORM).tolist() if len(doc) else []
        found: dict[tuple[int, int, int], None] = {}
        first = self._first
        for start, norm in enumerate(norms):
            node = first.get(norm)
            if node is not None:
                _walk(node, start + 1, start, norms, found)
        matches = list(found)
        if self._labels_tie(matches):
            return list(self._spacy(doc))
        return matches

    def _labels_tie(self, matches: list[tuple[int, int, int]]) -> bool:
        """Whether patterns of different labels match the same words."""
        if len(matches) < 2:
            return False
        label_at: dict[tuple[int, int], str] = {}
        for key, start, end in matches:
            label = self._labels[key]
            if label_at.setdefault((start, end), label) != label:
                return True
        return False


def _walk(
    node: _Node,
    at: int,
    start: int,
    norms: list[int],
    found: dict[tuple[int, int, int], None],
) -> None:
    for key in node.ends:
        found[(key, start, at)] = None
    size = len(norms)
    if at >= size:
        return
    child = node.next_word.get(norms[at])
    if child is not None:
        _walk(child, at + 1, start, norms, found)
    for (fillers, low, high), words in node.after_fillers.items():
        position = at
        skipped = 0
        while position < size:
            if skipped >= low:
                child = words.get(norms[position])
                if child is not None:
                    _walk(child, position + 1, start, norms, found)
            if skipped == high or norms[position] not in fillers:
                break
            position += 1
            skipped += 1


def _is_filler(token: dict[str, Any]) -> bool:
    value = token["NORM"]
    return (
        isinstance(value, dict)
        and set(value) == {"IN"}
        and all(isinstance(w, str) for w in value["IN"])
        and isinstance(token.get("OP"), str)
        and _RANGE.fullmatch(token["OP"]) is not None
    )


def _range(op: str) -> tuple[int, int]:
    """``{m,n}`` as (m, n); ``{,n}`` is ``{0,n}``. An open ``{m,}`` is refused."""
    found = _RANGE.fullmatch(op)
    if found is None or not found.group(2):
        raise ValueError(f"a filler needs a bounded count such as {{0,2}}: {op!r}")
    return int(found.group(1) or 0), int(found.group(2))


def install(target_matcher: Any) -> bool:
    """Put a :class:`FirstWordMatcher` in place of spaCy's ``Matcher`` inside medspaCy's
    target matcher, holding the same token patterns under the same rule ids; returns
    whether it did (False: no token patterns, or a medspaCy whose insides differ, left
    as it was)."""
    inner = getattr(target_matcher, "_TargetMatcher__matcher", None)
    current = getattr(inner, "_MedspacyMatcher__matcher", None)
    if not isinstance(current, Matcher) or len(current) == 0:
        return False
    rule_map = inner.rule_map  # type: ignore[union-attr]
    rules = [
        (rule_id, rule) for rule_id, rule in rule_map.items() if isinstance(rule.pattern, list)
    ]
    if any(rule.on_match is not None for _, rule in rules):
        return False
    vocab = cast(Vocab, getattr(current, "vocab"))  # noqa: B009 - untyped in spaCy stubs
    replacement = FirstWordMatcher(vocab, lambda key: str(rule_map[key].category))
    for rule_id, rule in rules:
        replacement.add(rule_id, [rule.pattern])
    if len(replacement) != len(current):
        return False
    inner._MedspacyMatcher__matcher = replacement  # type: ignore[union-attr]
    return True
