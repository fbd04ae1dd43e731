"""The staff app's sign-in, sign-out and own password.

Staff sign in at ``/staff/signin`` with their own accounts (never a patient's): one
message for an unknown address and a wrong password, a throttle after repeated
failures, and a fresh session at every sign-in (the one the cookie held ends). Every
other staff page opens through the guards of :mod:`crampcheck.web.pages.guards` and
renders with :mod:`crampcheck.web.pages.staff_render`.

The routes are plain ``def`` (run off the event loop): password hashing is slow on purpose.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crampcheck.services import staff as staff_service
from crampcheck.services.accounts import PASSWORD_MIN_LENGTH, AccountError
from crampcheck.services.audit import AuditAction, record
from crampcheck.web.auth import DbDep, client_address
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.credentials import (
    attempt_sign_in,
    change_refused,
    mismatch_message,
    password_change_fields,
    sign_in_view,
)
from crampcheck.web.pages.flow import text_field
from crampcheck.web.pages.guards import (
    SIGN_IN_PATH,
    CurrentStaff,
    FormDep,
    StaffForm,
    StaffSignInForm,
    safe_staff_next,
)
from crampcheck.web.pages.staff_render import (
    no_store,
    staff_csrf_failed,
    staff_page,
)
from crampcheck.web.pages.views import SignInView
from crampcheck.web.staff_auth import (
    StaffSignedIn,
    begin_staff_session,
    clear_staff_cookie,
    set_signin_cookie,
    set_staff_cookie,
    signin_csrf,
    staff_cookie_token,
    staff_csrf,
    staff_csrf_valid,
    staff_signed_in,
)
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

# ---------------------------------------------------------------- sign in


def _signin_page(
    request: Request, state: AppState, view: SignInView, status_code: int = 200
) -> HTMLResponse:
    nonce, token = signin_csrf(request, state)
    context = {**view, "csrf_token": token}
    response = staff_page(request, state, None, "staff_signin.html", context, status_code)
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
    notice = _("You are signed out.") if done == "signed_out" else None
    return _signin_page(request, state, sign_in_view(safe_staff_next(next_page), notice))


@router.post(SIGN_IN_PATH)
def signin_submit(request: Request, state: StateDep, db: DbDep, form: StaffSignInForm) -> Response:
    """Check the credentials; a new session (the old one ends) and the page asked for."""
    address = client_address(request)
    next_page = safe_staff_next(text_field(form, "next", 300))
    attempt = attempt_sign_in(
        form,
        next_page,
        lambda email, password: staff_service.sign_in_staff(db, email, password, address),
    )
    if attempt.who is None:
        return _signin_page(request, state, attempt.view, attempt.status)
    response = RedirectResponse(next_page, status_code=303)
    begin_staff_session(response, request, db, attempt.who)
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
    request: Request, state: StateDep, who: CurrentStaff, done: str | None = None
) -> Response:
    """Change one's own password (every staff member may)."""
    notice = (
        _("Your password was changed. Everywhere else you were signed in is signed out.")
        if done == "changed"
        else None
    )
    return _password_page(request, state, who, {}, notice=notice)


@router.post("/staff/password")
def password_submit(
    request: Request, state: StateDep, db: DbDep, who: CurrentStaff, form: StaffForm
) -> Response:
    """Check the current password (throttled), set the new one, end every other session."""
    fields = password_change_fields(form)
    errors = fields.errors
    if not errors and fields.again != fields.new:
        errors["new_password_again"] = mismatch_message("new_password")
    started = None
    if not errors:
        try:
            started = staff_service.change_staff_password(
                db, who.member, fields.current, fields.new
            )
        except AccountError as error:
            errors.update(change_refused(error))
    if started is None:
        return _password_page(request, state, who, errors, 422)
    record(db, who.member, AuditAction.CHANGE_PASSWORD, address=client_address(request))
    response = RedirectResponse("/staff/password?done=changed", status_code=303)
    set_staff_cookie(response, request, started.token)
    return no_store(response)
