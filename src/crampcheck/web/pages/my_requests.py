"""``GET /account/requests``: the signed-in person's own appointment requests.

Each with its reference, the clinic, when it was sent (in the person's time zone,
written as the clinic's locale writes dates in the person's language) and where it
stands in the clinic's workflow, in plain words. Signed out, the page sends the person
to sign in and back; only requests linked to their own account are listed (see
:mod:`crampcheck.services.my_requests`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crampcheck.services.my_requests import requests_of
from crampcheck.web.auth import DbDep
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.account import here
from crampcheck.web.pages.guards import CurrentPatient
from crampcheck.web.pages.render import page

router = APIRouter(include_in_schema=False)


def status_words() -> dict[str, str]:
    """Where a request stands, as the person who sent it reads it."""
    return {
        "new": _("Sent: the clinic has not contacted you yet"),
        "contacted": _("The clinic has contacted you"),
        "booked": _("Appointment booked"),
        "closed": _("Closed"),
        "declined": _("Declined by the clinic: please call the clinic"),
    }


@router.get("/account/requests")
def my_requests(request: Request, state: StateDep, db: DbDep, who: CurrentPatient) -> HTMLResponse:
    """The person's appointment requests, newest first."""
    fmt = here(request, state)
    words = status_words()
    rows = [
        {
            "reference": item.reference,
            "clinic": item.clinic_name,
            "sent": fmt.day(fmt.local(item.sent_at).date()),
            "sent_iso": item.sent_at.isoformat(),
            "status": item.status,
            "status_text": words.get(item.status, item.status),
            "changed": (
                fmt.day(fmt.local(item.status_changed_at).date()) if item.status_changed_at else ""
            ),
        }
        for item in requests_of(db, who.user.id)
    ]
    return page(request, state, "account_requests.html", {"rows": rows})
