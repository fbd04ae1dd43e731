"""Score crampcheck against vignettes: urgency agreement, under- and over-triage, kind.

A vignette is one JSON object a line: ``id``, ``text``, ``age``, ``sex``,
``expected_urgency``, ``expected_kind`` (other fields, such as a reading case's
``findings`` or ``rationale``, are ignored). The text may be in English or Spanish: each
is read in the language it is written in, and the report says how many were read in
which. Under-triage (an answer below the expected level) is the dangerous error; it is
counted with how many levels it missed by.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crampcheck.domain.types import Case, FindingState, Kind, Sex, Urgency
from crampcheck.engine.assess import assess
from crampcheck.engine.interview import answer, next_question
from crampcheck.engine.rules import with_implications
from crampcheck.services.pipeline import CheckResult, Pipeline

MAX_INTERVIEW_QUESTIONS = 60
"""A guard against a runaway interview; a well-formed knowledge base stops far sooner."""


class VignetteError(ValueError):
    """A vignette line that cannot be used; the message names the line."""


@dataclass(frozen=True)
class Vignette:
    """One test case with the answer a careful clinician would give."""

    id: str
    text: str
    age: int | None
    sex: Sex | None
    expected_urgency: Urgency
    expected_kind: Kind


def read_vignettes(path: Path) -> tuple[list[Vignette], list[str]]:
    """Parse a vignette file; bad lines are reported by number and skipped."""
    vignettes: list[Vignette] = []
    problems: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                vignettes.append(_vignette(json.loads(line)))
            except (json.JSONDecodeError, VignetteError, ValueError, TypeError) as error:
                problems.append(f"line {number}: {error}")
    return vignettes, problems


def _vignette(data: Any) -> Vignette:
    if not isinstance(data, dict):
        raise VignetteError("not a JSON object")
    missing = [k for k in ("id", "text", "expected_urgency", "expected_kind") if k not in data]
    if missing:
        raise VignetteError(f"missing {', '.join(missing)}")
    age = data.get("age")
    if age is not None and (not isinstance(age, int) or isinstance(age, bool)):
        raise VignetteError("age must be a whole number")
    sex = data.get("sex")
    return Vignette(
        id=str(data["id"]),
        text=str(data["text"]),
        age=age,
        sex=Sex(sex) if sex else None,
        expected_urgency=Urgency(data["expected_urgency"]),
        expected_kind=Kind(data["expected_kind"]),
    )


@dataclass(frozen=True)
class Miss:
    """A vignette where the answer differs from the expected one, and why."""

    id: str
    expected_urgency: Urgency
    got_urgency: Urgency
    expected_kind: Kind
    got_kind: Kind
    rules: tuple[str, ...]
    findings: tuple[str, ...]
    text: str


@dataclass
class Score:
    """Agreement figures for a set of vignettes."""

    total: int = 0
    exact: int = 0
    kind_correct: int = 0
    under: Counter[int] = field(default_factory=Counter)
    over: Counter[int] = field(default_factory=Counter)
    emergencies: int = 0
    emergencies_caught: int = 0
    matrix: dict[str, Counter[str]] = field(
        default_factory=lambda: {u.value: Counter() for u in Urgency}
    )
    misses: list[Miss] = field(default_factory=list)
    read_in: Counter[str] = field(default_factory=Counter)
    """How many texts were read in each language or pair of languages ("es", "en+es"),
    "neither" for a text in neither: a Spanish set read as English would be scored on
    the wrong reader."""

    def add(self, vignette: Vignette, result: CheckResult) -> None:
        got = result.assessment.urgency
        kind = result.assessment.kind
        self.total += 1
        if result.reading is not None:
            self.read_in["+".join(sorted(result.reading.languages)) or "neither"] += 1
        self.matrix[vignette.expected_urgency.value][got.value] += 1
        distance = got.rank - vignette.expected_urgency.rank
        if distance == 0:
            self.exact += 1
        elif distance < 0:
            self.under[-distance] += 1
        else:
            self.over[distance] += 1
        if vignette.expected_urgency is Urgency.EMERGENCY:
            self.emergencies += 1
            self.emergencies_caught += got is Urgency.EMERGENCY
        self.kind_correct += kind is vignette.expected_kind
        if distance != 0 or kind is not vignette.expected_kind:
            present = sorted(
                f for f, s in result.case.findings.items() if s is FindingState.PRESENT
            )
            self.misses.append(
                Miss(
                    vignette.id,
                    vignette.expected_urgency,
                    got,
                    vignette.expected_kind,
                    kind,
                    tuple(r.rule_id for r in result.assessment.reasons),
                    tuple(present),
                    vignette.text,
                )
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "exact_urgency": self.exact,
            "exact_urgency_rate": _rate(self.exact, self.total),
            "under_triage": sum(self.under.values()),
            "under_triage_by_levels": {str(k): v for k, v in sorted(self.under.items())},
            "over_triage": sum(self.over.values()),
            "over_triage_by_levels": {str(k): v for k, v in sorted(self.over.items())},
            "emergency_sensitivity": _rate(self.emergencies_caught, self.emergencies),
            "emergencies": self.emergencies,
            "emergencies_caught": self.emergencies_caught,
            "kind_correct": self.kind_correct,
            "kind_accuracy": _rate(self.kind_correct, self.total),
            "confusion_matrix": {k: dict(v) for k, v in self.matrix.items()},
            "read_in": dict(sorted(self.read_in.items())),
            "misses": [
                {
                    "id": m.id,
                    "expected_urgency": m.expected_urgency.value,
                    "got_urgency": m.got_urgency.value,
                    "expected_kind": m.expected_kind.value,
                    "got_kind": m.got_kind.value,
                    "rules": list(m.rules),
                    "findings": list(m.findings),
                }
                for m in self.misses
            ],
        }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def score_free_text(pipeline: Pipeline, vignettes: list[Vignette]) -> Score:
    """Run each vignette's text through the reader and the engine."""
    score = Score()
    results = pipeline.check_texts([(v.text, v.age, v.sex) for v in vignettes])
    for vignette, result in zip(vignettes, results, strict=True):
        score.add(vignette, result)
    return score


