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
        largest = interview["largest_screen"]
        console.print(
            f"Interview reading: screens per case median {interview['questions_median']}, "
            f"max {interview['questions_max']}; options shown per case median "
            f"{interview['options_shown_median']}, max {interview['options_shown_max']}; "
            f"largest screen {largest['options'] if largest else 0} options"
            + (f" ({largest['question']}, {largest['vignette']})" if largest else ""),
            markup=False,
        )
        words = interview.get("after_words")
        if words:
            console.print(
                f"After the words: screens per case median {words['questions_median']}, max "
                f"{words['questions_max']}; options shown per case median "
                f"{words['options_shown_median']}, max {words['options_shown_max']}; largest "
                f"screen {words['largest_screen']} options; emergencies clear "
                f"{words['emergency_recognised']}/{words['emergency_cases']} after a median of "
                f"{words['questions_to_emergency_median']} "
                f"(max {words['questions_to_emergency_max']}) screens",
                markup=False,
            )
        score = interview["interview_score"]
        console.print(
            f"Interview triage: exact urgency {score['exact_urgency']}/{score['total']} "
            f"({_pct(score['exact_urgency_rate'])}); under-triage {score['under_triage']} "
            f"(by levels: {score['under_triage_by_levels'] or 'none'}); emergencies caught "
            f"{score['emergencies_caught']}/{score['emergencies']}; kind "
            f"{score['kind_correct']}/{score['total']}",
            markup=False,
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
    read_in = report.get("read_in") or {}
    if read_in:
        console.print(
            "read in: " + ", ".join(f"{language} {n}" for language, n in read_in.items()),
            markup=False,
        )


def _median_max(figures: dict[str, Any] | None, name: str) -> str:
    if not figures:
        return "-"
    return f"{figures[name + '_median']} / {figures[name + '_max']}"


def render_interview_sets(console: Console, reports: dict[str, dict[str, Any]]) -> None:
    """One row per vignette set: what the interview made a person read, and how its
    answers agreed with the expected ones (printed after the sets' own reports)."""
    table = Table(title="Interview, per vignette set")
    for heading in (
        "set",
        "cases",
        "screens median/max",
        "options shown median/max",
        "largest screen",
        "after the words: screens",
        "after the words: options",
        "exact urgency",
        "under-triage",
        "emergencies",
    ):
        table.add_column(heading, justify="left" if heading == "set" else "right")
    for name, report in reports.items():
        interview = report["interview"]
        score = interview["interview_score"]
        largest = interview["largest_screen"]
        table.add_row(
            name.rsplit("/", 1)[-1],
            str(interview["cases"]),
            f"{interview['questions_median']} / {interview['questions_max']}",
            f"{interview['options_shown_median']} / {interview['options_shown_max']}",
            str(largest["options"] if largest else 0),
            _median_max(interview.get("after_words"), "questions"),
            _median_max(interview.get("after_words"), "options_shown"),
            f"{score['exact_urgency']}/{score['total']}",
            str(score["under_triage"]),
            f"{score['emergencies_caught']}/{score['emergencies']}",
        )
    console.print(table)
