"""The words of crampcheck's emails.

Email crosses other people's servers and sits in inboxes that others may read, so no
email carries clinical detail: nothing of what the person described, no urgency, no
finding, no advice about their case. A patient's email names the clinic and says what
happens next; the clinic's notice of an urgent request carries a link to the inbox and
nothing about the person (not even their name). Tests scan every body for clinical
words.

A person's email is written in the language of the moment: the language of the page
they sent it from (Spanish for a person using the Spanish pages). The clinic's notice is
in the clinic's language, whoever's request it tells of.
"""

from __future__ import annotations

from datetime import timedelta

from crampcheck.clinic import Clinic
from crampcheck.domain.i18n import CLINIC_LANGUAGE, _, current_language, ngettext, using_language
from crampcheck.domain.types import Urgency
from crampcheck.services.mail import Email

PRODUCT = "crampcheck"


def _hours(lifetime: timedelta) -> str:
    hours = int(lifetime.total_seconds() // 3600)
    return ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours}


def _contact(clinic: Clinic) -> str:
    lines = [clinic.name, _("Phone: %(phone)s") % {"phone": clinic.phone}]
    if clinic.website:
        lines.append(_("Website: %(website)s") % {"website": clinic.website})
    return "\n".join(lines)


def _footer(clinic: Clinic) -> str:
    return (
        "\n\n-- \n"
        + _(
            "This email was sent by %(product)s for %(clinic)s. Please do not reply to it: "
            "call the clinic at %(phone)s instead."
        )
        % {"product": PRODUCT, "clinic": clinic.name, "phone": clinic.phone}
        + "\n"
    )


def _email(to: str, subject: str, body: str) -> Email:
    """An email to a person, in the language of the moment."""
    return Email(to, subject, body, current_language())


def _link_email(
    to: str, subject: str, body: str, link: str, lifetime: timedelta, clinic: Clinic
) -> Email:
    """An email whose point is a link that works once for a while: ``subject`` and
    ``body`` (translated) name the product, the link and its lifetime as ``%(product)s``,
    ``%(link)s`` and ``%(hours)s``."""
    values = {"product": PRODUCT, "link": link, "hours": _hours(lifetime)}
    return _email(to, subject % values, body % values + _footer(clinic))


def password_reset(to: str, link: str, lifetime: timedelta, clinic: Clinic) -> Email:
    """The link to choose a new password."""
    body = _(
        "Hello,\n\n"
        "Someone asked to reset the password of the %(product)s account for this email "
        "address. To choose a new password, open this link:\n\n"
        "%(link)s\n\n"
        "The link works once, for %(hours)s. Choosing a new password signs out every "
        "device that was signed in to the account.\n\n"
        "If you did not ask for this, you can ignore this email: your password stays as "
        "it is."
    )
    return _link_email(to, _("Reset your %(product)s password"), body, link, lifetime, clinic)


def confirm_account(to: str, link: str, lifetime: timedelta, clinic: Clinic) -> Email:
    """The link that finishes a new account."""
    body = _(
        "Hello,\n\n"
        "Someone signed up for a %(product)s account with this email address. To finish "
        "creating it, open this link and type the password you chose:\n\n"
        "%(link)s\n\n"
        "The link works once, for %(hours)s.\n\n"
        "If it was not you, ignore this email: the account cannot be used without it."
    )
    return _link_email(
        to, _("Finish creating your %(product)s account"), body, link, lifetime, clinic
    )


def sign_up_with_existing_account(to: str, link: str, lifetime: timedelta, clinic: Clinic) -> Email:
    """To an address that already has an account when someone signs up with it."""
    body = _(
        "Hello,\n\n"
        "Someone tried to sign up for %(product)s with this email address, which already "
        "has an account. No new account was made, and your account is unchanged.\n\n"
        "If it was you and you have forgotten your password, you can choose a new one "
        "with this link:\n\n"
        "%(link)s\n\n"
        "The link works once, for %(hours)s. If it was not you, you can ignore this email."
    )
    return _link_email(to, _("Your %(product)s account"), body, link, lifetime, clinic)


def request_received(to: str, clinic: Clinic, emergency_number: str = "911") -> Email:
    """To the patient: their appointment request arrived (nothing about why they sent it)."""
    body = _(
        "Hello,\n\n"
        "%(clinic)s received your appointment request, sent through %(product)s.\n\n"
        "What happens next: someone from the clinic will call or email you, using the "
        "details you gave, to arrange a time. If you do not hear from them, or your "
        "plans change, please contact the clinic:\n\n"
        "%(contact)s\n\n"
        "If you feel worse before then, do not wait for the clinic: get care now, and in "
        "an emergency call %(number)s."
    ) % {
        "clinic": clinic.name,
        "product": PRODUCT,
        "contact": _contact(clinic),
        "number": emergency_number,
    }
    subject = _("%(clinic)s: we received your appointment request") % {"clinic": clinic.name}
    return _email(to, subject, body + _footer(clinic))


def clinic_notice(to: str, inbox_link: str, clinic: Clinic) -> Email:
    """To the clinic: a request that should be looked at soon arrived (a link only), in
    the clinic's language, whatever the person's."""
    with using_language(CLINIC_LANGUAGE):
        body = _(
            "A new appointment request for %(clinic)s arrived through %(product)s and "
            "should be looked at soon.\n\n"
            "Open the clinic's inbox to see it (sign-in needed):\n\n"
            "%(link)s\n\n"
            "For the patient's privacy this email says nothing more about it."
        ) % {"clinic": clinic.name, "product": PRODUCT, "link": inbox_link}
        subject = _("%(product)s: a new request to look at soon") % {"product": PRODUCT}
        return Email(to, subject, body + "\n", CLINIC_LANGUAGE)


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