@dataclass(frozen=True)
class WordsRun:
    """The interview as the browser takes it: after the description was read and its
    findings confirmed, the questions that are still asked."""

    questions: int
    questions_to_emergency: int | None
    urgency: Urgency
    options_shown: tuple[int, ...] = ()


@dataclass(frozen=True)
class InterviewRun:
    """One simulated interview: how many questions, and when an emergency became clear."""

    id: str
    questions: int
    questions_to_emergency: int | None
    urgency: Urgency
    kind: Kind
    free_text_urgency: Urgency
    free_text_kind: Kind
    question_ids: tuple[str, ...]
    options_shown: tuple[int, ...] = ()
    """How many options each screen showed a person (1 for a yes/no or number question)."""
    after_words: WordsRun | None = None
    """The same person's interview after their description (the browser's path)."""


@dataclass(frozen=True)
class _Asked:
    """What one simulated interview asked and how it ended."""

    question_ids: tuple[str, ...]
    options_shown: tuple[int, ...]
    to_emergency: int | None
    case: Case


def simulate_interview(pipeline: Pipeline, vignette: Vignette) -> InterviewRun:
    """Interview a simulated person who answers from what the vignette's text says.

    The person says yes to what the reader found present, gives the numbers it found,
    and says no to anything not mentioned (don't know for a number not mentioned). It is
    run twice: from the first screen with nothing known (the interview alone), and from
    what the description says, every finding read in it confirmed (``after_words``: the
    path the browser takes, the text read first, then the interview).
    """
    kb = pipeline.kb
    truth_result = pipeline.check_text(vignette.text, vignette.age, vignette.sex)
    truth = with_implications(truth_result.case, kb)
    alone = _interview(Case(age=vignette.age, sex=vignette.sex), truth, pipeline)
    final = assess(alone.case, kb)
    words = _interview(truth_result.case, truth, pipeline)
    return InterviewRun(
        vignette.id,
        len(alone.question_ids),
        alone.to_emergency,
        final.urgency,
        final.kind,
        truth_result.assessment.urgency,
        truth_result.assessment.kind,
        alone.question_ids,
        alone.options_shown,
        WordsRun(
            len(words.question_ids),
            words.to_emergency,
            assess(words.case, kb).urgency,
            words.options_shown,
        ),
    )


