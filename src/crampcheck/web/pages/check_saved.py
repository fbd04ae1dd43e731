"""The check's steps at addresses of their own (post/redirect/get), and finished results
that can be reopened, printed and shared.

Every step that takes a form answers with a redirect to a page that is only read
(``GET``), so reload, Back and Forward show a page again instead of sending a form
again or starting over:

- describing the episode stores a draft and leads to ``/check/confirm/{token}``, which
  shows what was read; "Change my words" leads to ``/check/words/{token}``;
- confirming, answering a question and the form's Back store the check so far (and
  what the next screen shows ticked) and lead to ``/check/question/{token}``, the
  next question; an htmx swap shows it at once and puts that address in the history;
- a finished check is stored as the person sees it and shown at
  ``/check/result/{token}``, with its dated reference, until it expires (30 days). That
  address is the one to reopen, print or share with a doctor: it is not indexed, not
  cached, and holds nothing beyond the check. Expired, it answers 410; unknown, 404.

After an htmx request (the question screens swap in place) the redirect is
``HX-Redirect``, so the browser loads the new address as a page of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from crampcheck.services import check_records
from crampcheck.services.metrics import count_check
from crampcheck.services.pipeline import CheckResult
from crampcheck.web.auth import DbDep
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _, long_date, short_time
from crampcheck.web.pages.flow import FlowState
from crampcheck.web.pages.render import ErrorView, error_page, page
from crampcheck.web.pages.result import result_context, stored_view, view_context
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

SHARED_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"}


def go_to(request: Request, address: str) -> Response:
    """Send the browser to ``address`` after a form: a 303, or for htmx, ``HX-Redirect``
    (a swap would leave the address bar at the form's page)."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": address})
    return RedirectResponse(address, status_code=303)


def save_draft(state: AppState, flow: FlowState) -> str:
    """Keep a check in progress (committed at once); the token for its address."""
    with state.sessions() as db, db.begin():
        return check_records.save_draft(db, flow.model_dump(mode="json"))


def save_question(state: AppState, flow: FlowState, prefill: dict[str, Any] | None) -> str:
    """Keep a check whose next step is a question, with what that screen shows ticked
    (after Back, the answer being changed); the token for the question's address."""
    kept = {"flow": flow.model_dump(mode="json"), "prefill": prefill or {}}
    with state.sessions() as db, db.begin():
        return check_records.save_draft(db, kept)


def question_draft(db: DbDep, token: str) -> tuple[FlowState, dict[str, Any]] | None:
    """The check and the ticks kept for a question's address, or None."""
    stored = check_records.load_draft(db, token)
    if stored is None or not isinstance(stored.get("flow"), dict):
        return None
    prefill = stored.get("prefill")
    try:
        return FlowState.model_validate(stored["flow"]), prefill if isinstance(
            prefill, dict
        ) else {}
    except ValidationError:
        return None


def draft_flow(db: DbDep, token: str) -> FlowState | None:
    """The check in progress at ``token``'s address, or None."""
    stored = check_records.load_draft(db, token)
    if stored is None:
        return None
    try:
        return FlowState.model_validate(stored)
    except ValidationError:
        return None


def finish(request: Request, state: AppState, flow: FlowState, result: CheckResult) -> Response:
    """Store the finished check as the person will see it (committed at once), then
    send them to its own address."""
    context = result_context(state, flow, result)
    with state.sessions() as db, db.begin():
        token, _reference = check_records.save_result(
            db,
            view=stored_view(context),
            state=flow.model_dump(mode="json"),
            urgency=context["urgency"],
            kb_version=str(context["data"]["kb_version"]),
            zone=state.clinic.zone,
        )
    count_check(str(context["urgency"]), "pages")
    return go_to(request, f"/check/result/{token}")


def expired_page(request: Request, state: AppState, *, gone: bool) -> HTMLResponse:
    """The page for a check's address that no longer works (410) or never did (404)."""
    if gone:
        title = _("This result has expired")
        message = _(
            "A result's address works for 30 days; this one has passed, and what it held "
            "has been deleted. You can do the check again at any time."
        )
    else:
        title = _("We could not find this check")
        message = _(
            "The address may be mistyped or incomplete, or the check was started more than "
            "a day ago and not finished. You can do the check again at any time."
        )
    view = ErrorView(title, message, show_restart=True)
    return error_page(request, state, view, 410 if gone else 404)


def us_date(moment: datetime) -> str:
    """A date as people write it in the person's language: December 6, 2026 (English),
    6 de diciembre de 2026 (Spanish)."""
    return long_date(moment)


def us_time(moment: datetime) -> str:
    """A time of day as people write it in the person's language: 3:40 PM MST, 3:40 p.m. MST."""
    return short_time(moment)


@router.get("/check/result/{token}")
def saved_result(request: Request, state: StateDep, db: DbDep, token: str) -> Response:
    """A finished check at its own address, as the person saw it, with its reference."""
    try:
        stored = check_records.load_result(db, token)
    except check_records.ResultGone:
        return _shared(expired_page(request, state, gone=True))
    if stored is None:
        return _shared(expired_page(request, state, gone=False))
    try:
        flow = FlowState.model_validate(stored.state)
    except ValidationError:
        return _shared(expired_page(request, state, gone=False))
    zone = state.clinic.zone
    done = stored.created_at.astimezone(zone)
    record = {
        "reference": stored.reference,
        "done": _("%(date)s at %(time)s") % {"date": us_date(done), "time": us_time(done)},
        "until": us_date(stored.expires_at.astimezone(zone)),
        "address": str(request.url_for("saved_result", token=token)),
    }
    context = {**view_context(stored.view, flow), "record": record}
    return _shared(page(request, state, "result.html", context))


def _shared(response: Response) -> Response:
    response.headers.update(SHARED_HEADERS)
    return response
