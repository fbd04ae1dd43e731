"""The fields every password form reads the same way, for patients and staff alike.

A sign-in form needs an email address and a password before anything is looked up; a
patient choosing a new password (sign-up, a reset link, the account page) types it
twice and it must meet the sign-up rules before the two copies are compared, so the
person hears first what is wrong with the password itself. Staff forms check their
rules in the staff services and read only the raw fields here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.datastructures import FormData

from crampcheck.services import accounts
from crampcheck.services.accounts import AccountError, ThrottledError
from crampcheck.web.i18n import _
from crampcheck.web.pages.flow import text_field
from crampcheck.web.pages.views import SignInView

Who = TypeVar("Who")

MAX_PASSWORD_CHARS = 1024
"""The most of a typed password read from a form (the rules refuse long ones anyway)."""
MAX_EMAIL_CHARS = 254


@dataclass(frozen=True)
class SignInFields:
    """What a sign-in form sent, and what is missing from it."""

    email: str
    password: str
    errors: dict[str, str]


def sign_in_fields(form: FormData) -> SignInFields:
    """The email address and password of a sign-in form; each one missing gets its
    message (nothing is looked up while one is missing)."""
    email = text_field(form, "email", MAX_EMAIL_CHARS).strip()
    password = text_field(form, "password", MAX_PASSWORD_CHARS)
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = _("Please enter your email address.")
    if not password:
        errors["password"] = _("Please enter your password.")
    return SignInFields(email, password, errors)


def refusal_status(error: AccountError) -> int:
    """The status a form refused by the account services answers with: 429 for a
    throttled attempt, 422 for any other refusal."""
    return 429 if isinstance(error, ThrottledError) else 422


def sign_in_view(next_page: str, notice: str | None = None) -> SignInView:
    """An empty sign-in form, going on to ``next_page``, with ``notice`` above it."""
    return SignInView(form={"email": "", "next": next_page}, errors={}, notice=notice)


@dataclass(frozen=True)
class SignInAttempt(Generic[Who]):
    """A sign-in form's outcome: who signed in, else the form to show again (what was
    typed, each field's message) and the status to answer it with."""

    who: Who | None
    view: SignInView
    status: int = 200


def attempt_sign_in(
    form: FormData, next_page: str, authenticate: Callable[[str, str], Who]
) -> SignInAttempt[Who]:
    """Read a sign-in form (a patient's or a staff member's) and, once nothing is
    missing, ``authenticate(email, password)``; a refusal is said at the email field (one
    message for an unknown address and a wrong password)."""
    typed = sign_in_fields(form)
    typed_in = {"email": typed.email[:MAX_EMAIL_CHARS], "next": next_page}
    if typed.errors:
        return SignInAttempt(None, SignInView(form=typed_in, errors=typed.errors, notice=None), 422)
    try:
        who = authenticate(typed.email, typed.password)
    except AccountError as error:
        refused = SignInView(form=typed_in, errors={"email": error.translated()}, notice=None)
        return SignInAttempt(None, refused, refusal_status(error))
    return SignInAttempt(who, SignInView(form=typed_in, errors={}, notice=None))


def typed_twice(form: FormData, field: str) -> tuple[str, str]:
    """A new password and its repetition (``field`` and ``field_again``)."""
    return (
        text_field(form, field, MAX_PASSWORD_CHARS),
        text_field(form, f"{field}_again", MAX_PASSWORD_CHARS),
    )


def mismatch_message(field: str) -> str:
    """The message for a new password not typed the same twice."""
    if field == "new_password":
        return _("The two new passwords are not the same. Please type it again.")
    return _("The two passwords are not the same. Please type it again.")


def new_password_errors(
    password: str, again: str, field: str = "password", email: str | None = None
) -> dict[str, str]:
    """What is wrong with a patient's new password: the sign-up rules first (keyed by
    ``field``), then whether it was typed the same twice (keyed by ``field_again``)."""
    errors: dict[str, str] = {}
    try:
        accounts.check_password(password, email)
    except AccountError as error:
        errors[field] = error.translated()
    if field not in errors and again != password:
        errors[f"{field}_again"] = mismatch_message(field)
    return errors


@dataclass(frozen=True)
class PasswordChange:
    """What a change-password form sent (the current password, the new one typed twice),
    and what is missing from it so far: the current password."""

    current: str
    new: str
    again: str
    errors: dict[str, str]


def password_change_fields(form: FormData) -> PasswordChange:
    """The fields of a change-password form, patient's or staff member's; each side then
    checks the new password by its own rules."""
    current = text_field(form, "current_password", MAX_PASSWORD_CHARS)
    new, again = typed_twice(form, "new_password")
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = _("Please enter your current password.")
    return PasswordChange(current, new, again, errors)


def change_refused(error: AccountError) -> dict[str, str]:
    """A password change the service refused, said at the form's field (the service's
    ``password`` is the form's new password)."""
    field = "new_password" if error.field == "password" else error.field
    return {field: error.translated()}
