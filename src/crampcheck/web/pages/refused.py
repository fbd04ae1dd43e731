"""The pages that refuse what was sent (400) and say what happened and what to do next:
the words of each in one table, and one way to answer with them.

A form whose security token does not match is refused without changing anything; the
appointment form says so in its own words (nothing reached the clinic, and its phone
number is there); a check whose answers carried from the last page cannot be used offers
to start again.
"""

from __future__ import annotations

from enum import Enum

from fastapi import Request
from fastapi.responses import HTMLResponse

from crampcheck.web.i18n import _
from crampcheck.web.pages.render import ErrorView, error_page
from crampcheck.web.state import AppState


class Refusal(Enum):
    """Why what was sent is refused."""

    # the refusals' names, not secrets
    FORM_TOKEN = "form_token"  # nosec B105
    APPOINTMENT_TOKEN = "appointment_token"  # nosec B105
    CHECK_STATE = "check_state"


def _views() -> dict[Refusal, ErrorView]:
    """Each refusal's words, in the request's language (so built for each answer)."""
    token_mismatch = _(
        "The form's security check did not match. This happens when the form was open for "
        "a long time, was sent from another site, or cookies are blocked. Nothing was "
        "changed. Please go back, reload the page and try again."
    )
    appointment_token_mismatch = _(
        "The form's security check did not match. This happens when the form was open for "
        "more than two hours, was sent from another site, or cookies are blocked. Nothing "
        "was sent to the clinic. Please go back to your result and try again, or call the "
        "clinic."
    )
    unusable_answers = _(
        "The answers carried over from the last page were missing, damaged or too long, so "
        "nothing was assessed and nothing was saved. Please start the check again."
    )
    return {
        Refusal.FORM_TOKEN: ErrorView(_("We could not use this form"), token_mismatch),
        Refusal.APPOINTMENT_TOKEN: ErrorView(
            _("We could not send this form"), appointment_token_mismatch, show_clinic_phone=True
        ),
        Refusal.CHECK_STATE: ErrorView(
            _("We could not continue your check"), unusable_answers, show_restart=True
        ),
    }


def refused(request: Request, state: AppState, why: Refusal) -> HTMLResponse:
    """The 400 page for ``why``."""
    return error_page(request, state, _views()[why], 400)
