"""Numbers with units in free text: durations, temperatures, pain scores, weeks of pregnancy.

The words (number words, unit words, cue words) come from the knowledge base; this
module only holds the mechanism: find a number followed by a unit, convert it to the
dimension's base unit (minutes, °C, points, weeks), and hand it to the finding whose
measure accepts it. The patterns it reads with are built once from the knowledge base's
words in :mod:`crampcheck.nlp.quantity_patterns`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.schema import Finding
from crampcheck.nlp.clock import ClockElapsed
from crampcheck.nlp.quantity_patterns import HUNDRED, Unit, build_patterns, is_tens, squash

_FAHRENHEIT_FLOOR = 45.0
"""A body temperature above this cannot be in °C, so a bare number is read as °F."""


@dataclass(frozen=True)
class Quantity:
    """A measured value found in the text, already assigned to its finding."""

    finding_id: str
    value: float
    start: int
    end: int
    text: str

    @classmethod
    def said(
        cls, finding: Finding, amount: float, match: re.Match[str], end: int | None = None
    ) -> Quantity:
        """``amount`` (in its dimension's base unit) as ``finding``'s value, in the
        finding's own scale, said where ``match`` is (up to ``end`` when given)."""
        assert finding.measure is not None
        value = amount / finding.measure.scale
        stop = match.end() if end is None else end
        return cls(finding.id, value, match.start(), stop, match.string[match.start() : stop])


class QuantityReader:
    """Finds quantities in text using the knowledge base's lexicon; built once, reused."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._patterns = build_patterns(kb)
        self._clock = ClockElapsed(kb)

    def read(self, text: str) -> list[Quantity]:
        """Every quantity in ``text`` that a finding's measure accepts."""
        found: list[Quantity] = []
        taken: list[tuple[int, int]] = []
        for finding, pattern in self._patterns.bare:
            measure = finding.measure
            assert measure is not None
            for match in pattern.finditer(text):
                number = self._number(match.group("num"))
                if number is None:
                    continue
                if measure.dimension == "temperature" and measure.max is not None:
                    number = _celsius(number, measure.max)
                if _in_range(number, measure.min, measure.max):
                    found.append(Quantity.said(finding, number, match))
                    taken.append(match.span("num"))
        for match in self._patterns.with_unit.finditer(text):
            if any(s <= match.start("num") < e for s, e in taken):
                continue
            number = self._number(match.group("num"))
            unit = self._patterns.units.get(squash(match.group("unit")))
            if number is None or unit is None:
                continue
            base = number * unit.factor + unit.offset
            if unit.dimension == "temperature" and not unit.offset and base > _FAHRENHEIT_FLOOR:
                # "100 degrees" with no scale: too hot for Celsius, so Fahrenheit
                base = (number - 32) * 5 / 9
            if self._not_a_measure(text, match, unit):
                continue
            end = match.end()
            half = (
                self._patterns.halves.match(text, end)
                if self._patterns.halves is not None
                else None
            )
            if half is not None and unit.dimension == "duration":
                base += unit.factor / 2  # "dos horas y media"
                end = half.end()
            if unit.dimension == "duration" and (
                self._measures_something_else(text, end)
                or self._is_rate(text, match.start(), end)
                or self._after_activity(text, match.start())
                or self._singular_rate(text, match.start(), match.group("num"))
            ):
                continue
            after = text[end : end + 24].lower()
            before = text[max(0, match.start() - 40) : match.start()].lower()
            for finding in self._accepting(unit.dimension, base, after, before, unit):
                found.append(Quantity.said(finding, base, match, end))
                taken.append((match.start(), end))
                break
        if self._patterns.phrase is not None:
            for match in self._patterns.phrase.finditer(text):
                if match.span() in taken:
                    continue  # "media hora", "una hora y media": read once, with its unit
                minutes = self._patterns.phrases[squash(match.group("phrase"))]
                for finding in self._accepting("duration", minutes, "", "", None):
                    found.append(Quantity.said(finding, minutes, match))
                    break
        if self._patterns.cued is not None:
            for match in self._patterns.cued.finditer(text):
                start, end = match.span("num")
                if any(s <= start < e for s, e in taken):
                    continue
                number = self._number(match.group("num"))
                owner = self._patterns.cue_owner.get(squash(match.group("cue")))
                if number is None or owner is None or owner.measure is None:
                    continue
                measure = owner.measure
                number = _in_celsius(number, measure.dimension)
                if _in_range(number, measure.min, measure.max):
                    found.append(Quantity.said(owner, number, match, end))
        if self._patterns.adjacent is not None:
            for match in self._patterns.adjacent.finditer(text):
                start, end = match.span("num")
                if any(s <= start < e for s, e in taken) or any(
                    q.start <= start < q.end for q in found
                ):
                    continue
                number = self._number(match.group("num"))
                owner = self._patterns.adjacent_owner.get(squash(match.group("cue")))
                if number is None or owner is None or owner.measure is None:
                    continue
                number = _in_celsius(number, owner.measure.dimension)
                if _in_range(number, owner.measure.min, owner.measure.max):
                    found.append(Quantity.said(owner, number, match, end))
        found.extend(self._since_a_time_of_day(text, found))
        return found

    def _since_a_time_of_day(self, text: str, found: list[Quantity]) -> list[Quantity]:
        """The episode's length from a start time and the time now, unless a duration
        was said outright."""
        elapsed = self._clock.read(text)
        if elapsed is None:
            return []
        for finding in self._accepting("duration", elapsed.minutes, "", "", None):
            assert finding.measure is not None
            if any(q.finding_id == finding.id for q in found):
                return []
            value = elapsed.minutes / finding.measure.scale
            return [Quantity(finding.id, value, elapsed.start, elapsed.end, elapsed.text)]
        return []

    def _is_rate(self, text: str, start: int, end: int | None = None) -> bool:
        """ "twice a week", "a pack a day", "10 hours a day": how often or how much in a
        period, not how long the problem has lasted."""
        before = text[max(0, start - 24) : start].lower().split()
        if before and before[-1].strip(".,;:") in self._patterns.rate_words:
            return True
        return end is not None and bool(self._patterns.per_period.match(text, end))

    def _after_activity(self, text: str, start: int) -> bool:
        """ "drove six hours back", "ran for 20 minutes", "sleeping like 5 hours": the
        activity's length. Up to three length words ("for", "about", "like", "than") may
        stand between the activity and the number."""
        before = [w.strip(".,;:") for w in text[max(0, start - 50) : start].lower().split()]
        skipped = 0
        while before and skipped < 3 and before[-1] in self._patterns.lengths_before_a:
            before = before[:-1]
            skipped += 1
        return bool(before) and before[-1] in self._patterns.activities

    def _singular_rate(self, text: str, start: int, number: str) -> bool:
        """ "a day", "a night" are a length only after a length word ("for a day");
        otherwise a rate ("a fifth a day", "4-5 nights a week")."""
        if number.strip().lower() not in ("a", "an"):
            return False
        before = text[max(0, start - 20) : start].lower().split()
        return not before or before[-1].strip(".,;:") not in self._patterns.lengths_before_a

    def _not_a_measure(self, text: str, match: re.Match[str], unit: Unit) -> bool:
        """Whether the words just before a number with a unit say it is no measure of the
        problem ("tengo 45 años": an age), unless what follows makes it one after all."""
        start = match.start()
        # the text's start ends a clause as a line break does
        before = ("\n" if start <= 40 else "") + text[max(0, start - 40) : start]
        after = text[match.end() : match.end() + 24].lower()
        return any(
            dimension == unit.dimension
            and (not units or squash(match.group("unit")) in units)
            and preceded.search(before) is not None
            and not (unless and _starts_with_any(after, unless))
            and (not followed or not after.strip() or _starts_with_any(after, followed))
            for dimension, units, preceded, unless, followed in self._patterns.not_measures
        )

    def _measures_something_else(self, text: str, end: int) -> bool:
        """A duration followed by the thing it measures ("a 9-hour shift", "3 hours of
        driving") is that thing's length, not the symptom's."""
        return self._patterns.other_duration is not None and bool(
            self._patterns.other_duration.match(text, end)
        )

    def _compound(self, words: list[str]) -> float | None:
        """ "thirty eight point five" -> 38.5; "forty-two" -> 42; "a hundred and two
        point four" -> 102.4; and, as a pulse or a temperature is said aloud,
        "one-thirty" -> 130 (a digit before a multiple of ten counts hundreds)."""
        whole = 0.0
        decimals = ""
        in_decimals = False
        previous: float | None = None
        for word in words:
            if word == self._patterns.decimal:
                in_decimals = True
                continue
            if word == self._patterns.joiner and previous == HUNDRED:
                continue
            if word == self._patterns.tens_joiner and previous is not None and is_tens(previous):
                continue
            value = self._patterns.number_words.get(word)
            if value is None:
                return None
            if in_decimals:
                decimals += str(int(value))
            elif value == HUNDRED:
                whole = (whole or 1) * HUNDRED
            elif previous is not None and 1 <= previous <= 9 and whole < 10 and is_tens(value):
                whole = whole * HUNDRED + value
            else:
                whole += value
            previous = value
        return whole + (float("0." + decimals) if decimals else 0.0)

    def _accepting(
        self, dimension: str, base: float, after: str, before: str, unit: Unit | None
    ) -> Iterator[Finding]:
        """Findings whose measure takes this value, most specific (context words) first."""
        candidates = [
            f
            for f in self._patterns.measured
            if f.measure is not None
            and f.measure.dimension == dimension
            and _in_range(base, f.measure.min, f.measure.max)
        ]
        candidates.sort(key=lambda f: 0 if f.measure and f.measure.followed_by else 1)
        for finding in candidates:
            measure = finding.measure
            assert measure is not None
            if measure.followed_by and not _starts_with_any(after, measure.followed_by):
                continue
            if measure.not_followed_by and _starts_with_any(after, measure.not_followed_by):
                continue
            if dimension == "temperature" and measure.cues and not measure.followed_by:
                # A body temperature is named as one ("temperature", "fever" ...) before or
                # just after the number; otherwise a temperature is the weather's.
                named = any(c in before for c in measure.cues) or any(
                    c in after[:16] for c in measure.cues
                )
                if not named:
                    continue
            yield finding

    def _number(self, token: str) -> float | None:
        cleaned = squash(token)
        if cleaned in self._patterns.number_words:
            return float(self._patterns.number_words[cleaned])
        words = cleaned.replace("-", " ").split()
        if words and all(
            w in self._patterns.number_words
            or w in (self._patterns.decimal, self._patterns.joiner, self._patterns.tens_joiner)
            for w in words
        ):
            return self._compound(words)
        try:
            return float(cleaned.replace(",", "."))
        except ValueError:
            return None


def _celsius(number: float, highest_celsius: float) -> float:
    """A temperature too high to be °C for this measure is read as °F."""
    return number if number <= highest_celsius else (number - 32) * 5 / 9


def _starts_with_any(text: str, words: tuple[str, ...]) -> bool:
    stripped = text.lstrip(" -")
    return any(re.match(rf"{re.escape(w)}(?![a-z])", stripped) for w in words)


def _in_celsius(number: float, dimension: str) -> float:
    """A body temperature said without a unit: above the Fahrenheit floor it can only
    be degrees Fahrenheit ("temp 101.5", "T 100.9"), so it is read in Celsius."""
    if dimension == "temperature" and number > _FAHRENHEIT_FLOOR:
        return (number - 32) * 5 / 9
    return number


def _in_range(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)
