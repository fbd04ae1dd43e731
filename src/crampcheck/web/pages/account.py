"""Account pages: sign up, sign in and out, change the password, time zone, download my
data, and delete the account (after the password is given again).

Every form carries a CSRF token (see :mod:`crampcheck.web.auth`); a form with a problem
comes back with a message beside each field and what was typed (never a password).
The routes are plain ``def`` (run off the event loop): password hashing is slow on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from crampcheck.domain.i18n import current_language
from crampcheck.domain.local_format import LocalFormat, in_language
from crampcheck.domain.zones import place_zone_names
from crampcheck.services import account_links, accounts
from crampcheck.services.accounts import (
    PASSWORD_MIN_LENGTH,
    AccountError,
    StartedSession,
    ThrottledError,
)
from crampcheck.services.sharing import sharing_rows
from crampcheck.web.api.diary import export_response
from crampcheck.web.auth import (
    DbDep,
    SignedIn,
    anonymous_csrf,
    clear_session_cookie,
    client_address,
    cookie_token,
    session_csrf,
    session_csrf_valid,
    set_form_cookie,
    set_private_cookie,
    set_session_cookie,
)
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.mailing import send_registration_email
from crampcheck.web.pages.credentials import (
    MAX_EMAIL_CHARS,
    MAX_PASSWORD_CHARS,
    attempt_sign_in,
    change_refused,
    new_password_errors,
    password_change_fields,
    refusal_status,
    sign_in_view,
    typed_twice,
)
from crampcheck.web.pages.flow import text_field
from crampcheck.web.pages.guards import (
    CurrentPatient,
    FormDep,
    PatientForm,
    SignedOutForm,
    csrf_failed,
    safe_next,
)
from crampcheck.web.pages.render import not_found, page
from crampcheck.web.pages.views import (
    AccountHomeView,
    DeleteView,
    PasswordView,
    SignInView,
    SignUpView,
    ZoneView,
)
from crampcheck.web.state import AppState
from crampcheck.web.zones import time_zone

router = APIRouter(include_in_schema=False)

TZ_COOKIE = "crampcheck_tz"
TZ_MAX_AGE = 365 * 24 * 60 * 60


def zone_name(request: Request) -> str:
    """The person's time zone from its cookie ('' when unknown)."""
    name = request.cookies.get(TZ_COOKIE, "")
    return name if time_zone(name) is not None else ""


def zone_of(request: Request, state: AppState) -> tuple[tzinfo, str]:
    """The person's time zone and its name: the one their browser reported or they
    chose, else the clinic's (its clinic file's), else UTC."""
    name = zone_name(request)
    zone = time_zone(name) if name else None
    if zone is not None:
        return zone, name
    clinic_zone = time_zone(state.clinic.time_zone)
    if clinic_zone is not None:
        return clinic_zone, state.clinic.time_zone
    return UTC, "UTC"


def here(request: Request, state: AppState) -> LocalFormat:
    """How this person's dates and times are written: their zone, the clinic's locale
    in the language of their pages."""
    zone, name = zone_of(request, state)
    return LocalFormat(zone, name, in_language(state.clinic.locale, current_language()))


def remember_zone(response: Response, request: Request, name: str) -> None:
    """Keep a time zone the browser reported or the person chose (when it is a real one)."""
    if name and time_zone(name) is not None and name != request.cookies.get(TZ_COOKIE):
        set_private_cookie(
            response, request, TZ_COOKIE, name, max_age=TZ_MAX_AGE, path="/", samesite="lax"
        )


def signed_in_redirect(
    request: Request, form: FormData, started: StartedSession, target: str
) -> RedirectResponse:
    """Hand the browser its new session and go on to ``target``, keeping the time zone
    the sign-in or sign-up form's script reported."""
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, started)
    remember_zone(response, request, text_field(form, "tz", 64))
    return response


def form_page(
    request: Request,
    state: AppState,
    template: str,
    context: Mapping[str, Any],
    status_code: int = 200,
    who: SignedIn | None = None,
) -> HTMLResponse:
    """A page with a form: its CSRF token tied to the session of the person signed in
    (``who``) or, for someone not signed in, to a nonce cookie (and the page carries the
    time zone their browser reported)."""
    if who is not None:
        csrf_token = session_csrf(state, who.token)
        return page(request, state, template, {**context, "csrf_token": csrf_token}, status_code)
    nonce, token = anonymous_csrf(request, state)
    signed_out = {**context, "csrf_token": token, "tz": zone_name(request)}
    response = page(request, state, template, signed_out, status_code)
    set_form_cookie(response, request, nonce)
    return response


# ---------------------------------------------------------------- sign up