def _interview(case: Case, truth: Case, pipeline: Pipeline) -> _Asked:
    """Ask from ``case`` until the interview stops, answering as ``truth`` says."""
    kb = pipeline.kb
    asked: list[str] = []
    shown: list[int] = []
    to_emergency = 0 if assess(case, kb).urgency is Urgency.EMERGENCY else None
    while len(asked) < MAX_INTERVIEW_QUESTIONS:
        question = next_question(case, kb)
        if question is None:
            break
        asked.append(question.id)
        shown.append(len(question.options))
        if question.select in ("many", "one"):
            # A kind of trouble ("which of these apply") is ticked when any finding
            # behind it is present.
            chosen = [
                o.finding_id
                for o in question.options
                if any(
                    truth.state(f) is FindingState.PRESENT
                    for f in (o.finding_id, *kb.opens.get(o.finding_id, ()))
                )
            ]
            case = answer(case, question, chosen=chosen[:1] if question.select == "one" else chosen)
        elif question.select == "boolean":
            finding_id = question.options[0].finding_id
            case = answer(case, question, yes=truth.state(finding_id) is FindingState.PRESENT)
        else:
            value = truth.value(question.options[0].finding_id)
            case = (
                answer(case, question, number=value)
                if value is not None
                else answer(case, question, dont_know=True)
            )
        if to_emergency is None and assess(case, kb).urgency is Urgency.EMERGENCY:
            to_emergency = len(asked)
    return _Asked(tuple(asked), tuple(shown), to_emergency, case)


def interview_summary(runs: Iterable[InterviewRun], vignettes: list[Vignette]) -> dict[str, Any]:
    """Question counts and disagreements between the interview and the free-text path."""
    runs = list(runs)
    expected = {v.id: v for v in vignettes}
    counts = [r.questions for r in runs]
    emergency_runs = [r for r in runs if expected[r.id].expected_urgency is Urgency.EMERGENCY]
    to_emergency = [r.questions_to_emergency for r in emergency_runs]
    recognised = [n for n in to_emergency if n is not None]
    options = [sum(r.options_shown) for r in runs]
    largest: tuple[int, str, str] | None = None
    for run in runs:
        for question_id, shown in zip(run.question_ids, run.options_shown, strict=True):
            if largest is None or shown > largest[0]:
                largest = (shown, question_id, run.id)
    score = Score()
    for run in runs:
        score.add(expected[run.id], _FakeResult.of(run))
    return {
        "cases": len(runs),
        "questions_median": statistics.median(counts) if counts else None,
        "questions_max": max(counts) if counts else None,
        "options_shown_median": statistics.median(options) if options else None,
        "options_shown_max": max(options) if options else None,
        "largest_screen": (
            None
            if largest is None
            else {"options": largest[0], "question": largest[1], "vignette": largest[2]}
        ),
        "emergency_cases": len(emergency_runs),
        "emergency_recognised": len(recognised),
        "questions_to_emergency_median": statistics.median(recognised) if recognised else None,
        "questions_to_emergency_max": max(recognised) if recognised else None,
        "interview_score": {
            k: v for k, v in score.as_dict().items() if k not in ("misses", "confusion_matrix")
        },
        "disagreements": [
            {
                "id": r.id,
                "interview_urgency": r.urgency.value,
                "free_text_urgency": r.free_text_urgency.value,
                "interview_kind": r.kind.value,
                "free_text_kind": r.free_text_kind.value,
                "questions": list(r.question_ids),
            }
            for r in runs
            if r.urgency is not r.free_text_urgency or r.kind is not r.free_text_kind
        ],
        "after_words": _after_words_summary(runs, expected),
    }


def _after_words_summary(
    runs: Sequence[InterviewRun], expected: Mapping[str, Vignette]
) -> dict[str, Any] | None:
    """Screens and options per case on the browser's path (the description read first),
    and the emergencies clear by its end (after how many screens: 0 when the words
    alone said so)."""
    words = [r.after_words for r in runs if r.after_words is not None]
    if not words:
        return None
    counts = [w.questions for w in words]
    options = [sum(w.options_shown) for w in words]
    emergency = [
        r.after_words
        for r in runs
        if r.after_words is not None and expected[r.id].expected_urgency is Urgency.EMERGENCY
    ]
    recognised = [n for n in (w.questions_to_emergency for w in emergency) if n is not None]
    return {
        "cases": len(words),
        "questions_median": statistics.median(counts),
        "questions_max": max(counts),
        "options_shown_median": statistics.median(options),
        "options_shown_max": max(options),
        "largest_screen": max((n for w in words for n in w.options_shown), default=0),
        "emergency_cases": len(emergency),
        "emergency_recognised": len(recognised),
        "questions_to_emergency_median": statistics.median(recognised) if recognised else None,
        "questions_to_emergency_max": max(recognised) if recognised else None,
    }


class _FakeResult(CheckResult):
    """Adapts an interview run to the scoring interface (urgency and kind only)."""

    @classmethod
    def of(cls, run: InterviewRun) -> CheckResult:
        from crampcheck.domain.assessment import Assessment

        assessment = Assessment(run.urgency, "", (), run.kind, (), (), (), (), 0, "", "")
        return CheckResult(Case(), assessment)


def iter_jsonl(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered non-blank lines of a JSON-lines file."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line
