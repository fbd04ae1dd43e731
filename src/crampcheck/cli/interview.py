"""The adaptive interview in a terminal: one question at a time, with Back and "Don't know"."""

from __future__ import annotations

import json

from rich.console import Console

from crampcheck.cli.terminal import render_result
from crampcheck.domain.types import Case
from crampcheck.services.interview import (
    MAX_NUMBER,
    AnswerError,
    Progress,
    Question,
    Reply,
    ReplyError,
    apply_reply,
    next_question,
    progress,
)
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.serialize import result_to_dict

HELP = "Answer, or type: ? = don't know, why = why we ask, b = back, q = quit"


def _ask(console: Console, question: Question, shown: Progress) -> str:
    console.print(f"\n[bold]Question {shown.number} of about {shown.total}.[/bold] {question.text}")
    if question.select in ("many", "one"):
        for index, option in enumerate(question.options, start=1):
            console.print(f"  {index:2}. {option.label}")
        console.print("   0. None of these")
        hint = (
            "numbers separated by commas, 0 for none"
            if question.select == "many"
            else "one number, 0 for none"
        )
        console.print(f"  ({hint}; {HELP})", style="dim")
    elif question.select == "boolean":
        console.print(f"  (y = yes, n = no; {HELP})", style="dim")
    else:
        console.print(f"  (a number of {question.unit}; {HELP})", style="dim")
    return console.input("> ").strip().lower()


def _reply(question: Question, typed: str) -> Reply:
    """What was typed, as a reply to ``question``; :class:`AnswerError` when it cannot
    be read at all (the interview service decides whether the question takes it)."""
    if typed in ("?", "dont know", "don't know", "unknown"):
        return Reply(dont_know=True)
    if question.select in ("many", "one"):
        if typed in ("0", "none", "no", "n"):
            return Reply(none=True)
        try:
            picks = [int(p) for p in typed.replace(" ", "").split(",") if p]
        except ValueError:
            raise AnswerError("type the numbers of the options, separated by commas") from None
        if 0 in picks:
            return Reply(
                chosen=tuple(question.options[p - 1].finding_id for p in picks if p), none=True
            )
        if any(not 1 <= p <= len(question.options) for p in picks):
            raise AnswerError(f"choose numbers from 1 to {len(question.options)}")
        return Reply(chosen=tuple(question.options[p - 1].finding_id for p in picks))
    if question.select == "boolean":
        return Reply(yes={"y": True, "yes": True, "n": False, "no": False}.get(typed))
    try:
        return Reply(number=float(typed))
    except ValueError:
        raise AnswerError(f"type a number of {question.unit}") from None


_REFUSED = {
    "not_an_option": "choose from the options shown",
    "only_one": "choose only one option",
    "yes_or_no": "type y or n (or ? if you don't know)",
    "choose": "type the numbers of the options that apply, or 0 for none of these",
    "none_and_chosen": "0 (none of these) cannot go with an option: type one or the other",
}


def _apply(case: Case, question: Question, typed: str) -> Case:
    try:
        return apply_reply(case, question, _reply(question, typed))
    except ReplyError as error:
        message = _REFUSED.get(error.reason) or (
            f"type a number of {question.unit} from 0 to {MAX_NUMBER:,.0f}"
        )
        raise AnswerError(message) from None


def run_interview(pipeline: Pipeline, case: Case, console: Console, as_json: bool = False) -> int:
    """Ask until nothing could change the answer, then print the report.

    With ``as_json`` the questions go to standard error, so standard output carries
    only the final JSON object.
    """
    if as_json:
        console = Console(stderr=True, highlight=False)
    history: list[tuple[Case, int | None]] = []
    last_total: int | None = None
    console.print("crampcheck interview. If this is an emergency, call 911 now.", style="bold")
    while True:
        question = next_question(case, pipeline.kb)
        if question is None:
            break
        shown = progress(pipeline.check_case(case), pipeline.kb, len(history) + 1, last_total)
        try:
            reply = _ask(console, question, shown)
        except EOFError:
            console.print("\nNo more input: showing the result with what is known so far.")
            break
        if reply == "q":
            return 0
        if reply == "why":
            console.print(f"  Why we ask: {question.why}")
            continue
        if reply == "b":
            if history:
                case, last_total = history.pop()
            else:
                console.print("  This is the first question.")
            continue
        try:
            new_case = _apply(case, question, reply)
        except AnswerError as error:
            console.print(f"  {error}", style="red")
            continue
        history.append((case, last_total))
        case, last_total = new_case, shown.total
    data = result_to_dict(pipeline.check_case(case), pipeline.kb)
    if as_json:
        print(json.dumps(data))
    else:
        console.print()
        render_result(console, data)
    return 0
