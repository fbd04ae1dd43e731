"""Vignette evaluation as a terminal report."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from crampcheck.domain.types import Urgency

LEVELS = [u.value for u in Urgency]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def render_eval(console: Console, report: dict[str, Any]) -> None:
    """Confusion matrix, agreement, under/over-triage, sensitivity, kind, misses."""
    matrix = Table(title="Urgency: expected (rows) vs crampcheck (columns)")
    matrix.add_column("expected \\ got")
    for level in LEVELS:
        matrix.add_column(level, justify="right")
    for expected in LEVELS:
        row = report["confusion_matrix"][expected]
        matrix.add_row(expected, *[str(row.get(got, 0)) for got in LEVELS])
    console.print(matrix)
    if report["misses"]:
        console.print("Misses:")
        for miss in report["misses"]:
            console.print(
                f"  {miss['id']}: expected {miss['expected_urgency']}/{miss['expected_kind']}, "
                f"got {miss['got_urgency']}/{miss['got_kind']}; rules: "
                f"{', '.join(miss['rules']) or 'none'}; findings: {', '.join(miss['findings'])}",
                markup=False,
            )
    if "interview" in report:
        interview = report["interview"]
        console.print(
            f"Interview: {interview['cases']} cases, questions median "
            f"{interview['questions_median']}, max {interview['questions_max']}; emergencies "
            f"recognised {interview['emergency_recognised']}/{interview['emergency_cases']} "
            f"after a median of {interview['questions_to_emergency_median']} "
            f"(max {interview['questions_to_emergency_max']}) questions"
        )
        for item in interview["disagreements"]:
            console.print(
                f"  disagreement {item['id']}: interview {item['interview_urgency']}/"
                f"{item['interview_kind']}, free text {item['free_text_urgency']}/"
                f"{item['free_text_kind']}",
                markup=False,
            )
    under = report["under_triage_by_levels"]
    over = report["over_triage_by_levels"]
    console.print(f"cases: {report['total']}")
    console.print(
        f"exact urgency: {report['exact_urgency']}/{report['total']} "
        f"({_pct(report['exact_urgency_rate'])})"
    )
    console.print(
        f"under-triage: {report['under_triage']} "
        f"(by levels: {under or 'none'}); over-triage: {report['over_triage']} "
        f"(by levels: {over or 'none'})"
    )
    console.print(
        f"emergency sensitivity: {report['emergencies_caught']}/{report['emergencies']} "
        f"({_pct(report['emergency_sensitivity'])})"
    )
    console.print(
        f"kind accuracy: {report['kind_correct']}/{report['total']} "
        f"({_pct(report['kind_accuracy'])})"
    )
