"""The staff app's sign-in and sign-out, and what every staff page shares.

Staff sign in at ``/staff/signin`` with their own accounts (never a patient's): one
message for an unknown address and a wrong password, a throttle after repeated
failures, and a fresh session at every sign-in (the one the cookie held ends). Every
staff page goes through :func:`staff_guard`: no staff session is a 303 to the sign-in
page (a patient's session counts for nothing here), a role without the permission is
the 403 page. Pages render with :func:`staff_page`, which adds :func:`staff_context`
(the member, their clinic and its time zone, their role, the navigation they may use,
the sign-out form's token). :func:`member_clinic` reads the member's clinic once per
request: the header and the page share it, and every time a page shows is in the
clinic's time zone.

The routes are plain ``def`` (run off the event loop): password hashing is slow on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, object_session

from crampcheck.clinic import Clinic
from crampcheck.services import staff as staff_service
from crampcheck.services.accounts import PASSWORD_MIN_LENGTH, AccountError, ThrottledError
from crampcheck.services.audit import AuditAction, record
from crampcheck.services.clinics import get_clinic
from crampcheck.services.roles import Permission, Role
from crampcheck.storage.tables import StaffMember
from crampcheck.web.auth import DbDep, client_address
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.account import MAX_PASSWORD_CHARS, FormDep
from crampcheck.web.pages.flow import text_field
from crampcheck.web.pages.render import page
from crampcheck.web.staff_auth import (
    StaffSignedIn,
    clear_staff_cookie,
    set_signin_cookie,
    set_staff_cookie,
    signin_csrf,
    signin_csrf_valid,
    staff_cookie_token,
    staff_csrf,
    staff_csrf_valid,
    staff_signed_in,
)
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

STAFF_HOME = "/staff"
SIGN_IN_PATH = "/staff/signin"
_NEXT = re.compile(r"^/staff(?:/[A-Za-z0-9_./-]*)?(?:\?[A-Za-z0-9_=&%.:+-]*)?$")
_NOT_NEXT = ("/staff/signin", "/staff/signout")


# ---------------------------------------------------------------- shared by every staff page


def role_label(role: str) -> str:
    """A role as people read it."""
    labels = {
        Role.FRONT_DESK.value: _("Front desk"),
        Role.CLINICIAN.value: _("Clinician"),
        Role.ADMIN.value: _("Admin"),
    }
    return labels.get(role, role)


_CLINICS_READ = "crampcheck.staff_clinics"
"""Where a database session keeps the clinics it has read (one look-up per request)."""


def _registered_clinic(db: Session | None, clinic_id: str) -> Clinic | None:
    """A registered clinic, read once per database session (each request has its own)."""
    if db is None:
        return None
    read: dict[str, Clinic | None] = db.info.setdefault(_CLINICS_READ, {})
    if clinic_id not in read:
        read[clinic_id] = get_clinic(db, clinic_id)
    return read[clinic_id]


def member_clinic(db: Session, state: AppState, member: StaffMember) -> Clinic:
    """The member's clinic (the installation's public one, or its registered record):
    its locations, its name and the time zone its staff read times in."""
    if member.clinic_id == state.clinic.id:
        return state.clinic
    clinic = _registered_clinic(db, member.clinic_id)
    if clinic is None:  # pragma: no cover - staff rows reference a clinic row
        raise LookupError(f"clinic {member.clinic_id!r} is not registered")
    return clinic


def _clinic_of(state: AppState, member: StaffMember) -> Clinic | None:
    """The member's clinic for the page's header (None if it is not registered)."""
    if member.clinic_id == state.clinic.id:
        return state.clinic
    return _registered_clinic(object_session(member), member.clinic_id)


def staff_context(request: Request, state: AppState, who: StaffSignedIn | None) -> dict[str, Any]:
    """What ``staff_base.html`` needs: the member (None when signed out), their clinic, its
    time zone and their role, the sign-out form's token, and which navigation links their
    role may use."""
    if who is None:
        return {
            "staff": None,
            "staff_csrf": "",
            "staff_role": "",
            "staff_clinic_name": "",
            "staff_time_zone": "",
            "can_manage_staff": False,
            "can_read_audit": False,
        }
    clinic = _clinic_of(state, who.member)
    return {
        "staff": who.member,
        "staff_csrf": staff_csrf(state, who.token),
        "staff_role": role_label(who.member.role),
        "staff_clinic_name": clinic.name if clinic is not None else who.member.clinic_id,
        "staff_time_zone": clinic.time_zone if clinic is not None else "UTC",
        "can_manage_staff": who.can(Permission.MANAGE_STAFF),
        "can_read_audit": who.can(Permission.READ_AUDIT),
    }


def no_store(response: Response) -> Response:
    """Keep a staff page out of every cache (shared screens, the back button)."""
    response.headers["cache-control"] = "no-store"
    return response


def staff_page(
    request: Request,
    state: AppState,
    who: StaffSignedIn | None,
    template: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a template extending ``staff_base.html``, never cached."""
    full = {**staff_context(request, state, who), **(context or {})}
    response = page(request, state, template, full, status_code=status_code)
    no_store(response)
    return response


