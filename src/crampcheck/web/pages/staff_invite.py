"""The page an invitation link opens: a staff member chooses their own password.

``/staff/invite/{token}`` greets the member the link is for and asks for a password
under the usual rules (twice); sending it sets the password, uses the link up and signs
them in, a new session like any sign-in's. A link that cannot be used (unknown, used,
revoked, expired, or its member deactivated) gets one page whatever the reason, saying
to ask the clinic's admin for a new one: 404 for a link that never was one, 410 for one
that was. Nothing is written until a password the rules accept is sent, so a mistyped
one leaves the link working.

The token is in the address, so the page is never cached (every staff page is
``no-store``) and refers nowhere (``Referrer-Policy: no-referrer`` on every page);
crampcheck keeps no access log (``crampcheck serve`` turns uvicorn's off) and the nginx
configuration in docs/deploy logs no request for these addresses. The form carries
the sign-in form's kind of token (a nonce in a cookie), as there is no session yet.

The routes are plain ``def`` (run off the event loop): password hashing is slow on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from crampcheck.clinic import Clinic
from crampcheck.services import invitations
from crampcheck.services.accounts import PASSWORD_MIN_LENGTH, AccountError
from crampcheck.services.roles import role_label
from crampcheck.web.auth import DbDep, client_address, looks_like_token
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.credentials import mismatch_message, typed_twice
from crampcheck.web.pages.guards import STAFF_HOME, Answer, StaffSignInForm
from crampcheck.web.pages.staff_render import no_store, staff_page
from crampcheck.web.staff_auth import begin_staff_session, set_signin_cookie, signin_csrf
from crampcheck.web.staff_shared import registered_clinic
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

INVITE_PATH = "/staff/invite/{token}"


def _clinic(db: Session, state: AppState, clinic_id: str) -> Clinic | None:
    """The invitee's clinic (the installation's public one, or its registered record)."""
    return state.clinic if clinic_id == state.clinic.id else registered_clinic(db, clinic_id)


def _unusable(request: Request, state: AppState, known: bool) -> HTMLResponse:
    """One page for every link that cannot be used: 410 for one that was an invitation,
    404 for one that never was. The words are the same, so they say nothing of which."""
    return staff_page(
        request,
        state,
        None,
        "staff_invite_unusable.html",
        {},
        status_code=410 if known else 404,
    )


def _form_page(
    request: Request,
    state: AppState,
    db: Session,
    link: OpenLink,
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    nonce, csrf_token = signin_csrf(request, state)
    invitee = link.invitee
    clinic = _clinic(db, state, invitee.clinic_id)
    zone: tzinfo = clinic.zone if clinic is not None else state.clinic.zone
    response = staff_page(
        request,
        state,
        None,
        "staff_invite.html",
        {
            "action": request.url_for("invitation_submit", token=link.token).path,
            "invitee": {
                "name": invitee.name,
                "email": invitee.email,
                "role": role_label(invitee.role),
                "clinic": clinic.name if clinic is not None else invitee.clinic_id,
                "expires": invitee.expires_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
            },
            "errors": errors,
            "min_length": PASSWORD_MIN_LENGTH,
            "csrf_token": csrf_token,
        },
        status_code,
    )
    set_signin_cookie(response, request, nonce)
    return response


@dataclass(frozen=True)
class OpenLink:
    """An invitation link that can still be used, and whom it is for."""

    token: str
    invitee: invitations.Invitee


def open_link(request: Request, state: StateDep, db: DbDep, token: str) -> OpenLink:
    """The link in the address, or the page for a link that cannot be used."""
    if not looks_like_token(token):
        raise Answer(_unusable(request, state, known=False))
    try:
        return OpenLink(token, invitations.invitee(db, token))
    except invitations.InvitationUnusable as unusable:
        raise Answer(_unusable(request, state, unusable.known)) from None


OpenLinkDep = Annotated[OpenLink, Depends(open_link)]


@router.get(INVITE_PATH)
def invitation_form(request: Request, state: StateDep, db: DbDep, link: OpenLinkDep) -> Response:
    """Greet the member the link is for and ask for their password (nothing is written)."""
    return _form_page(request, state, db, link, {})


@router.post(INVITE_PATH)
def invitation_submit(
    request: Request, state: StateDep, db: DbDep, form: StaffSignInForm, link: OpenLinkDep
) -> Response:
    """Set the member's password, use the link up and sign them in (a new session; one
    the browser held for someone else ends)."""
    password, again = typed_twice(form, "password")
    errors: dict[str, str] = {}
    if not password:
        errors["password"] = _("Please choose a password.")
    elif again != password:
        errors["password_again"] = mismatch_message("password")
    if not errors:
        try:
            member = invitations.accept_invitation(
                db, link.token, password, address=client_address(request)
            )
        except invitations.InvitationUnusable as unusable:
            return _unusable(request, state, unusable.known)
        except AccountError as error:
            errors["password"] = error.translated()
    if errors:
        return _form_page(request, state, db, link, errors, 422)
    response = RedirectResponse(STAFF_HOME, status_code=303)
    begin_staff_session(response, request, db, member)
    return no_store(response)
