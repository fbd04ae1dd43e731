"""Email from the web layer: sent after the response, so after the request's transaction.

The database session of a request commits when the route returns, before the response
is sent; background tasks run after the response. An email handed to :func:`send_later`
therefore goes out only once what it tells of is saved, a slow or absent SMTP server
never delays the answer (nor tells, by the time it takes, whether an email was sent),
and a failure to send is logged by :class:`~crampcheck.services.mail.Mailer` without
undoing anything.
"""

from __future__ import annotations

from fastapi import BackgroundTasks

from crampcheck.services import account_links, emails
from crampcheck.services.mail import Email
from crampcheck.web.state import AppState


def send_later(background: BackgroundTasks, state: AppState, email: Email) -> None:
    """Send ``email`` once the response has gone (nothing when mail is not configured)."""
    if state.mailer.configured:
        background.add_task(state.mailer.send, email)


def absolute(state: AppState, path: str) -> str:
    """A link for an email: the configured public address (never the request's Host
    header, which anyone can set) followed by ``path``."""
    return state.settings.effective_public_url + path


def send_request_emails(
    background: BackgroundTasks, state: AppState, patient_email: str | None, urgency: str
) -> None:
    """After a new appointment request: the patient's confirmation, and the clinic's
    notice of an urgent one (see :func:`crampcheck.services.emails.after_appointment_request`)."""
    for email in emails.after_appointment_request(
        patient_email=patient_email,
        urgency=urgency,
        clinic=state.clinic,
        clinic_address=state.settings.mail_clinic_address,
        inbox_link=absolute(state, "/staff"),
        emergency_number=state.settings.emergency_number,
    ):
        send_later(background, state, email)


CHECK_EMAIL = (
    "Check your email: we have sent a link to finish creating your account, or, if the "
    "address already has one, a notice with a link to choose a new password."
)


def send_registration_email(
    background: BackgroundTasks, state: AppState, done: account_links.Registration
) -> None:
    """After a sign-up: the new account's confirmation link, or, for an address that had
    an account, a notice with a reset link."""
    if done.created:
        link = absolute(state, f"/account/confirm/{done.token}")
        message = emails.confirm_account(
            done.user.email, link, account_links.LIFETIME["confirm"], state.clinic
        )
    else:
        link = absolute(state, f"/account/reset/{done.token}")
        message = emails.sign_up_with_existing_account(
            done.user.email, link, account_links.LIFETIME["reset"], state.clinic
        )
    send_later(background, state, message)
