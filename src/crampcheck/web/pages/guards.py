"""Who may open a page, and whether a form may be used: the pages' route openings as
dependencies, each answering once for every route.

A route declares what it needs - ``who: CurrentPatient``, ``who: StaffHandlingRequests``,
``form: PatientForm`` - and the guard either hands it over or answers instead by raising
:class:`Answer` with the response to send: a 303 to the sign-in page (dropping a stale
cookie; a GET comes back to the page it asked for), the 403 page for a role without the
permission, or the form-check page (400) for a form whose security token does not match.
Each answer is built while the request's database session is still open. Nothing is
written before a guard has passed.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from crampcheck.services.roles import Permission
from crampcheck.web.auth import (
    DbDep,
    SignedIn,
    anonymous_csrf_valid,
    clear_session_cookie,
    cookie_token,
    session_csrf_valid,
    signed_in,
)
from crampcheck.web.deps import StateDep
from crampcheck.web.pages.check import read_form
from crampcheck.web.pages.refused import Refusal, refused
from crampcheck.web.pages.staff_render import staff_csrf_failed, staff_forbidden
from crampcheck.web.staff_auth import (
    StaffSignedIn,
    clear_staff_cookie,
    signin_csrf_valid,
    staff_cookie_token,
    staff_csrf_valid,
    staff_signed_in,
)
from crampcheck.web.state import AppState

STAFF_HOME = "/staff"
SIGN_IN_PATH = "/staff/signin"
_PATIENT_NEXT = re.compile(r"^/(?:diary|account)(?:/[A-Za-z0-9_./-]*)?(?:\?[A-Za-z0-9_=&%.-]*)?$")
_STAFF_NEXT = re.compile(r"^/staff(?:/[A-Za-z0-9_./-]*)?(?:\?[A-Za-z0-9_=&%.:+-]*)?$")
_STAFF_NOT_NEXT = ("/staff/signin", "/staff/signout")


class Answer(Exception):
    """A guard's answer, sent instead of the route's."""

    def __init__(self, response: Response) -> None:
        super().__init__("a guard answered the request")
        self.response = response


async def form_data(request: Request) -> FormData:
    """The submitted form, read before a plain ``def`` route runs."""
    return await read_form(request)


FormDep = Annotated[FormData, Depends(form_data)]
"""A form whose token the route checks itself (sign-in and sign-up, before any session)."""


# ---------------------------------------------------------------- patients


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a page of the diary or account, never another site."""
    if value and _PATIENT_NEXT.match(value) and "//" not in value and ".." not in value:
        return value
    return "/diary"


def to_sign_in(request: Request) -> RedirectResponse:
    """Send someone who is not signed in to the sign-in page (and drop a stale cookie)."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET":
        target = "/diary"
    response = RedirectResponse(f"/account/signin?next={quote(safe_next(target))}", 303)
    if cookie_token(request):
        clear_session_cookie(response, request)
    return response


def csrf_failed(request: Request, state: AppState) -> HTMLResponse:
    """The answer to a form whose security token does not match."""
    return refused(request, state, Refusal.FORM_TOKEN)


def current_patient(request: Request, db: DbDep) -> SignedIn:
    """The person signed in with the session cookie, or the redirect to sign in."""
    who = signed_in(request, db)
    if who is None:
        raise Answer(to_sign_in(request))
    return who


CurrentPatient = Annotated[SignedIn, Depends(current_patient)]


def patient_form(request: Request, state: StateDep, who: CurrentPatient, form: FormDep) -> FormData:
    """A signed-in person's form, once its token matches their session."""
    if not session_csrf_valid(state, who.token, form):
        raise Answer(csrf_failed(request, state))
    return form


PatientForm = Annotated[FormData, Depends(patient_form)]


def signed_out_form(request: Request, state: StateDep, form: FormDep) -> FormData:
    """A form shown before sign-in, once its token signs the form cookie's nonce."""
    if not anonymous_csrf_valid(request, state, form):
        raise Answer(csrf_failed(request, state))
    return form


SignedOutForm = Annotated[FormData, Depends(signed_out_form)]


# ---------------------------------------------------------------- clinic staff


def safe_staff_next(value: str | None) -> str:
    """Where to go after signing in: a staff page, never another site."""
    if (
        value
        and _STAFF_NEXT.match(value)
        and "//" not in value
        and ".." not in value
        and not value.startswith(_STAFF_NOT_NEXT)
    ):
        return value
    return STAFF_HOME


def to_staff_sign_in(request: Request) -> RedirectResponse:
    """Send someone without a staff session to the sign-in page (dropping a stale cookie);
    a GET comes back to the page it asked for."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET":
        target = STAFF_HOME
    response = RedirectResponse(f"{SIGN_IN_PATH}?next={quote(safe_staff_next(target))}", 303)
    if staff_cookie_token(request):
        clear_staff_cookie(response, request)
    return response


def current_staff(request: Request, db: DbDep) -> StaffSignedIn:
    """The staff member of the staff cookie (a patient's session counts for nothing
    here), or the redirect to the staff sign-in page."""
    who = staff_signed_in(request, db, cookie=True)
    if who is None:
        raise Answer(to_staff_sign_in(request))
    return who


CurrentStaff = Annotated[StaffSignedIn, Depends(current_staff)]


def _staff_with(permission: Permission) -> object:
    """A guard passing only members whose role carries ``permission`` (else the 403 page)."""

    def guard(request: Request, state: StateDep, who: CurrentStaff) -> StaffSignedIn:
        if not who.can(permission):
            raise Answer(staff_forbidden(request, state, who))
        return who

    return Depends(guard)


StaffHandlingRequests = Annotated[StaffSignedIn, _staff_with(Permission.HANDLE_REQUESTS)]
StaffReadingClinical = Annotated[StaffSignedIn, _staff_with(Permission.READ_CLINICAL)]
StaffManagingStaff = Annotated[StaffSignedIn, _staff_with(Permission.MANAGE_STAFF)]
StaffReadingAudit = Annotated[StaffSignedIn, _staff_with(Permission.READ_AUDIT)]


def staff_form(request: Request, state: StateDep, who: CurrentStaff, form: FormDep) -> FormData:
    """A staff member's form, once its token matches their staff session."""
    if not staff_csrf_valid(state, who.token, form):
        raise Answer(staff_csrf_failed(request, state, who))
    return form


StaffForm = Annotated[FormData, Depends(staff_form)]


def staff_signin_form(request: Request, state: StateDep, form: FormDep) -> FormData:
    """The staff sign-in form, once its token signs its cookie's nonce."""
    if not signin_csrf_valid(request, state, form):
        raise Answer(staff_csrf_failed(request, state, None))
    return form


StaffSignInForm = Annotated[FormData, Depends(staff_signin_form)]