def safe_staff_next(value: str | None) -> str:
    """Where to go after signing in: a staff page, never another site."""
    if (
        value
        and _NEXT.match(value)
        and "//" not in value
        and ".." not in value
        and not value.startswith(_NOT_NEXT)
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


def staff_forbidden(request: Request, state: AppState, who: StaffSignedIn) -> HTMLResponse:
    """The 403 page for a role without the permission."""
    return staff_page(
        request,
        state,
        who,
        "staff_forbidden.html",
        {
            "title": _("Your role does not allow this"),
            "message": _(
                "This page is for staff whose role allows it. Ask your clinic's admin if "
                "you need it for your work."
            ),
        },
        status_code=403,
    )


def staff_csrf_failed(request: Request, state: AppState, who: StaffSignedIn | None) -> HTMLResponse:
    """The answer to a staff form whose security token does not match."""
    return staff_page(
        request,
        state,
        who,
        "staff_forbidden.html",
        {
            "title": _("We could not use this form"),
            "message": _(
                "The form's security check did not match. This happens when the form was "
                "open for a long time, was sent from another site, or cookies are blocked. "
                "Nothing was changed. Please go back, reload the page and try again."
            ),
        },
        status_code=400,
    )


def staff_guard(
    request: Request, state: AppState, db: Session, permission: Permission | None = None
) -> StaffSignedIn | Response:
    """The signed-in staff member (with ``permission`` when one is named), or the
    response to send instead: a redirect to sign in, or the 403 page."""
    who = staff_signed_in(request, db, cookie=True)
    if who is None:
        return to_staff_sign_in(request)
    if permission is not None and not who.can(permission):
        return staff_forbidden(request, state, who)
    return who


# ---------------------------------------------------------------- sign in


def _signin_page(
    request: Request,
    state: AppState,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    nonce, token = signin_csrf(request, state)
    response = staff_page(
        request,
        state,
        None,
        "staff_signin.html",
        {"form": values, "errors": errors, "notice": notice, "csrf_token": token},
        status_code,
    )
    set_signin_cookie(response, request, nonce)
    return response


@router.get(SIGN_IN_PATH)
def signin_form(
    request: Request,
    state: StateDep,
    next_page: Annotated[str | None, Query(alias="next")] = None,
    done: str | None = None,
) -> HTMLResponse:
    """Staff sign in here."""
    notices = {"signed_out": _("You are signed out.")}
    return _signin_page(
        request,
        state,
        {"email": "", "next": safe_staff_next(next_page)},
        {},
        notice=notices.get(done or ""),
    )


@router.post(SIGN_IN_PATH)
def signin_submit(request: Request, state: StateDep, db: DbDep, form: FormDep) -> Response:
    """Check the credentials; a new session (the old one ends) and the page asked for."""
    if not signin_csrf_valid(request, state, form):
        return staff_csrf_failed(request, state, None)
    email = text_field(form, "email", 254).strip()
    password = text_field(form, "password", MAX_PASSWORD_CHARS)
    values = {"email": email[:254], "next": safe_staff_next(text_field(form, "next", 300))}
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = _("Please enter your email address.")
    if not password:
        errors["password"] = _("Please enter your password.")
    if errors:
        return _signin_page(request, state, values, errors, 422)
    address = client_address(request)
    try:
        member = staff_service.authenticate_staff(db, email, password, address)
    except ThrottledError as error:
        staff_service.record_failed_sign_in(db, email, address, "throttled")
        return _signin_page(request, state, values, {"email": _(error.message)}, 429)
    except AccountError as error:
        staff_service.record_failed_sign_in(db, email, address, "wrong password or inactive")
        return _signin_page(request, state, values, {"email": _(error.message)}, 422)
    staff_service.end_staff_session(db, staff_cookie_token(request))
    started = staff_service.start_staff_session(db, member)
    record(db, member, AuditAction.SIGN_IN, address=address)
    response = RedirectResponse(values["next"], status_code=303)
    set_staff_cookie(response, request, started.token)
    return no_store(response)


# ---------------------------------------------------------------- sign out


@router.post("/staff/signout")
def signout(request: Request, state: StateDep, db: DbDep, form: FormDep) -> Response:
    """End this staff session and forget the cookie."""
    token = staff_cookie_token(request)
    if token is not None and not staff_csrf_valid(state, token, form):
        who = staff_signed_in(request, db, cookie=True)
        return staff_csrf_failed(request, state, who)
    member = staff_service.staff_for_session(db, token)
    if member is not None:
        record(db, member, AuditAction.SIGN_OUT, address=client_address(request))
    staff_service.end_staff_session(db, token)
    response = RedirectResponse(f"{SIGN_IN_PATH}?done=signed_out", status_code=303)
    clear_staff_cookie(response, request)
    return no_store(response)


# ---------------------------------------------------------------- own password


def _password_page(
    request: Request,
    state: AppState,
    who: StaffSignedIn,
    errors: dict[str, str],
    status_code: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    return staff_page(
        request,
        state,
        who,
        "staff_password.html",
        {
            "errors": errors,
            "csrf_token": staff_csrf(state, who.token),
            "min_length": PASSWORD_MIN_LENGTH,
            "notice": notice,
        },
        status_code,
    )


@router.get("/staff/password")
def password_form(
    request: Request, state: StateDep, db: DbDep, done: str | None = None
) -> Response:
    """Change one's own password (every staff member may)."""
    who = staff_guard(request, state, db)
    if not isinstance(who, StaffSignedIn):
        return who
    notice = (
        _("Your password was changed. Everywhere else you were signed in is signed out.")
        if done == "changed"
        else None
    )
    return _password_page(request, state, who, {}, notice=notice)


@router.post("/staff/password")
def password_submit(request: Request, state: StateDep, db: DbDep, form: FormDep) -> Response:
    """Check the current password (throttled), set the new one, end every other session."""
    who = staff_guard(request, state, db)
    if not isinstance(who, StaffSignedIn):
        return who
    if not staff_csrf_valid(state, who.token, form):
        return staff_csrf_failed(request, state, who)
    current = text_field(form, "current_password", MAX_PASSWORD_CHARS)
    new = text_field(form, "new_password", MAX_PASSWORD_CHARS)
    again = text_field(form, "new_password_again", MAX_PASSWORD_CHARS)
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = _("Please enter your current password.")
    elif again != new:
        errors["new_password_again"] = _(
            "The two new passwords are not the same. Please type it again."
        )
    started = None
    if not errors:
        try:
            started = staff_service.change_staff_password(db, who.member, current, new)
        except AccountError as error:
            field = "new_password" if error.field == "password" else error.field
            errors[field] = _(error.message)
    if started is None:
        return _password_page(request, state, who, errors, 422)
    record(db, who.member, AuditAction.CHANGE_PASSWORD, address=client_address(request))
    response = RedirectResponse("/staff/password?done=changed", status_code=303)
    set_staff_cookie(response, request, started.token)
    return no_store(response)
