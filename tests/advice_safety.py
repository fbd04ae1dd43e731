"""Scoring of advice-safety cases: is any advice offered to a person it could harm, and is
every warning the person needs shown?

A case (one JSON object a line) reads::

    {"id", "text", "age", "sex", "must_not_offer": [...], "must_warn": [...], "min_urgency"}

The categories are the case writers' own words for kinds of advice, independent of the
knowledge base's ids, so the cases stay valid whatever the items are called. They are
judged on what a person is shown: the home-care items offered (and first aid), and every
text of the answer (action, reasons, advice, cautions, withheld-advice notices).

Run ``python -m tests.advice_safety FILE...`` for the figures (a line per failing case).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crampcheck.domain.assessment import AdviceItem, Assessment
from crampcheck.domain.types import Sex, Urgency
from crampcheck.services.pipeline import Pipeline, default_pipeline

VIGNETTES = Path(__file__).parent / "advice_cases"

# What counts as offering each kind of advice: a pattern in an offered item's words.
_OFFERED: dict[str, re.Pattern[str]] = {
    "nsaid": re.compile(r"ibuprofen|naproxen|\bnsaids?\b|anti-inflammatory|aspirin", re.I),
    "massage": re.compile(r"massag|\brub\b|rubbing|knead", re.I),
    "heat": re.compile(
        r"(?<!the )\bheat\b(?! ?(?:illness|exhaustion|stroke|cramps?))|heat pack|hot pack"
        r"|warm (?:towel|bath)|warmth",
        re.I,
    ),
    "stretching": re.compile(r"stretch", re.I),
    "keep_moving": re.compile(
        r"keep (?:gently )?moving|stay (?:as )?active|walk a little|move gently", re.I
    ),
    "potassium_foods": re.compile(r"banana|potato|potassium", re.I),
    "push_fluids": re.compile(r"\bdrink\b|electrolyte|rehydrat|sip water|fluids", re.I),
    "acetaminophen": re.compile(r"acetaminophen|paracetamol|tylenol", re.I),
}
_NEGATED_LINE = re.compile(r"\b(?:do not|don't|never|avoid|not safe|stop)\b", re.I)

# What counts as giving each warning: a pattern anywhere in what the person is shown.
_WARNED: dict[str, re.Pattern[str]] = {
    "stop_nsaid": re.compile(
        r"(?:stop|do not take|don't take)[^.]{0,80}"
        r"(?:ibuprofen|naproxen|nsaid|anti-inflammatory|aspirin)"
        r"|(?:ibuprofen|naproxen|nsaid|anti-inflammatory)[^.]{0,80}\bstop",
        re.I,
    ),
    "acetaminophen_instead": re.compile(r"acetaminophen|paracetamol|tylenol", re.I),
    "kidney_diet": re.compile(
        r"kidney (?:team|doctor|clinic|dietitian|unit)[^.]{0,60}diet|renal diet"
        r"|diet[^.]{0,60}kidney (?:team|doctor|clinic|dietitian|unit)",
        re.I,
    ),
    "fluid_limit": re.compile(
        r"fluid (?:limit|restriction|advice|allowance)|limit (?:your )?fluids|told to limit", re.I
    ),
    "stop_quinine": re.compile(r"stop[^.]{0,60}quinine|quinine[^.]{0,80}\bstop", re.I),
    "statin_call_doctor": re.compile(
        r"statin[^.]{0,120}(?:stop|doctor|call)|(?:stop|doctor|call)[^.]{0,120}statin", re.I
    ),
    "no_massage": re.compile(r"(?:do not|don't|never)[^.]{0,20}(?:massage|rub)", re.I),
}
NOT_OFFERED = (*_OFFERED, "quinine", "home_care")
WARNINGS = (*_WARNED, "call_911", "same_day")


@dataclass(frozen=True)
class Verdict:
    """One case judged: what was offered that must not be, what warning was missing."""

    case_id: str
    urgency: Urgency
    wrongly_offered: tuple[str, ...]
    missing_warnings: tuple[str, ...]
    under_triaged: bool

    @property
    def safe(self) -> bool:
        return not (self.wrongly_offered or self.missing_warnings or self.under_triaged)


def _item_lines(item: AdviceItem) -> list[str]:
    return [item.title, item.text, *item.steps]


def _offered_lines(assessment: Assessment) -> list[str]:
    """The words of the advice a person is invited to follow (not warnings against it)."""
    lines: list[str] = []
    for item in assessment.advice:
        if item.kind in ("home", "first_aid"):
            lines.extend(line for line in _item_lines(item) if not _NEGATED_LINE.search(line))
    return lines


def shown_text(assessment: Assessment) -> str:
    """Everything a person reads in the answer."""
    parts = [assessment.action, *(r.text for r in assessment.reasons)]
    for item in assessment.advice:
        parts.extend(_item_lines(item))
        parts.extend(item.cautions)
    for notice in getattr(assessment, "withheld", ()):
        parts.extend(str(v) for v in vars(notice).values() if isinstance(v, str))
    return "\n".join(parts)


def _offers(category: str, assessment: Assessment) -> bool:
    if category == "home_care":
        return any(item.kind == "home" for item in assessment.advice)
    if category == "quinine":
        return any(
            "quinine" in (item.text + " ".join(item.steps)).lower()
            and re.search(r"may (?:consider|prescribe|suggest)", item.text, re.I) is not None
            for item in assessment.advice
        )
    pattern = _OFFERED[category]
    return any(pattern.search(line) for line in _offered_lines(assessment))


def _warns(category: str, assessment: Assessment, text: str) -> bool:
    if category == "call_911":
        return assessment.urgency is Urgency.EMERGENCY
    if category == "same_day":
        return assessment.urgency >= Urgency.URGENT
    return _WARNED[category].search(text) is not None


def judge(case: dict[str, Any], pipeline: Pipeline) -> Verdict:
    """Run one case through the whole check and judge what it shows."""
    sex = Sex(case["sex"]) if case.get("sex") else None
    assessment = pipeline.check_text(case["text"], case.get("age"), sex).assessment
    text = shown_text(assessment)
    return Verdict(
        case_id=case["id"],
        urgency=assessment.urgency,
        wrongly_offered=tuple(c for c in case["must_not_offer"] if _offers(c, assessment)),
        missing_warnings=tuple(c for c in case["must_warn"] if not _warns(c, assessment, text)),
        under_triaged=assessment.urgency < Urgency(case["min_urgency"]),
    )


def load_cases(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every case of these JSON Lines files, checked against the vocabularies."""
    cases = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            unknown = (set(case["must_not_offer"]) - set(NOT_OFFERED)) | (
                set(case["must_warn"]) - set(WARNINGS)
            )
            if unknown:
                raise ValueError(f"{path.name} {case['id']}: unknown categories {sorted(unknown)}")
            cases.append(case)
    return cases


