"""The fields every password form reads the same way, for patients and staff alike.

A sign-in form needs an email address and a password before anything is looked up; a
patient choosing a new password (sign-up, a reset link, the account page) types it
twice and it must meet the sign-up rules before the two copies are compared, so the
person hears first what is wrong with the password itself. Staff forms check their
rules in the staff services and read only the raw fields here.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData

from crampcheck.services import accounts
from crampcheck.services.accounts import AccountError
from crampcheck.web.i18n import _
from crampcheck.web.pages.flow import text_field

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
