"""Asking the clinic for an appointment: a plain form, protected by a signed CSRF token.

The token is a signed double-submit: a random nonce lives in a ``SameSite=Strict``,
``HttpOnly`` cookie, and the form carries HMAC-SHA256(secret key, nonce). A POST is
accepted only when the form's token is the signature of the cookie's nonce, so another
site can neither read the token nor make one.

The form also carries a request key, made when it is first shown (from the check and
the browser's CSRF nonce, so the same check in the same browser gets the same key) and
kept while it is corrected: sending it again (Back then send, a double tap, a retry)
stores the request once, and the repeat is redirected to the first's confirmation
(:mod:`crampcheck.services.request_repeats`). The confirmation is a GET of its own
(post/redirect/get), so reloading it sends nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from crampcheck.domain.birth import birth_date_problem
from crampcheck.domain.types import Urgency
from crampcheck.services.appointments import (
    MAX_REASON,
    AppointmentError,
    RequestInput,
    get_request,
    request_appointment,
)
from crampcheck.services.request_next_steps import next_steps, reference_of
from crampcheck.services.request_repeats import valid_key
from crampcheck.web.api.schemas import AppointmentIn
from crampcheck.web.auth import DbDep, set_private_cookie, signed_in
from crampcheck.web.checking import given, run_check
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.mailing import send_request_emails
from crampcheck.web.pages.check import bad_state_page, read_form
from crampcheck.web.pages.flow import BadState, FlowState, decode_state, text_field
from crampcheck.web.pages.refused import Refusal, refused
from crampcheck.web.pages.render import not_found, page
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

CSRF_COOKIE = "crampcheck_csrf"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 2 * 60 * 60
_NONCE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
KEY_FIELD = "request_key"
FIELDS = (
    "name",
    "date_of_birth",
    "phone",
    "email",
    "preferred_location",
    "preferred_times",
    "reason",
    "consent_to_share",
)
LIMITS = {
    "name": 120,
    "date_of_birth": 10,
    "phone": 40,
    "email": 254,
    "preferred_location": 64,
    "preferred_times": 500,
    "reason": MAX_REASON,
}
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _signature(state: AppState, nonce: str) -> str:
    key = state.settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"appointment-form:" + nonce.encode(), hashlib.sha256).hexdigest()


def _cookie_nonce(request: Request) -> str | None:
    nonce = request.cookies.get(CSRF_COOKIE)
    return nonce if nonce and _NONCE.match(nonce) else None


def request_key(state: AppState, nonce: str, flow: FlowState) -> str:
    """The request key of a new form: the same for the same check in the same browser
    (its CSRF nonce), so a form shown again by Back and a resubmission, or by the
    result page's button pressed twice, still sends the request once; another check,
    or another browser, gets another key."""
    key = state.settings.secret_key.get_secret_value().encode()
    check = hashlib.sha256(flow.check().model_dump_json().encode()).hexdigest()
    message = f"appointment-request-key:{nonce}:{check}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:43]


def csrf_valid(request: Request, state: AppState, form: FormData) -> bool:
    """Whether the form's token is the signature of the cookie's nonce."""
    nonce = _cookie_nonce(request)
    token = form.get(CSRF_FIELD)
    if nonce is None or not isinstance(token, str):
        return False
    return hmac.compare_digest(token.encode(), _signature(state, nonce).encode())


def _with_csrf_cookie(response: Response, request: Request, nonce: str) -> Response:
    set_private_cookie(
        response, request, CSRF_COOKIE, nonce, max_age=CSRF_MAX_AGE, path="/appointment"
    )
    return response


def _field_messages() -> dict[str, str]:
    return {
        "name": _("Please give your name (up to 120 characters)."),
        "phone": _(
            "Please give a phone number using only digits, spaces and + ( ) - . "
            "(up to 40 characters)."
        ),
        "email": _("Please give an email address like name@example.com."),
        "preferred_location": _("Please choose one of the clinic's locations."),
        "preferred_times": _("Please keep this to 500 characters or fewer."),
        "reason": _("Please keep the reason to %(limit)d characters or fewer.")
        % {"limit": MAX_REASON},
        "date_of_birth": _(
            "Please give your date of birth as month/day/year, for example 04/23/1961."
        ),
        "consent_to_share": _("Please agree to share your check with the clinic, or call it."),
        "contact": _(
            "Please give a phone number or an email address, so the clinic can reach you."
        ),
    }


def form_page(
    request: Request,
    state: AppState,
    flow: FlowState,
    values: dict[str, Any],
    errors: dict[str, str],
    urgency: str,
) -> Response:
    """The appointment form, with what was typed and a message beside each bad field;
    its request key is the one it was sent with, or a new one."""
    nonce = _cookie_nonce(request) or secrets.token_urlsafe(32)
    key = values.get(KEY_FIELD) or request_key(state, nonce, flow)
    response = page(
        request,
        state,
        "appointment_form.html",
        {
            "form": values,
            "errors": errors,
            "fields": FIELDS,
            "limits": LIMITS,
            "state": flow.encode(),
            "csrf_token": _signature(state, nonce),
            "request_key": key,
            "today": datetime.now(UTC).date().isoformat(),
            "urgency": urgency,
        },
        status_code=422 if errors else 200,
    )
    return _with_csrf_cookie(response, request, nonce)


def emergency_page(request: Request, state: AppState) -> HTMLResponse:
    """The answer to an appointment request for a check that points to an emergency."""
    return page(request, state, "appointment_emergency.html", status_code=409)


def csrf_page(request: Request, state: AppState) -> HTMLResponse:
    """The answer to a form whose CSRF token does not match."""
    return refused(request, state, Refusal.APPOINTMENT_TOKEN)


@router.get("/appointment")
@router.get("/appointment/new")
def appointment_start(request: Request, state: StateDep) -> HTMLResponse:
    """A request goes with a check: without one, explain and offer the check or a call."""
    return page(request, state, "appointment_start.html")


@router.post("/appointment/new")
async def appointment_new(request: Request, state: StateDep, db: DbDep) -> Response:
    """The empty form for the check carried from the result page (a signed-in person's
    email address filled in)."""
    form = await read_form(request)
    try:
        flow = decode_state(form)
    except BadState:
        return bad_state_page(request, state)
    urgency = run_check(state, flow.check()).assessment.urgency
    if urgency is Urgency.EMERGENCY:
        return emergency_page(request, state)
    values: dict[str, Any] = {**dict.fromkeys(FIELDS, ""), "share_diary": False}
    who = signed_in(request, db)
    if who is not None:
        values["email"] = who.user.email
    return form_page(request, state, flow, values, {}, urgency.value)


def _typed(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: text_field(form, name, LIMITS[name] * 2).strip() for name in LIMITS
    }
    values["consent_to_share"] = text_field(form, "consent_to_share", 10) == "yes"
    values["share_diary"] = text_field(form, "share_diary", 10) == "yes"
    key = text_field(form, KEY_FIELD, 64)
    values[KEY_FIELD] = key if valid_key(key) else ""
    born = parse_birth_date(values["date_of_birth"])
    if born is not None:  # shown again in the form as its date field holds it
        values["date_of_birth"] = born.isoformat()
    return values


def parse_birth_date(typed: str) -> date | None:
    """A date typed as month/day/year (US style) or sent as YYYY-MM-DD (a date
    picker); None when it is neither, or no such day."""
    us, iso = _US_DATE.match(typed), _ISO_DATE.match(typed)
    try:
        if us:
            return date(int(us[3]), int(us[1]), int(us[2]))
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        return None
    return None


def _birth_date_error(typed: str) -> str | None:
    if not typed:
        return None
    born = parse_birth_date(typed)
    if born is None:
        return _field_messages()["date_of_birth"]
    problem = birth_date_problem(born, datetime.now(UTC).date())
    return _(problem) if problem else None


def _field_errors(state: AppState, flow: FlowState, values: dict[str, Any]) -> dict[str, str]:
    """Every problem with the typed fields at once (the service checks them too, one at a
    time, and refuses an emergency)."""
    messages = _field_messages()
    errors: dict[str, str] = {}
    try:
        AppointmentIn.model_validate(
            {
                "name": values["name"],
                "phone": values["phone"] or None,
                "email": values["email"] or None,
                "preferred_location": values["preferred_location"] or None,
                "preferred_times": values["preferred_times"] or None,
                "consent_to_share": values["consent_to_share"],
                "check": flow.check().model_dump(),
            }
        )
    except ValidationError as error:
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else ""
            if field in LIMITS or field == "consent_to_share":
                errors.setdefault(field, messages[field])
    if not values["phone"] and not values["email"]:
        errors.setdefault("phone", messages["contact"])
    location = values["preferred_location"]
    if location and state.clinic.location(location) is None:
        errors.setdefault("preferred_location", messages["preferred_location"])
    if not values["consent_to_share"]:
        errors.setdefault("consent_to_share", messages["consent_to_share"])
    birth_error = _birth_date_error(values["date_of_birth"])
    if birth_error:
        errors["date_of_birth"] = birth_error
    if len(values["reason"]) > MAX_REASON:
        errors["reason"] = messages["reason"]
    return errors


@router.post("/appointment")
async def appointment_submit(
    request: Request, state: StateDep, db: DbDep, background: BackgroundTasks
) -> Response:
    """Check the form, store the request with the check as seen, then confirm it."""
    form = await read_form(request)
    if not csrf_valid(request, state, form):
        return csrf_page(request, state)
    try:
        flow = decode_state(form)
    except BadState:
        return bad_state_page(request, state)
    values = _typed(form)
    errors = _field_errors(state, flow, values)
    if errors:
        urgency = run_check(state, flow.check()).assessment.urgency
        if urgency is Urgency.EMERGENCY:
            return emergency_page(request, state)
        return form_page(request, state, flow, values, errors, urgency.value)
    data = RequestInput(
        name=values["name"],
        phone=values["phone"] or None,
        email=values["email"] or None,
        preferred_location=values["preferred_location"] or None,
        preferred_times=values["preferred_times"] or None,
        consent_to_share=values["consent_to_share"],
        date_of_birth=parse_birth_date(values["date_of_birth"]),
        reason=values["reason"] or None,
    )
    who = signed_in(request, db)
    try:
        requested = request_appointment(
            db,
            state.clinic,
            state.pipeline,
            data,
            given(flow.check()),
            user_id=who.user.id if who else None,
            share_diary=values["share_diary"],
            idempotency_key=values[KEY_FIELD] or None,
        )
    except AppointmentError as error:
        if error.field == "check":
            return emergency_page(request, state)
        # Sharing a diary needs a session (one that ended while the form was open, say):
        # the message goes beside the consent, the last thing before sending.
        field = "consent_to_share" if error.field == "share_diary" else error.field
        field = field if field in FIELDS else "name"
        shown = run_check(state, flow.check()).assessment.urgency.value
        return form_page(request, state, flow, values, {field: _(error.message)}, shown)
    target = f"/appointment/sent/{requested.request.id}"
    if requested.repeated:
        target += "?again=changed" if requested.changed else "?again=same"
    else:
        # a repeat of a request already made sends no second confirmation
        send_request_emails(background, state, data.email, requested.request.urgency)
    return RedirectResponse(target, status_code=303)


@router.get("/appointment/sent/{request_id}")
def appointment_sent(
    request: Request, request_id: str, state: StateDep, db: DbDep, again: str = ""
) -> HTMLResponse:
    """What happens next, and when, by the check's urgency (the page shows no personal
    details, only the reference); ``again`` says the request had been sent before
    (``same``), perhaps with changes that were not sent (``changed``)."""
    if not re.fullmatch(r"[0-9a-f-]{36}", request_id):
        return not_found(request, state)
    stored = get_request(db, state.clinic.id, request_id)
    urgency = stored.urgency if stored else None
    if urgency is None:
        return not_found(request, state)
    number = state.settings.emergency_number
    return page(
        request,
        state,
        "appointment_sent.html",
        {
            "reference": reference_of(request_id),
            "next_steps": _(next_steps(state.pipeline, state.clinic.name, urgency, number)),
            "urgent": urgency == Urgency.URGENT.value,
            "again": again if again in ("same", "changed") else "",
        },
    )