def main(argv: Sequence[str]) -> int:
    """Print the share of fully safe cases, then each failure."""
    pipeline = default_pipeline()
    cases = load_cases(Path(a) for a in argv)
    verdicts = [judge(case, pipeline) for case in cases]
    safe = sum(v.safe for v in verdicts)
    print(f"fully safe: {safe}/{len(verdicts)}")
    for category in NOT_OFFERED:
        asked = [v for v, c in zip(verdicts, cases, strict=True) if category in c["must_not_offer"]]
        if asked:
            wrong = sum(category in v.wrongly_offered for v in asked)
            print(f"  withheld {category}: {len(asked) - wrong}/{len(asked)}")
    for category in WARNINGS:
        asked = [v for v, c in zip(verdicts, cases, strict=True) if category in c["must_warn"]]
        if asked:
            missing = sum(category in v.missing_warnings for v in asked)
            print(f"  warned {category}: {len(asked) - missing}/{len(asked)}")
    print(f"  not under-triaged: {sum(not v.under_triaged for v in verdicts)}/{len(verdicts)}")
    for verdict in verdicts:
        if not verdict.safe:
            print(
                f"  {verdict.case_id}: {verdict.urgency.value}"
                f" offered={list(verdict.wrongly_offered)}"
                f" missing={list(verdict.missing_warnings)}"
                f"{' UNDER-TRIAGED' if verdict.under_triaged else ''}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
