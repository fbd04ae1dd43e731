"""The words of crampcheck's emails.

Email crosses other people's servers and sits in inboxes that others may read, so no
email carries clinical detail: nothing of what the person described, no urgency, no
finding, no advice about their case. A patient's email names the clinic and says what
happens next; the clinic's notice of an urgent request carries a link to the inbox and
nothing about the person (not even their name). Tests scan every body for clinical
words.
"""

from __future__ import annotations

from datetime import timedelta

from crampcheck.clinic import Clinic
from crampcheck.domain.types import Urgency
from crampcheck.services.mail import Email

PRODUCT = "crampcheck"


def _hours(lifetime: timedelta) -> str:
    hours = int(lifetime.total_seconds() // 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"


def _contact(clinic: Clinic) -> str:
    lines = [clinic.name, f"Phone: {clinic.phone}"]
    if clinic.website:
        lines.append(f"Website: {clinic.website}")
    return "\n".join(lines)


def _footer(clinic: Clinic) -> str:
    return (
        "\n\n-- \n"
        f"This email was sent by {PRODUCT} for {clinic.name}. Please do not reply to it: "
        f"call the clinic at {clinic.phone} instead.\n"
    )


def password_reset(to: str, link: str, lifetime: timedelta, clinic: Clinic) -> Email:
    """The link to choose a new password."""
    body = (
        "Hello,\n\n"
        f"Someone asked to reset the password of the {PRODUCT} account for this email "
        "address. To choose a new password, open this link:\n\n"
        f"{link}\n\n"
        f"The link works once, for {_hours(lifetime)}. Choosing a new password signs "
        "out every device that was signed in to the account.\n\n"
        "If you did not ask for this, you can ignore this email: your password stays as "
        "it is."
    )
    return Email(to, f"Reset your {PRODUCT} password", body + _footer(clinic))


def confirm_account(to: str, link: str, lifetime: timedelta, clinic: Clinic) -> Email:
    """The link that finishes a new account."""
    body = (
        "Hello,\n\n"
        f"Someone signed up for a {PRODUCT} account with this email address. To finish "
        "creating it, open this link and type the password you chose:\n\n"
        f"{link}\n\n"
        f"The link works once, for {_hours(lifetime)}.\n\n"
        "If it was not you, ignore this email: the account cannot be used without it."
    )
    return Email(to, f"Finish creating your {PRODUCT} account", body + _footer(clinic))


def sign_up_with_existing_account(to: str, link: str, lifetime: timedelta, clinic: Clinic) -> Email:
    """To an address that already has an account when someone signs up with it."""
    body = (
        "Hello,\n\n"
        f"Someone tried to sign up for {PRODUCT} with this email address, which already "
        "has an account. No new account was made, and your account is unchanged.\n\n"
        "If it was you and you have forgotten your password, you can choose a new one "
        "with this link:\n\n"
        f"{link}\n\n"
        f"The link works once, for {_hours(lifetime)}. If it was not you, you can ignore "
        "this email."
    )
    return Email(to, f"Your {PRODUCT} account", body + _footer(clinic))


def request_received(to: str, clinic: Clinic, emergency_number: str = "911") -> Email:
    """To the patient: their appointment request arrived (nothing about why they sent it)."""
    body = (
        "Hello,\n\n"
        f"{clinic.name} received your appointment request, sent through {PRODUCT}.\n\n"
        "What happens next: someone from the clinic will call or email you, using the "
        "details you gave, to arrange a time. If you do not hear from them, or your "
        "plans change, please contact the clinic:\n\n"
        f"{_contact(clinic)}\n\n"
        "If you feel worse before then, do not wait for the clinic: get care now, and in "
        f"an emergency call {emergency_number}."
    )
    return Email(to, f"{clinic.name}: we received your appointment request", body + _footer(clinic))


def clinic_notice(to: str, inbox_link: str, clinic: Clinic) -> Email:
    """To the clinic: a request that should be looked at soon arrived (a link only)."""
    body = (
        f"A new appointment request for {clinic.name} arrived through {PRODUCT} and "
        "should be looked at soon.\n\n"
        "Open the clinic's inbox to see it (sign-in needed):\n\n"
        f"{inbox_link}\n\n"
        "For the patient's privacy this email says nothing more about it."
    )
    return Email(to, f"{PRODUCT}: a new request to look at soon", body + "\n")


NOTICE_URGENCIES = frozenset({Urgency.URGENT.value, Urgency.EMERGENCY.value})


def after_appointment_request(
    *,
    patient_email: str | None,
    urgency: str,
    clinic: Clinic,
    clinic_address: str,
    inbox_link: str,
    emergency_number: str,
) -> list[Email]:
    """The emails a new appointment request sends: a confirmation to the patient when
    they gave an email address, and a notice to the clinic's address (when set) when the
    check said urgent or emergency. ``urgency`` only chooses whether the notice goes; no
    email says it."""
    sent = []
    if patient_email:
        sent.append(request_received(patient_email, clinic, emergency_number))
    if clinic_address and urgency in NOTICE_URGENCIES:
        sent.append(clinic_notice(clinic_address, inbox_link, clinic))
    return sent
