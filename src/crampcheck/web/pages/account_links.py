"""Pages of the links crampcheck emails: "Forgot password?" and finishing a new account.

``/account/reset`` asks for the email address and always answers with the same "check
your email" page, whether or not it has an account (only the email differs: sent, or
not). ``/account/reset/{token}`` sets a new password under the sign-up rules; every
session of the account ends and the link is used up. ``/account/confirm/{token}``
finishes an account made by sign-up, with the password chosen then, and signs in.

A link that cannot be used (unknown, used, expired) gets one page whatever the reason.
The tokens are in the address: every page here is ``no-store`` and ``no-referrer`` (as
every page is), crampcheck keeps no access log, and the nginx configuration in
docs/deploy logs no request for these addresses. When email is not set up, the reset
page says to contact the clinic instead of offering a form that could not work.

The routes are plain ``def`` (run off the event loop): password hashing is slow on purpose.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from crampcheck.services import account_links, emails
from crampcheck.services.accounts import PASSWORD_MIN_LENGTH, AccountError
from crampcheck.web.auth import DbDep, client_address, looks_like_token
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.mailing import absolute, send_later
from crampcheck.web.pages.account import form_page, signed_in_redirect
from crampcheck.web.pages.credentials import (
    MAX_EMAIL_CHARS,
    MAX_PASSWORD_CHARS,
    new_password_errors,
    refusal_status,
    typed_twice,
)
from crampcheck.web.pages.flow import text_field
from crampcheck.web.pages.guards import SignedOutForm
from crampcheck.web.pages.render import page
from crampcheck.web.pages.views import LinkFormView, ResetRequestView
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

RESET_PATH = "/account/reset/{token}"
CONFIRM_PATH = "/account/confirm/{token}"


def _unusable(request: Request, state: AppState) -> HTMLResponse:
    """One page for every link that cannot be used, whatever the reason."""
    return page(
        request,
        state,
        "account_link_unusable.html",
        {"mail": state.mailer.configured},
        status_code=410,
    )


def check_email_page(request: Request, state: AppState, reason: str) -> HTMLResponse:
    """The one answer to a reset request or a sign-up (``reason`` ``reset`` or ``signup``)."""
    return page(request, state, "account_check_email.html", {"reason": reason})


# ---------------------------------------------------------------- forgot password


def _request_page(
    request: Request,
    state: AppState,
    email: str,
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return form_page(
        request,
        state,
        "account_reset_request.html",
        ResetRequestView(form={"email": email}, errors=errors, mail=state.mailer.configured),
        status_code,
    )


@router.get("/account/reset")
def reset_request_form(request: Request, state: StateDep) -> HTMLResponse:
    """Forgot your password? The email address to send a link to."""
    return _request_page(request, state, "", {})


@router.post("/account/reset")
def reset_request_submit(
    request: Request,
    state: StateDep,
    db: DbDep,
    form: SignedOutForm,
    background: BackgroundTasks,
) -> Response:
    """Send a reset link when the address has an account; the same page either way."""
    if not state.mailer.configured:
        return _request_page(request, state, "", {})
    email = text_field(form, "email", MAX_EMAIL_CHARS).strip()
    if not email:
        return _request_page(
            request, state, "", {"email": _("Please enter your email address.")}, 422
        )
    try:
        issued = account_links.request_reset(db, email, client_address(request))
    except AccountError as error:
        message = {"email": error.translated()}
        status = refusal_status(error)
        return _request_page(request, state, email[:MAX_EMAIL_CHARS], message, status)
    if issued is not None:
        link = absolute(state, RESET_PATH.format(token=issued.token))
        lifetime = account_links.LIFETIME["reset"]
        send_later(
            background,
            state,
            emails.password_reset(issued.user.email, link, lifetime, state.clinic),
        )
    return check_email_page(request, state, "reset")


# ---------------------------------------------------------------- the emailed links' forms


_LINK_FORMS: dict[account_links.Purpose, tuple[str, str]] = {
    "reset": ("account_reset_form.html", RESET_PATH),
    "confirm": ("account_confirm.html", CONFIRM_PATH),
}
"""Each emailed link's form: its template and the address it is sent back to."""


def _link_page(
    request: Request,
    state: AppState,
    kind: account_links.Purpose,
    token: str,
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    """The form behind an emailed link: a new password (reset) or the one chosen at
    sign-up (confirm), sent back to the link's own address."""
    template, path = _LINK_FORMS[kind]
    view: LinkFormView = {"action": path.format(token=token), "errors": errors}
    if kind == "reset":
        view["min_length"] = PASSWORD_MIN_LENGTH
    return form_page(request, state, template, view, status_code)


def _opens(db: Session, token: str, kind: account_links.Purpose) -> bool:
    """The emailed link of ``kind`` ("reset" or "confirm") is well formed, current and
    unused (nothing is written)."""
    if not looks_like_token(token):
        return False
    try:
        account_links.link_account(db, token, kind)
    except account_links.LinkUnusable:
        return False
    return True


@router.get(RESET_PATH)
def reset_form(request: Request, state: StateDep, db: DbDep, token: str) -> Response:
    """Choose a new password (nothing is written until one is sent)."""
    return _link_form(request, state, db, token, "reset")


@router.get(CONFIRM_PATH)
def confirm_form(request: Request, state: StateDep, db: DbDep, token: str) -> Response:
    """Finish creating the account: the password chosen at sign-up."""
    return _link_form(request, state, db, token, "confirm")


def _link_form(
    request: Request, state: AppState, db: Session, token: str, kind: account_links.Purpose
) -> Response:
    """The form of an emailed link that opens, else the page for one that cannot be used."""
    if not _opens(db, token, kind):
        return _unusable(request, state)
    return _link_page(request, state, kind, token, {})


@router.post(RESET_PATH)
def reset_submit(
    request: Request, state: StateDep, db: DbDep, form: SignedOutForm, token: str
) -> Response:
    """Set the new password: every session of the account ends, the link is used up."""
    if not _opens(db, token, "reset"):
        return _unusable(request, state)
    password, again = typed_twice(form, "password")
    errors = new_password_errors(password, again)
    if not errors:
        try:
            account_links.reset_password(db, token, password)
        except account_links.LinkUnusable:
            return _unusable(request, state)
        except AccountError as error:
            errors["password"] = error.translated()
    if errors:
        return _link_page(request, state, "reset", token, errors, 422)
    return RedirectResponse("/account/signin?done=reset", status_code=303)


# ---------------------------------------------------------------- finish a new account


@router.post(CONFIRM_PATH)
def confirm_submit(
    request: Request, state: StateDep, db: DbDep, form: SignedOutForm, token: str
) -> Response:
    """Confirm the address, use the link up, sign in and go to the diary."""
    if not looks_like_token(token):
        return _unusable(request, state)
    password = text_field(form, "password", MAX_PASSWORD_CHARS)
    if not password:
        message = _("Please enter your password.")
        return _link_page(request, state, "confirm", token, {"password": message}, 422)
    try:
        started = account_links.confirm_account(db, token, password, client_address(request))
    except account_links.LinkUnusable:
        return _unusable(request, state)
    except AccountError as error:
        errors = {"password": error.translated()}
        return _link_page(request, state, "confirm", token, errors, refusal_status(error))
    return signed_in_redirect(request, form, started, "/diary?welcome=1")
