"""The check: describe it in your own words, or answer one question at a time; then the result.

Both ways meet: the words are read back as findings the person confirms or corrects,
then the engine's next questions follow until nothing could change the answer. An
emergency ends the check at once. Every step is a plain form POST; the check so far
travels in a hidden field (see :mod:`crampcheck.web.pages.flow`). Describing the episode,
confirming it, answering each question and finishing the check lead to addresses of
their own, kept on the server (see :mod:`crampcheck.web.pages.check_saved`), so reload,
Back and Forward lose nothing and never send an answer twice.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from crampcheck.domain.limits import MAX_TEXT_CHARS, unusable_text
from crampcheck.domain.types import FindingState, Urgency
from crampcheck.services import check_steps
from crampcheck.services.interview import (
    AnswerError,
    Question,
    Reply,
    ReplyError,
    next_question,
    progress,
)
from crampcheck.services.pipeline import CheckResult
from crampcheck.services.units import shown_values
from crampcheck.web.auth import DbDep
from crampcheck.web.checking import given, run_check
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _, in_every_language
from crampcheck.web.pages.check_saved import (
    draft_flow,
    expired_page,
    finish,
    go_to,
    question_draft,
    save_draft,
    save_question,
)
from crampcheck.web.pages.flow import (
    BadState,
    FlowState,
    decode_state,
    list_field,
    text_field,
)
from crampcheck.web.pages.refused import Refusal, refused
from crampcheck.web.pages.render import page
from crampcheck.web.pages.result import denied_labels, flow_part, in_shown_units, reading_chips
from crampcheck.web.pages.views import ConfirmView, DescribeView, QuestionView
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)


def neither_language_notice() -> tuple[tuple[str, str], ...]:
    """For words in a language crampcheck does not read: saying so in each one it does."""
    return in_every_language(
        "We read descriptions in English and Spanish only, and could not read this one. "
        "Please write it in English or Spanish, or continue and answer a few short questions."
    )


SEXES = ("female", "male")


async def read_form(request: Request) -> FormData:
    """The submitted form (a malformed body becomes a 400 page, never a 500); a field
    holding text no person types (NUL or another control character, half an emoji) is
    refused with the 422 page before anything reads it."""
    form = await request.form(max_files=0, max_fields=400)
    if unusable_text([value for _name, value in form.multi_items()]) is not None:
        raise HTTPException(422, "The form holds characters that are not valid text.")
    return form


def bad_state_page(request: Request, state: AppState) -> HTMLResponse:
    """The page for a check whose carried answers cannot be used."""
    return refused(request, state, Refusal.CHECK_STATE)


# ----------------------------------------------------------------- describe it in words


@router.get("/check")
def describe_form(request: Request, state: StateDep) -> HTMLResponse:
    """Describe the episode in your own words."""
    return _describe_page(request, state, {"text": "", "age": "", "sex": ""}, {})


def _describe_page(
    request: Request,
    state: AppState,
    values: dict[str, str],
    errors: dict[str, str],
) -> HTMLResponse:
    view: DescribeView = {"form": values, "errors": errors, "max_chars": MAX_TEXT_CHARS}
    status = 422 if errors else 200
    return page(request, state, "check_describe.html", view, status_code=status, htmx=True)


@router.get("/check/words/{token}")
def describe_again(request: Request, state: StateDep, db: DbDep, token: str) -> HTMLResponse:
    """The description of a check in progress, to change."""
    flow = draft_flow(db, token)
    if flow is None:
        return expired_page(request, state, gone=False)
    values = {"text": flow.text or "", "age": "" if flow.age is None else str(flow.age)}
    return _describe_page(request, state, {**values, "sex": flow.sex or ""}, {})


@router.post("/check", response_model=None)
async def describe_submit(request: Request, state: StateDep) -> Response:
    """Read the words, keep them, then show what was read at its own address (or the
    result, for an emergency)."""
    form = await read_form(request)
    text = text_field(form, "text", MAX_TEXT_CHARS)
    age_raw = text_field(form, "age", 20).strip()
    sex = text_field(form, "sex", 20).strip()
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = _("Please describe what is happening, in a few words.")
    elif len(text) > MAX_TEXT_CHARS:
        errors["text"] = _("Please shorten your description to %(count)d characters or fewer.") % {
            "count": MAX_TEXT_CHARS
        }
    age: int | None = None
    if age_raw:
        try:
            age = int(age_raw)
        except ValueError:
            age = -1
        if not 0 <= age <= 120:
            errors["age"] = _("Please give your age in whole years (0 to 120), or leave it empty.")
    if sex and sex not in SEXES:
        errors["sex"] = _("Please choose one of the options, or leave it empty.")
    if errors:
        values = {"text": text[:MAX_TEXT_CHARS], "age": age_raw[:3], "sex": sex}
        return _describe_page(request, state, values, errors)
    flow = FlowState.model_validate({"text": text, "age": age, "sex": sex or None})
    result = run_check(state, flow.check())
    if result.assessment.urgency is Urgency.EMERGENCY:
        return result_page(request, state, flow, result)
    return go_to(request, f"/check/confirm/{save_draft(state, flow)}")


@router.get("/check/confirm/{token}")
def confirm_again(request: Request, state: StateDep, db: DbDep, token: str) -> HTMLResponse:
    """What was read in the words of a check in progress, to confirm or correct."""
    flow = draft_flow(db, token)
    if flow is None:
        return expired_page(request, state, gone=False)
    return confirm_page(request, state, flow, draft=token)


def confirm_page(
    request: Request,
    state: AppState,
    flow: FlowState,
    result: CheckResult | None = None,
    *,
    draft: str = "",
) -> HTMLResponse:
    """What was read in the words, as chips to confirm or correct."""
    if result is None:
        result = run_check(state, flow.check())
    labels = {fid: f.label for fid, f in state.pipeline.kb.findings.items()}
    chips = in_shown_units(
        reading_chips(result, labels, denied_labels(state)), shown_values(state.pipeline.kb)
    )
    ticked = {}
    for chip in chips:
        answered = flow.findings.get(chip.id)
        if chip.state == FindingState.PRESENT.value:
            ticked[chip.id] = answered != FindingState.ABSENT.value
        else:
            ticked[chip.id] = answered != FindingState.UNKNOWN.value
    fresh = FlowState.model_validate({"text": flow.text, "age": flow.age, "sex": flow.sex})
    view: ConfirmView = {
        "present": [c for c in chips if c.state == FindingState.PRESENT.value],
        "absent": [c for c in chips if c.state == FindingState.ABSENT.value],
        "ticked": ticked,
        "ignored": result.reading.ignored if result.reading else (),
        "corrections": result.reading.corrections if result.reading else (),
        "units": {fid: f.unit for fid, f in state.pipeline.kb.findings.items() if f.unit},
        "text": flow.text,
        "state": fresh.encode(),
        "draft": draft,
        "in_neither_language": neither_language_notice()
        if result.reading is not None and not result.reading.languages
        else (),
    }
    return page(request, state, "check_confirm.html", view, htmx=True)


@router.post("/check/confirm", response_model=None)
async def confirm_submit(request: Request, state: StateDep, db: DbDep) -> Response:
    """Take the confirmed or corrected findings, then go on to the questions."""
    form = await read_form(request)
    try:
        flow = decode_state(form)
    except BadState:
        return bad_state_page(request, state)
    if not (flow.text and flow.text.strip()):
        return bad_state_page(request, state)
    if text_field(form, "action", 20) == "edit":
        token = text_field(form, "draft", 64)
        if not token or draft_flow(db, token) is None:
            words = {"text": flow.text, "age": flow.age, "sex": flow.sex}
            token = save_draft(state, FlowState.model_validate(words))
        return go_to(request, f"/check/words/{token}")
    answers, result = check_steps.confirm(
        state.pipeline,
        given(flow.check()),
        kept=list_field(form, "present"),
        also_denied=list_field(form, "absent"),
    )
    findings = {finding_id: answer.value for finding_id, answer in answers.items()}
    words = {"text": flow.text, "age": flow.age, "sex": flow.sex}
    flow = FlowState.model_validate({**words, "findings": findings})
    return next_screen(request, state, flow, result=result)


# ----------------------------------------------------------------- one question at a time


@router.get("/check/questions", response_model=None)
def questions_start(request: Request, state: StateDep) -> Response:
    """Start the question-by-question check."""
    return next_screen(request, state, FlowState(), here=True)


@router.get("/check/question/{token}", response_model=None)
def question_again(request: Request, state: StateDep, db: DbDep, token: str) -> Response:
    """The next question of a check in progress, at its own address (reload, Back and
    Forward show it again; nothing is sent twice)."""
    kept = question_draft(db, token)
    if kept is None:
        return expired_page(request, state, gone=False)
    flow, prefill = kept
    return next_screen(request, state, flow, prefill=prefill, here=True)


def next_screen(
    request: Request,
    state: AppState,
    flow: FlowState,
    prefill: dict[str, Any] | None = None,
    result: CheckResult | None = None,
    *,
    here: bool = False,
) -> Response:
    """The next question, or the result when nothing could change it (or on an
    emergency); ``result`` is the check already assessed for ``flow``, when the step has
    it. After a form (post/redirect/get) the next question goes to an address of its
    own: for htmx it is swapped in at once and its address put in the browser's history;
    without, the browser is sent there. ``here`` shows it at the address asked for (the
    start, or a question's own address)."""
    if result is None:
        result = run_check(state, flow.check())
    question = None
    if result.assessment.urgency is not Urgency.EMERGENCY:
        question = next_question(result.case, state.pipeline.kb)
    if question is None:
        return result_page(request, state, flow, result)
    if here:
        return question_page(request, state, flow, result, question, prefill=prefill)
    address = f"/check/question/{save_question(state, flow, prefill)}"
    if request.headers.get("hx-request") != "true":
        return go_to(request, address)
    response = question_page(request, state, flow, result, question, prefill=prefill)
    response.headers["HX-Push-Url"] = address
    return response


def question_page(
    request: Request,
    state: AppState,
    flow: FlowState,
    result: CheckResult,
    question: Question,
    *,
    error: str | None = None,
    typed: str = "",
    prefill: dict[str, Any] | None = None,
) -> HTMLResponse:
    """One question, with progress, Back, Don't know and why we ask."""
    shown = progress(result, state.pipeline.kb, len(flow.steps) + 1, flow.about)
    flow = flow.model_copy(update={"about": shown.total})
    prefill = prefill or {}
    view: QuestionView = {
        **flow_part(flow),
        "question": question,
        "number": shown.number,
        "total": shown.total,
        "error": error,
        "typed": typed or prefill.get("value", ""),
        "chosen": {fid for fid, st in prefill.get("findings", {}).items() if st == "present"},
        "none_chosen": bool(prefill.get("none"))
        or (
            bool(prefill.get("findings"))
            and all(st == "absent" for st in prefill.get("findings", {}).values())
        ),
    }
    return page(
        request, state, "check_question.html", view, status_code=422 if error else 200, htmx=True
    )


@router.post("/check/questions", response_model=None)
async def questions_submit(request: Request, state: StateDep) -> Response:
    """Record an answer (or go back), then show the next question or the result."""
    form = await read_form(request)
    try:
        flow = decode_state(form)
    except BadState:
        return bad_state_page(request, state)
    action = text_field(form, "action", 20)
    if action == "back":
        return _go_back(request, state, flow)
    if action == "restart":
        return go_to(request, "/check/questions")

    question_id = text_field(form, "question", 100)
    typed = text_field(form, "number", 40).strip()
    so_far = given(flow.check())
    reply = Reply()
    try:
        question = check_steps.open_question(state.pipeline, so_far, question_id)
        reply = _reply(question, action, form, typed)
        answered = check_steps.answer(state.pipeline, so_far, question, reply)
    except ReplyError as error:
        result = run_check(state, flow.check())
        # What was ticked stays ticked, so it can be put right without being lost.
        kept = {"findings": dict.fromkeys(reply.chosen, "present"), "none": reply.none}
        return question_page(
            request,
            state,
            flow,
            result,
            error.question,
            error=_wording(error),
            typed=typed[:40],
            prefill=kept,
        )
    except AnswerError:
        return bad_state_page(request, state)
    findings = {finding_id: answer.value for finding_id, answer in answered.answers.items()}
    try:
        flow = flow.with_step(findings, answered.values)
    except ValueError:
        return bad_state_page(request, state)
    return next_screen(request, state, flow, result=answered.result)


def _reply(question: Question, action: str, form: FormData, typed: str) -> Reply:
    """What the form says, as a reply to ``question`` (the interview service decides
    whether the question takes it)."""
    if action == "dont_know":
        return Reply(dont_know=True)
    if question.select in ("many", "one"):
        chosen = list_field(form, "chosen")
        none = text_field(form, "none", 10) == "none" or "" in chosen
        return Reply(chosen=tuple(c for c in chosen if c), none=none)
    if question.select == "boolean":
        return Reply(yes={"yes": True, "no": False}.get(action))
    return Reply(number=_typed_number(typed))


def _wording(error: ReplyError) -> str:
    """Why a reply was refused, in the person's language."""
    if error.reason == "not_an_option":
        return _("Please choose from the answers shown.")
    if error.reason == "choose":
        return _("Please tick the answers that apply, or tick None of these.")
    if error.reason == "none_and_chosen":
        return _(
            "You ticked None of these and an answer too. Untick None of these, or untick "
            "the other answers."
        )
    if error.reason == "only_one":
        return _("Please choose only one answer.")
    if error.reason == "yes_or_no":
        return _("Please answer Yes, No or Don't know.")
    return _("Please type a number from 0 to 100000 (%(unit)s), or choose Don't know.") % {
        "unit": error.question.unit or _("units")
    }


def _typed_number(typed: str) -> float:
    """A typed number with a comma or a point for decimals; NaN when it is not one."""
    try:
        return float(typed.strip().replace(",", "."))
    except ValueError:
        return math.nan


def _go_back(request: Request, state: AppState, flow: FlowState) -> Response:
    if flow.steps:
        last = flow.last_step()
        prefill: dict[str, Any] = {"findings": {f: flow.findings.get(f) for f in last}}
        for f in last:
            if f in flow.values:
                # As it was typed: in the unit it is shown in (a temperature in °F).
                shown = shown_values(state.pipeline.kb)(f, flow.values[f])
                prefill["value"] = _format_number(shown)
        return next_screen(request, state, flow.without_last_step(), prefill=prefill)
    if flow.text and flow.text.strip():
        return go_to(request, f"/check/confirm/{save_draft(state, flow)}")
    return next_screen(request, state, flow)


def _format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


# ----------------------------------------------------------------- the result


def result_page(
    request: Request, state: AppState, flow: FlowState, result: CheckResult
) -> Response:
    """The result of a finished check: kept, then shown at its own address."""
    return finish(request, state, flow, result)
