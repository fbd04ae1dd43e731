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
from dataclasses import dataclass

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
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of the cleaned text's ``[start, end)``."""
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


def _is_word(char: str) -> bool:
    return char.isalnum()


def normalise(text: str) -> Normalised:
    """Clean ``text`` for reading, keeping where every character came from."""
    straight = text.translate(_QUOTES)
    chars: list[str] = []
    origin: list[int] = []
    size = len(straight)
    for i, char in enumerate(straight):
        if _INVISIBLE.match(char):
            continue
        before = straight[i - 1] if i > 0 else " "
        after = straight[i + 1] if i + 1 < size else " "
        if char == '"' or (char == "'" and not (_is_word(before) and _is_word(after))):
            if _is_word(before) and _is_word(after):
                char = " "  # said"cramp" -> said cramp
            else:
                continue
        if char.isspace():
            newline = char == "\n"
            if chars and chars[-1] in (" ", "\n"):
                if newline:
                    chars[-1] = "\n"
                continue
            char = "\n" if newline else " "
        lowered = char.lower()
        chars.append(lowered if len(lowered) == 1 else char)
        origin.append(i)
    origin.append(size)
    return Normalised("".join(chars), tuple(origin))