def _signup_page(
    request: Request, state: AppState, email: str, errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    view: SignUpView = {
        "form": {"email": email[:MAX_EMAIL_CHARS]},
        "errors": errors,
        "min_length": PASSWORD_MIN_LENGTH,
    }
    return form_page(request, state, "account_signup.html", view, status_code)


def _signup_refused(
    request: Request, state: AppState, email: str, error: AccountError
) -> HTMLResponse:
    """The sign-up form again with the service's reason (429 when throttled)."""
    field = "email" if isinstance(error, ThrottledError) else error.field
    if field not in ("email", "password"):
        field = "email"
    return _signup_page(request, state, email, {field: error.translated()}, refusal_status(error))


@router.get("/account/signup")
def signup_form(request: Request, state: StateDep) -> HTMLResponse:
    """Create an account to keep a diary."""
    return _signup_page(request, state, "", {})


@router.post("/account/signup")
def signup_submit(
    request: Request,
    state: StateDep,
    db: DbDep,
    form: SignedOutForm,
    background: BackgroundTasks,
) -> Response:
    """Create the account. With email set up, the answer is "check your email" whether
    or not the address had an account; without it, the account is signed in at once,
    as there is no way to confirm an address."""
    email = text_field(form, "email", MAX_EMAIL_CHARS).strip()
    password, again = typed_twice(form, "password")
    errors: dict[str, str] = {}
    address = ""
    if not email:
        errors["email"] = _("Please enter your email address.")
    else:
        try:
            address = accounts.normalise_email(email)
        except AccountError as error:
            errors["email"] = error.translated()
    errors.update(new_password_errors(password, again, email=address or None))
    if errors:
        return _signup_page(request, state, email, errors, 422)
    try:
        if state.mailer.configured:
            done = account_links.register(db, email, password, client=client_address(request))
        else:
            user = accounts.sign_up(db, email, password, client=client_address(request))
    except AccountError as error:
        return _signup_refused(request, state, email, error)
    if state.mailer.configured:
        # Sign-up says nothing of whether the address has an account (the security
        # review's L7): a new account waits for its confirmation link; an address with
        # an account is sent a notice with a reset link. The page is the same either way.
        send_registration_email(background, state, done)
        return page(request, state, "account_check_email.html", {"reason": "signup"})
    return signed_in_redirect(request, form, accounts.start_session(db, user), "/diary?welcome=1")


# ---------------------------------------------------------------- sign in and out


def _signin_page(
    request: Request, state: AppState, view: SignInView, status_code: int = 200
) -> HTMLResponse:
    return form_page(request, state, "account_signin.html", view, status_code)


@router.get("/account/signin")
def signin_form(
    request: Request,
    state: StateDep,
    next_page: Annotated[str | None, Query(alias="next")] = None,
    done: str | None = None,
) -> HTMLResponse:
    """Sign in to see your diary."""
    notices = {
        "signed_out": _("You are signed out."),
        "deleted": _("Your account and your diary were deleted."),
        "reset": _(
            "Your password was changed, and every device that was signed in was signed "
            "out. Sign in with your new password."
        ),
    }
    return _signin_page(request, state, sign_in_view(safe_next(next_page), notices.get(done or "")))


@router.post("/account/signin")
def signin_submit(request: Request, state: StateDep, db: DbDep, form: SignedOutForm) -> Response:
    """Check the email address and password; a new session on success."""
    address = client_address(request)
    next_page = safe_next(text_field(form, "next", 200))
    attempt = attempt_sign_in(
        form, next_page, lambda email, password: accounts.authenticate(db, email, password, address)
    )
    if attempt.who is None:
        return _signin_page(request, state, attempt.view, attempt.status)
    accounts.end_session(db, cookie_token(request))
    return signed_in_redirect(request, form, accounts.start_session(db, attempt.who), next_page)


@router.post("/account/signout")
def signout(request: Request, state: StateDep, db: DbDep, form: FormDep) -> Response:
    """End this session and forget the cookie."""
    token = cookie_token(request)
    if token is not None and not session_csrf_valid(state, token, form):
        return csrf_failed(request, state)
    accounts.end_session(db, token)
    response = RedirectResponse("/account/signin?done=signed_out", status_code=303)
    clear_session_cookie(response, request)
    return response


# ---------------------------------------------------------------- the account page


@router.get("/account")
def account_home(
    request: Request, state: StateDep, db: DbDep, who: CurrentPatient, done: str | None = None
) -> Response:
    """The account: email, password, time zone, download my data, delete."""
    notices = {
        "password": _("Your password was changed. Any other device you used was signed out."),
        "timezone": _("Your time zone was saved."),
        "shared": _("Your diary is now shared with the clinic."),
        "revoked": _("You stopped sharing your diary; the clinic can no longer see it."),
    }
    fmt = here(request, state)
    view: AccountHomeView = {
        "email": who.user.email,
        "created": fmt.day(fmt.local(who.user.created_at).date()),
        "zone": zone_name(request),
        "notice": notices.get(done or ""),
    }
    sharing = sharing_rows(db, who.user.id, state.clinic.id)
    for share in sharing["shares"]:
        share["since"] = fmt.day(fmt.local(share["since"]).date())
        if share["until"] is not None:
            share["until"] = fmt.day(fmt.local(share["until"]).date())
    return form_page(request, state, "account_home.html", {**view, **sharing}, who=who)


def _password_page(
    request: Request, state: AppState, who: SignedIn, errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    view: PasswordView = {"errors": errors, "min_length": PASSWORD_MIN_LENGTH}
    return form_page(request, state, "account_password.html", view, status, who)


@router.get("/account/password")
def password_form(request: Request, state: StateDep, who: CurrentPatient) -> Response:
    """Change the password."""
    return _password_page(request, state, who, {})


@router.post("/account/password")
def password_submit(
    request: Request, state: StateDep, db: DbDep, who: CurrentPatient, form: PatientForm
) -> Response:
    """Change the password: every session ends, this browser gets a new one."""
    fields = password_change_fields(form)
    errors = fields.errors
    errors.update(new_password_errors(fields.new, fields.again, "new_password", who.user.email))
    if not errors:
        try:
            started = accounts.change_password(db, who.user, fields.current, fields.new)
        except AccountError as error:
            errors.update(change_refused(error))
    if errors:
        return _password_page(request, state, who, errors, 422)
    response = RedirectResponse("/account?done=password", status_code=303)
    set_session_cookie(response, request, started)
    return response


# ---------------------------------------------------------------- time zone


def _zone_page(
    request: Request,
    state: AppState,
    who: SignedIn,
    value: str,
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    view: ZoneView = {"form": {"tz": value}, "errors": errors, "zones": place_zone_names()}
    return form_page(request, state, "account_timezone.html", view, status, who)


@router.get("/account/timezone")
def zone_form(request: Request, state: StateDep, who: CurrentPatient) -> Response:
    """Choose the time zone the diary's times are in."""
    return _zone_page(request, state, who, zone_name(request), {})


@router.post("/account/timezone")
def zone_submit(
    request: Request, state: StateDep, who: CurrentPatient, form: PatientForm
) -> Response:
    """Keep the chosen time zone (in a cookie of this browser)."""
    name = text_field(form, "tz", 64).strip()
    if time_zone(name) is None:
        message = _("Please choose a time zone from the list, such as America/Denver.")
        return _zone_page(request, state, who, name[:64], {"tz": message}, 422)
    response = RedirectResponse("/account?done=timezone", status_code=303)
    remember_zone(response, request, name)
    return response


# ---------------------------------------------------------------- download my data


@router.get("/account/export/{kind}")
def export_download(
    request: Request, state: StateDep, db: DbDep, who: CurrentPatient, kind: str
) -> Response:
    """Everything held about the person: JSON, the episodes as CSV, or a FHIR R4 Bundle."""
    kinds: dict[str, Literal["json", "csv", "fhir"]] = {
        "json": "json",
        "csv": "csv",
        "fhir": "fhir",
    }
    if kind not in kinds:
        return not_found(request, state)
    # The CSV's times are in the person's zone (the clinic's when theirs is not known).
    name = zone_name(request) or state.clinic.time_zone
    zone = time_zone(name) or state.clinic.zone
    fmt = LocalFormat(zone, name, state.clinic.locale)
    return export_response(db, who.user, state.pipeline.kb, kinds[kind], fmt)


# ---------------------------------------------------------------- delete the account


def _delete_page(
    request: Request, state: AppState, who: SignedIn, message: str | None, status: int = 200
) -> HTMLResponse:
    view: DeleteView = {"errors": {"password": message} if message else {}, "email": who.user.email}
    return form_page(request, state, "account_delete.html", view, status, who)


@router.get("/account/delete")
def delete_form(request: Request, state: StateDep, who: CurrentPatient) -> Response:
    """What deleting removes, and the password to confirm it."""
    return _delete_page(request, state, who, None)


@router.post("/account/delete")
def delete_submit(
    request: Request, state: StateDep, db: DbDep, who: CurrentPatient, form: PatientForm
) -> Response:
    """Delete the account and its diary for good, once the password is right."""
    password = text_field(form, "password", MAX_PASSWORD_CHARS)
    if not password:
        return _delete_page(request, state, who, _("Please enter your password."), 422)
    try:
        accounts.authenticate(db, who.user.email, password, client_address(request))
    except ThrottledError as error:
        return _delete_page(request, state, who, error.translated(), 429)
    except AccountError:
        message = _("That password is not right. Your account was not deleted.")
        return _delete_page(request, state, who, message, 422)
    accounts.delete_account(db, who.user)
    response = RedirectResponse("/account/signin?done=deleted", status_code=303)
    clear_session_cookie(response, request)
    return response
