"""How long since a time of day: "it started around 2pm, it's now 3:30" is an episode of
an hour and a half.

People at 2 a.m. often give the time a cramp began and the time it is now instead of how
long it has lasted. A start time is a time of day after one of the knowledge base's
start cues ("at", "around" ...); the time now is one next to one of its now cues ("it's
now", "now", "rn" ...). The elapsed time is the difference, counted forward; without
"am" or "pm" on both, the nearer of the two readings twelve hours apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crampcheck.knowledge.loader import KnowledgeBase

MINUTES_A_DAY = 24 * 60
HALF_A_DAY = 12 * 60
UNMARKED_LIMIT = 6 * 60
"""Without am or pm on both, a longer gap is more likely a misreading ("started at 3 and
it's 2 now") than an episode."""

_TIME = (
    r"(?P<{n}h>1[0-2]|0?[1-9])(?:[:.](?P<{n}m>[0-5]\d))?\s*"
    r"(?P<{n}ap>[ap]\.?\s?m\.?(?![a-z])|o'?clock)?"
)
_NUMBER_GOES_ON = r"\s*(?:[\d:/%x]|[-–]\s*\d)"
"""Digits, a fraction, a range or a percentage after the number: not a time of day."""


@dataclass(frozen=True)
class Elapsed:
    """Minutes between a start time and the time now, and where they were said."""

    minutes: int
    start: int
    end: int
    text: str


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class ClockElapsed:
    """Reads a start time and the time now, with the knowledge base's cue words."""

    def __init__(self, kb: KnowledgeBase) -> None:
        starts = kb.lexicon.clock_start_cues
        nows = kb.lexicon.clock_now_cues
        self._enabled = bool(starts and nows)
        if not self._enabled:
            return
        # A number followed by a unit ("at 2 mg", "around 3 miles") is no time of day.
        units = (
            tuple(
                word
                for dimension in kb.lexicon.units.values()
                for unit in dimension.values()
                for word in unit.words
            )
            + kb.lexicon.clock_not_followed_by
        )
        not_a_time = rf"(?!{_NUMBER_GOES_ON}|\s*(?:{_alternation(units)})(?![a-z]))"
        self._start = re.compile(
            rf"(?<![\w'])(?:{_alternation(starts)})\s+{_TIME.format(n='s')}{not_a_time}",
            re.IGNORECASE,
        )
        self._now = re.compile(
            rf"(?<![\w'])(?:(?:{_alternation(nows)})\s+{_TIME.format(n='n')}"
            rf"|{_TIME.format(n='t')}\s+(?:{_alternation(nows)})(?![\w']))"
            rf"{not_a_time}",
            re.IGNORECASE,
        )

    def read(self, text: str) -> Elapsed | None:
        """The time elapsed from the last start time before the first time now, if any."""
        if not self._enabled:
            return None
        now = self._now.search(text)
        if now is None:
            return None
        starts = [m for m in self._start.finditer(text, 0, now.start())]
        if not starts:
            return None
        start = starts[-1]
        begun = _minutes(start, "s")
        current = _minutes(now, "n") if now.group("nh") else _minutes(now, "t")
        if begun is None or current is None:
            return None
        both_marked = begun[1] and current[1]
        minutes = (current[0] - begun[0]) % (MINUTES_A_DAY if both_marked else HALF_A_DAY)
        if not 0 < minutes < (HALF_A_DAY if both_marked else UNMARKED_LIMIT):
            return None
        end = start.start() + len(text[start.start() : now.end()].rstrip())
        return Elapsed(minutes, start.start(), end, text[start.start() : end])


def _minutes(match: re.Match[str], name: str) -> tuple[int, bool] | None:
    """Minutes after midnight (or after noon or midnight, when unmarked), and whether
    am or pm was said."""
    hour = match.group(f"{name}h")
    if hour is None:
        return None
    minute = int(match.group(f"{name}m") or 0)
    marker = (match.group(f"{name}ap") or "").lower().replace(".", "").replace(" ", "")
    hours = int(hour) % 12
    if marker.startswith("p"):
        hours += 12
    return hours * 60 + minute, marker.startswith(("a", "p"))
