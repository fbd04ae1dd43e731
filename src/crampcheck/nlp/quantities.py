"""Numbers with units in free text: durations, temperatures, pain scores, weeks of pregnancy.

The words (number words, unit words, cue words) come from the knowledge base; this
module only holds the mechanism: find a number followed by a unit, convert it to the
dimension's base unit (minutes, °C, points, weeks), and hand it to the finding whose
measure accepts it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.schema import Finding
from crampcheck.nlp.clock import ClockElapsed

_DIGITS = r"\d+(?:[.,]\d+)?"
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


def _alternation(words: list[str]) -> str:
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


@dataclass(frozen=True)
class _Unit:
    dimension: str
    factor: float
    offset: float
    word: str


class QuantityReader:
    """Finds quantities in text using the knowledge base's lexicon; built once, reused."""

    def __init__(self, kb: KnowledgeBase) -> None:
        lexicon = kb.lexicon
        self._number_words: Mapping[str, float] = {
            k.lower(): v for k, v in lexicon.number_words.items()
        }
        self._units: dict[str, _Unit] = {}
        for dimension, units in lexicon.units.items():
            for spec in units.values():
                for word in spec.words:
                    self._units[word.lower()] = _Unit(dimension, spec.factor, spec.offset, word)
        self._decimal = (lexicon.decimal_word or "").lower()
        self._joiner = (lexicon.hundreds_joiner or "").lower()
        self._tens_joiner = (lexicon.tens_joiner or "").lower()
        self._halves = (
            re.compile(rf"\s+(?:{_alternation(list(lexicon.halves_after_unit))})(?![\w])", re.I)
            if lexicon.halves_after_unit
            else None
        )
        self._rate_words = frozenset(w.lower() for w in lexicon.rate_words)
        period_units = [
            w for spec in lexicon.units.get("duration", {}).values() for w in spec.words
        ]
        self._per_period = re.compile(
            rf"\s+(?:a|an|per|every|each)\s+(?:{_alternation(period_units)})(?![a-z])",
            re.IGNORECASE,
        )
        self._activities = frozenset(w.lower() for w in lexicon.activities_before_durations)
        self._lengths_before_a = frozenset(w.lower() for w in lexicon.lengths_before_a)
        other = [w.lower() for w in lexicon.other_durations]
        self._other_duration = (
            re.compile(
                r"\s*(?:-\s*)?(?:long\s+)?(?:of\s+(?:the\s+|my\s+|a\s+)?)?(?:"
                + "|".join(
                    re.escape(w[:-1]) + r"[\w'-]*" if w.endswith("*") else re.escape(w)
                    for w in other
                )
                + r")(?![\w'-])",
                re.IGNORECASE,
            )
            if other
            else None
        )
        alone = frozenset(w.lower() for w in lexicon.numbers_alone)
        simple = [
            w
            for w, v in self._number_words.items()
            if " " not in w and v == int(v) and w not in _NOT_IN_COMPOUNDS and w not in alone
        ]
        digit_words = [w for w in simple if 0 <= self._number_words[w] <= 9]
        hundreds = [w for w in simple if self._number_words[w] == _HUNDRED]
        joined = rf"(?:[ -](?:{_alternation(simple)}))"
        if hundreds and self._joiner:  # "a hundred and two"
            after_hundred = "|".join(rf"(?<={re.escape(w)})" for w in hundreds)
            joined = rf"(?:{joined}|(?:{after_hundred})\s+{re.escape(self._joiner)}(?=\s))"
        tens = [w for w in simple if _is_tens(self._number_words[w])]
        units_words = [w for w in digit_words if self._number_words[w] >= 1]
        if tens and units_words and self._tens_joiner:  # "treinta y cinco"
            after_tens = "|".join(rf"(?<={re.escape(w)})" for w in tens)
            joined = (
                rf"(?:{joined}|(?:{after_tens})\s+{re.escape(self._tens_joiner)}"
                rf"\s+(?:{_alternation(units_words)})(?![\w]))"
            )
        compound = rf"(?:{_alternation(simple)}){joined}*"
        ones = [w for w in self._number_words if self._number_words[w] == 1 and " " not in w]
        if hundreds and ones:  # "a hundred and two point four"
            compound = (
                rf"(?:(?:{_alternation(ones)})\s+(?=(?:{_alternation(hundreds)})\b))?{compound}"
            )
        if self._decimal and digit_words:
            compound += (
                rf"(?:\s+{re.escape(self._decimal)}(?:\s+(?:{_alternation(digit_words)}))+)?"
            )
        number = f"(?P<num>{_DIGITS}|{compound}|{_alternation(list(self._number_words))})"
        unit = f"(?P<unit>{_alternation(list(self._units))})"
        self._with_unit = re.compile(
            rf"(?<![\w.]){number}\+?\s*-?\s*{unit}(?![a-z])", re.IGNORECASE
        )
        self._not_measures = [
            (
                spec.dimension,
                frozenset(_squash(u) for u in spec.units),
                re.compile(
                    rf"(?<![\w])(?:{_alternation(list(spec.preceded_by))})"
                    + (rf"(?:\s+(?:{_alternation(list(spec.between))}))*" if spec.between else "")
                    + r"\s*$",
                    re.IGNORECASE,
                ),
                tuple(w.lower() for w in spec.unless_followed_by),
            )
            for spec in lexicon.not_measures
        ]
        self._phrases = {k.lower(): v for k, v in lexicon.duration_phrases.items()}
        self._phrase = (
            re.compile(
                rf"(?<![\w])(?P<phrase>{_alternation(list(self._phrases))})(?![\w])", re.IGNORECASE
            )
            if self._phrases
            else None
        )
        self._measured: list[Finding] = [f for f in kb.findings.values() if f.measure is not None]
        self._bare = [
            (
                f,
                re.compile(
                    rf"(?<![\w.])(?P<num>{_DIGITS})\s+(?:{_alternation(list(f.measure.bare_followed_by))})"
                    r"(?![a-z])",
                    re.IGNORECASE,
                ),
            )
            for f in self._measured
            if f.measure is not None and f.measure.bare_followed_by
        ]
        self._clock = ClockElapsed(kb)
        self._cue_owner: dict[str, Finding] = {}
        for finding in self._measured:
            for cue in finding.measure.cues if finding.measure is not None else ():
                self._cue_owner.setdefault(_squash(cue), finding)
        self._adjacent_owner: dict[str, Finding] = {}
        for finding in self._measured:
            for cue in finding.measure.adjacent_cues if finding.measure is not None else ():
                self._adjacent_owner.setdefault(_squash(cue), finding)
        self._adjacent = (
            re.compile(
                rf"(?<![a-z])(?P<cue>{_alternation(sorted(self._adjacent_owner))})"
                rf"\s*[:=]?\s*(?P<num>{_DIGITS}|{compound})(?![\d/])",
                re.IGNORECASE,
            )
            if self._adjacent_owner
            else None
        )
        cues = sorted(self._cue_owner)
        self._cued = (
            re.compile(
                rf"(?<![a-z])(?P<cue>{_alternation(cues)})(?![a-z])[^.\d]{{0,30}}?"
                rf"(?P<num>{_DIGITS}|{compound})(?![\d/])",
                re.IGNORECASE,
            )
            if cues
            else None
        )

    def read(self, text: str) -> list[Quantity]:
        """Every quantity in ``text`` that a finding's measure accepts."""
        found: list[Quantity] = []
        taken: list[tuple[int, int]] = []
        for finding, pattern in self._bare:
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
        for match in self._with_unit.finditer(text):
            if any(s <= match.start("num") < e for s, e in taken):
                continue
            number = self._number(match.group("num"))
            unit = self._units.get(_squash(match.group("unit")))
            if number is None or unit is None:
                continue
            base = number * unit.factor + unit.offset
            if unit.dimension == "temperature" and not unit.offset and base > _FAHRENHEIT_FLOOR:
                # "100 degrees" with no scale: too hot for Celsius, so Fahrenheit
                base = (number - 32) * 5 / 9
            if self._not_a_measure(text, match, unit):
                continue
            end = match.end()
            half = self._halves.match(text, end) if self._halves is not None else None
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
        if self._phrase is not None:
            for match in self._phrase.finditer(text):
                if match.span() in taken:
                    continue  # "media hora", "una hora y media": read once, with its unit
                minutes = self._phrases[_squash(match.group("phrase"))]
                for finding in self._accepting("duration", minutes, "", "", None):
                    found.append(Quantity.said(finding, minutes, match))
                    break
        if self._cued is not None:
            for match in self._cued.finditer(text):
                start, end = match.span("num")
                if any(s <= start < e for s, e in taken):
                    continue
                number = self._number(match.group("num"))
                owner = self._cue_owner.get(_squash(match.group("cue")))
                if number is None or owner is None or owner.measure is None:
                    continue
                measure = owner.measure
                number = _in_celsius(number, measure.dimension)
                if _in_range(number, measure.min, measure.max):
                    found.append(Quantity.said(owner, number, match, end))
        if self._adjacent is not None:
            for match in self._adjacent.finditer(text):
                start, end = match.span("num")
                if any(s <= start < e for s, e in taken) or any(
                    q.start <= start < q.end for q in found
                ):
                    continue
                number = self._number(match.group("num"))
                owner = self._adjacent_owner.get(_squash(match.group("cue")))
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
        if before and before[-1].strip(".,;:") in self._rate_words:
            return True
        return end is not None and bool(self._per_period.match(text, end))

    def _after_activity(self, text: str, start: int) -> bool:
        """ "drove six hours back", "ran for 20 minutes", "sleeping like 5 hours": the
        activity's length. Up to three length words ("for", "about", "like", "than") may
        stand between the activity and the number."""
        before = [w.strip(".,;:") for w in text[max(0, start - 50) : start].lower().split()]
        skipped = 0
        while before and skipped < 3 and before[-1] in self._lengths_before_a:
            before = before[:-1]
            skipped += 1
        return bool(before) and before[-1] in self._activities

    def _singular_rate(self, text: str, start: int, number: str) -> bool:
        """ "a day", "a night" are a length only after a length word ("for a day");
        otherwise a rate ("a fifth a day", "4-5 nights a week")."""
        if number.strip().lower() not in ("a", "an"):
            return False
        before = text[max(0, start - 20) : start].lower().split()
        return not before or before[-1].strip(".,;:") not in self._lengths_before_a

    def _not_a_measure(self, text: str, match: re.Match[str], unit: _Unit) -> bool:
        """Whether the words just before a number with a unit say it is no measure of the
        problem ("tengo 45 años": an age), unless what follows makes it one after all."""
        before = text[max(0, match.start() - 40) : match.start()]
        after = text[match.end() : match.end() + 24].lower()
        return any(
            dimension == unit.dimension
            and (not units or _squash(match.group("unit")) in units)
            and preceded.search(before) is not None
            and not (unless and _starts_with_any(after, unless))
            for dimension, units, preceded, unless in self._not_measures
        )

    def _measures_something_else(self, text: str, end: int) -> bool:
        """A duration followed by the thing it measures ("a 9-hour shift", "3 hours of
        driving") is that thing's length, not the symptom's."""
        return self._other_duration is not None and bool(self._other_duration.match(text, end))

    def _compound(self, words: list[str]) -> float | None:
        """ "thirty eight point five" -> 38.5; "forty-two" -> 42; "a hundred and two
        point four" -> 102.4; and, as a pulse or a temperature is said aloud,
        "one-thirty" -> 130 (a digit before a multiple of ten counts hundreds)."""
        whole = 0.0
        decimals = ""
        in_decimals = False
        previous: float | None = None
        for word in words:
            if word == self._decimal:
                in_decimals = True
                continue
            if word == self._joiner and previous == _HUNDRED:
                continue
            if word == self._tens_joiner and previous is not None and _is_tens(previous):
                continue
            value = self._number_words.get(word)
            if value is None:
                return None
            if in_decimals:
                decimals += str(int(value))
            elif value == _HUNDRED:
                whole = (whole or 1) * _HUNDRED
            elif previous is not None and 1 <= previous <= 9 and whole < 10 and _is_tens(value):
                whole = whole * _HUNDRED + value
            else:
                whole += value
            previous = value
        return whole + (float("0." + decimals) if decimals else 0.0)

    def _accepting(
        self, dimension: str, base: float, after: str, before: str, unit: _Unit | None
    ) -> Iterator[Finding]:
        """Findings whose measure takes this value, most specific (context words) first."""
        candidates = [
            f
            for f in self._measured
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
        cleaned = _squash(token)
        if cleaned in self._number_words:
            return float(self._number_words[cleaned])
        words = cleaned.replace("-", " ").split()
        if words and all(
            w in self._number_words or w in (self._decimal, self._joiner, self._tens_joiner)
            for w in words
        ):
            return self._compound(words)
        try:
            return float(cleaned.replace(",", "."))
        except ValueError:
            return None


_HUNDRED = 100


def _is_tens(value: float) -> bool:
    """Twenty, thirty ... ninety."""
    return value == int(value) and 20 <= value <= 90 and int(value) % 10 == 0


def _celsius(number: float, highest_celsius: float) -> float:
    """A temperature too high to be °C for this measure is read as °F."""
    return number if number <= highest_celsius else (number - 32) * 5 / 9


_NOT_IN_COMPOUNDS = frozenset({"a", "an", "few", "several", "couple"})
"""English number words that only ever stand alone; a lexicon names its own
(``numbers_alone``)."""


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


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
