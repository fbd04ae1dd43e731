"""The adaptive interview in a terminal: one question at a time, with Back and "Don't know",
in the language of the moment (the questions are the knowledge base's, in its overlay for
that language; the prompts are the catalogue's)."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

from rich.console import Console

from crampcheck.cli.terminal import render_result
from crampcheck.domain.i18n import _, current_language
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


@dataclass(frozen=True)
class Commands:
    """What a person may type besides an answer, in one language's words."""

    yes: frozenset[str]
    no: frozenset[str]
    dont_know: frozenset[str]
    why: frozenset[str]
    back: frozenset[str]
    quit: frozenset[str]

    def __or__(self, other: Commands) -> Commands:
        return Commands(*(getattr(self, f.name) | getattr(other, f.name) for f in fields(Commands)))


_ENGLISH = Commands(
    yes=frozenset({"y", "yes"}),
    no=frozenset({"n", "no"}),
    dont_know=frozenset({"?", "dont know", "don't know", "unknown"}),
    why=frozenset({"why"}),
    back=frozenset({"b"}),
    quit=frozenset({"q"}),
)
_COMMANDS = {
    "en": _ENGLISH,
    # The English words are taken too: "y" and "b" mean nothing else in Spanish.
    "es": _ENGLISH
    | Commands(
        yes=frozenset({"s", "si", "sí"}),
        no=frozenset({"n", "no"}),
        dont_know=frozenset({"no se", "no sé", "nose"}),
        why=frozenset({"por que", "por qué", "porque"}),
        back=frozenset({"a", "atras", "atrás"}),
        quit=frozenset({"x", "salir"}),
    ),
}


def commands() -> Commands:
    """The commands in the language of the moment."""
    return _COMMANDS.get(current_language(), _ENGLISH)


def _help() -> str:
    return _("Answer, or type: ? = don't know, why = why we ask, b = back, q = quit")


def _ask(console: Console, question: Question, shown: Progress) -> str:
    heading = _("Question %(number)d of about %(total)d.") % {
        "number": shown.number,
        "total": shown.total,
    }
    console.print(f"\n[bold]{heading}[/bold] {question.text}")
    if question.select in ("many", "one"):
        for index, option in enumerate(question.options, start=1):
            console.print(f"  {index:2}. {option.label}")
        console.print("   0. " + _("None of these"))
        hint = (
            _("numbers separated by commas, 0 for none")
            if question.select == "many"
            else _("one number, 0 for none")
        )
        console.print(f"  ({hint}; {_help()})", style="dim")
    elif question.select == "boolean":
        console.print("  (" + _("y = yes, n = no") + f"; {_help()})", style="dim")
    else:
        unit = _("a number of %(unit)s") % {"unit": question.unit}
        console.print(f"  ({unit}; {_help()})", style="dim")
    return console.input("> ").strip().lower()


def _reply(question: Question, typed: str) -> Reply:
    """What was typed, as a reply to ``question``; :class:`AnswerError` when it cannot
    be read at all (the interview service decides whether the question takes it)."""
    words = commands()
    if typed in words.dont_know:
        return Reply(dont_know=True)
    if question.select in ("many", "one"):
        if typed == "0" or typed in words.no or typed in ("none", "ninguno", "ninguna"):
            return Reply(none=True)
        try:
            picks = [int(p) for p in typed.replace(" ", "").split(",") if p]
        except ValueError:
            raise AnswerError(_("type the numbers of the options, separated by commas")) from None
        if 0 in picks:
            return Reply(
                chosen=tuple(question.options[p - 1].finding_id for p in picks if p), none=True
            )
        if any(not 1 <= p <= len(question.options) for p in picks):
            raise AnswerError(
                _("choose numbers from 1 to %(count)d") % {"count": len(question.options)}
            )
        return Reply(chosen=tuple(question.options[p - 1].finding_id for p in picks))
    if question.select == "boolean":
        return Reply(yes=True if typed in words.yes else False if typed in words.no else None)
    try:
        return Reply(number=float(typed))
    except ValueError:
        raise AnswerError(_("type a number of %(unit)s") % {"unit": question.unit}) from None


def _refused() -> dict[str, str]:
    return {
        "not_an_option": _("choose from the options shown"),
        "only_one": _("choose only one option"),
        "yes_or_no": _("type y or n (or ? if you don't know)"),
        "choose": _("type the numbers of the options that apply, or 0 for none of these"),
        "none_and_chosen": _("0 (none of these) cannot go with an option: type one or the other"),
    }


def _apply(case: Case, question: Question, typed: str) -> Case:
    try:
        return apply_reply(case, question, _reply(question, typed))
    except ReplyError as error:
        message = _refused().get(error.reason) or (
            _("type a number of %(unit)s from 0 to %(most)s")
            % {"unit": question.unit, "most": f"{MAX_NUMBER:,.0f}"}
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
    console.print(
        _("crampcheck interview. If this is an emergency, call %(number)s now.")
        % {"number": pipeline.emergency_number},
        style="bold",
    )
    while True:
        question = next_question(case, pipeline.kb)
        if question is None:
            break
        shown = progress(pipeline.check_case(case), pipeline.kb, len(history) + 1, last_total)
        try:
            reply = _ask(console, question, shown)
        except EOFError:
            console.print("\n" + _("No more input: showing the result with what is known so far."))
            break
        words = commands()
        if reply in words.quit:
            return 0
        if reply in words.why:
            console.print("  " + _("Why we ask:") + f" {question.why}")
            continue
        if reply in words.back:
            if history:
                case, last_total = history.pop()
            else:
                console.print("  " + _("This is the first question."))
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
