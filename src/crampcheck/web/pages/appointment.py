"""Asking the clinic for an appointment: a plain form, protected by a signed CSRF token.

The token is a signed double-submit: a random nonce lives in a ``SameSite=Strict``,
``HttpOnly`` cookie, and the form carries HMAC-SHA256(secret key, nonce). A POST is
accepted only when the form's token is the signature of the cookie's nonce, so another
site can neither read the token nor make one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from crampcheck.domain.types import Urgency
from crampcheck.services.appointments import (
    AppointmentError,
    RequestInput,
    get_request,
    request_appointment,
)
from crampcheck.web.api.routes import NEXT_STEPS
from crampcheck.web.api.schemas import AppointmentIn
from crampcheck.web.auth import DbDep, signed_in
from crampcheck.web.checking import given, run_check
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.mailing import send_request_emails
from crampcheck.web.pages.check import bad_state_page, read_form
from crampcheck.web.pages.flow import BadState, FlowState, decode_state, text_field
from crampcheck.web.pages.render import not_found, page
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

CSRF_COOKIE = "crampcheck_csrf"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 2 * 60 * 60
_NONCE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
FIELDS = ("name", "phone", "email", "preferred_location", "preferred_times", "consent_to_share")
LIMITS = {"name": 120, "phone": 40, "email": 254, "preferred_location": 64, "preferred_times": 500}


def _signature(state: AppState, nonce: str) -> str:
    key = state.settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"appointment-form:" + nonce.encode(), hashlib.sha256).hexdigest()


def _cookie_nonce(request: Request) -> str | None:
    nonce = request.cookies.get(CSRF_COOKIE)
    return nonce if nonce and _NONCE.match(nonce) else None


def csrf_valid(request: Request, state: AppState, form: FormData) -> bool:
    """Whether the form's token is the signature of the cookie's nonce."""
    nonce = _cookie_nonce(request)
    token = form.get(CSRF_FIELD)
    if nonce is None or not isinstance(token, str):
        return False
    return hmac.compare_digest(token.encode(), _signature(state, nonce).encode())


def _with_csrf_cookie(response: Response, request: Request, nonce: str) -> Response:
    response.set_cookie(
        CSRF_COOKIE,
        nonce,
        max_age=CSRF_MAX_AGE,
        path="/appointment",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
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
    """The appointment form, with what was typed and a message beside each bad field."""
    nonce = _cookie_nonce(request) or secrets.token_urlsafe(32)
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
    return page(
        request,
        state,
        "error.html",
        {
            "title": _("We could not send this form"),
            "message": _(
                "The form's security check did not match. This happens when the form was "
                "open for more than two hours, was sent from another site, or cookies are "
                "blocked. Nothing was sent to the clinic. Please go back to your result and "
                "try again, or call the clinic."
            ),
            "show_clinic_phone": True,
        },
        status_code=400,
    )


@router.get("/appointment")
@router.get("/appointment/new")
def appointment_start(request: Request, state: StateDep) -> HTMLResponse:
    """A request goes with a check: without one, explain and offer the check or a call."""
    return page(request, state, "appointment_start.html")


@router.post("/appointment/new")
async def appointment_new(request: Request, state: StateDep) -> Response:
    """The empty form for the check carried from the result page."""
    form = await read_form(request)
    try:
        flow = decode_state(form)
    except BadState:
        return bad_state_page(request, state)
    urgency = run_check(state, flow.check()).assessment.urgency
    if urgency is Urgency.EMERGENCY:
        return emergency_page(request, state)
    values: dict[str, Any] = {**dict.fromkeys(FIELDS, ""), "share_diary": False}
    return form_page(request, state, flow, values, {}, urgency.value)


def _typed(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: text_field(form, name, LIMITS[name] * 2).strip() for name in LIMITS
    }
    values["consent_to_share"] = text_field(form, "consent_to_share", 10) == "yes"
    values["share_diary"] = text_field(form, "share_diary", 10) == "yes"
    return values


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
    request_id = requested.request.id
    send_request_emails(background, state, data.email, requested.request.urgency)
    return RedirectResponse(f"/appointment/sent/{request_id}", status_code=303)


@router.get("/appointment/sent/{request_id}")
def appointment_sent(request: Request, request_id: str, state: StateDep, db: DbDep) -> HTMLResponse:
    """What happens next (the page shows no personal details, only the reference)."""
    if not re.fullmatch(r"[0-9a-f-]{36}", request_id):
        return not_found(request, state)
    stored = get_request(db, state.clinic.id, request_id)
    urgency = stored.urgency if stored else None
    if urgency is None:
        return not_found(request, state)
    return page(
        request,
        state,
        "appointment_sent.html",
        {
            "reference": request_id[:8].upper(),
            "next_steps": _(NEXT_STEPS).format(emergency_number=state.settings.emergency_number),
            "urgent": urgency == Urgency.URGENT.value,
        },
    )
