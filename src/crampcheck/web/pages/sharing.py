"""Sharing the diary with a clinic from the account page, and stopping it.

The account page lists each clinic the diary is (or was) shared with; one button
shares it with this site's clinic, another stops sharing. Both are forms with the
session's CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from crampcheck.services.sharing import revoke_share, share_diary
from crampcheck.web.auth import DbDep
from crampcheck.web.deps import StateDep
from crampcheck.web.pages.flow import text_field
from crampcheck.web.pages.guards import CurrentPatient, PatientForm

router = APIRouter(include_in_schema=False)


@router.post("/account/sharing")
def sharing_submit(state: StateDep, db: DbDep, who: CurrentPatient, form: PatientForm) -> Response:
    """Share the diary with this site's clinic, or stop sharing with a clinic."""
    action = text_field(form, "action", 10)
    clinic_id = text_field(form, "clinic_id", 64)
    if action == "share":
        share_diary(db, who.user.id, state.clinic.id)
        return RedirectResponse("/account?done=shared", status_code=303)
    if action == "revoke" and clinic_id:
        revoke_share(db, who.user.id, clinic_id)
        return RedirectResponse("/account?done=revoked", status_code=303)
    return RedirectResponse("/account", status_code=303)
