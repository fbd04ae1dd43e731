"""The text the reader reads, and where each of its characters came from.

A person's text is read after a light clean-up that the phrase matcher needs: curly
quotes straightened, invisible and control characters dropped, runs of spaces made one
(a phone's double space would otherwise split "calf  cramp" into two phrases),
quotation marks dropped ("my legs felt 'heavy'" reads as "my legs felt heavy"; the
apostrophe inside "can't" stays), and lower case where it keeps one character one
character. Every character of the cleaned text remembers its place in the original, so
that every finding still quotes the person's own words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crampcheck.knowledge.reader_language import fold

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'"})

_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ud800-\udfff]"
)


@dataclass(frozen=True)
class Normalised:
    """The cleaned text, and for each of its characters (and its end) the offset of the
    character it came from in the original."""

    text: str
    origin: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of the cleaned text's ``[start, end)``."""
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


_SPECIAL = re.compile(
    "[\"'\t\n\r\f\v\x00-\x1f\x7f-\x9f\u00a0\u00ad\u1680\u2000-\u200f\u2028-\u202f"
    "\u205f-\u206f\u3000\ufeff\ud800-\udfff]|  +"
)
"""What needs more than lowering: a quote, a control, invisible or unusual space
character, or a run of spaces. Most texts have few; the text between them is copied."""


def _lowered(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _is_word(char: str) -> bool:
    return char.isalnum()


def normalise(text: str, fold_accents: bool = False) -> Normalised:
    """Clean ``text`` for reading, keeping where every character came from; with
    ``fold_accents``, accents are dropped too ("hinchazón" reads as "hinchazon")."""
    cleaned = _normalise(text)
    if not fold_accents:
        return cleaned
    return Normalised(fold(cleaned.text), cleaned.origin)


def _normalise(text: str) -> Normalised:
    straight = text.translate(_QUOTES)
    if not _SPECIAL.search(straight):
        return Normalised(_lowered(straight), range(len(text) + 1))
    pieces: list[str] = []
    origin: list[int] = []
    size = len(straight)
    position = 0
    for match in _SPECIAL.finditer(straight):
        start = match.start()
        if start > position:
            pieces.append(straight[position:start])
            origin.extend(range(position, start))
        position = match.end()
        char = match.group()[0]
        before = straight[start - 1] if start > 0 else " "
        after = straight[position] if position < size else " "
        if char in "\"'":
            if _is_word(before) and _is_word(after):
                if char == "'":
                    pieces.append("'")  # an apostrophe inside a word: can't
                    origin.append(start)
                else:
                    pieces.append(" ")  # said"cramp" -> said cramp
                    origin.append(start)
            continue
        if _INVISIBLE.match(char):
            continue
        if char.isspace():
            newline = "\n" in match.group()
            previous = pieces[-1][-1:] if pieces else ""
            if previous in (" ", "\n"):
                if newline and previous == " ":
                    pieces[-1] = pieces[-1][:-1] + "\n"
                continue
            pieces.append("\n" if newline else " ")
            origin.append(start)
    if position < size:
        pieces.append(straight[position:])
        origin.extend(range(position, size))
    origin.append(size)
    return Normalised(_lowered("".join(pieces)), origin)
