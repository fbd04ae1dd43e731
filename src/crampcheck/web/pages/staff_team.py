"""The staff app's team page: the clinic's staff, their invitations and their access.

``/staff/team`` (MANAGE_STAFF) lists the clinic's staff and adds a member by name,
email address and role: never a password, which only the member chooses, with the
one-time invitation link the page then shows once for the admin to hand over
(:mod:`crampcheck.services.invitations`). It lists the invitations not yet accepted
with when each link stops working, revokes one or issues a new link (which ends the
old one; for a member who forgot their password it also ends the password and their
sessions), and activates or deactivates members (deactivating ends their sessions and
their link; nobody can deactivate themselves or give themselves a new link). Each change
is an audit event naming the member and role, never a password or a link. Everything is
scoped to the member's clinic; the audit log's page is :mod:`.staff_audit`.

The routes are plain ``def`` (run off the event loop): password hashing is slow on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from crampcheck.domain.times import aware as _aware
from crampcheck.services import invitations
from crampcheck.services import staff as staff_service
from crampcheck.services.accounts import AccountError, normalise_email
from crampcheck.services.audit import AuditAction, record
from crampcheck.services.roles import Role, role_label
from crampcheck.storage.tables import StaffMember
from crampcheck.web.auth import DbDep, client_address
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.flow import text_field
from crampcheck.web.pages.guards import Answer, StaffForm, StaffManagingStaff
from crampcheck.web.pages.staff_render import no_store, staff_message, staff_page
from crampcheck.web.staff_auth import StaffSignedIn, staff_csrf
from crampcheck.web.staff_shared import member_clinic
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

TEAM_PATH = "/staff/team"
ADD_FIELDS = ("name", "email", "role")
INVITE_PAGE = "invitation_form"
"""The route name of the page an invitation link opens (staff_invite.py)."""


# ---------------------------------------------------------------- the team


def _who_row(member: StaffMember) -> dict[str, Any]:
    """Who a row of the team page is about: their id, name, email address and role."""
    return {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "role": role_label(member.role),
    }


def _member_row(member: StaffMember, me: StaffMember, zone: tzinfo) -> dict[str, Any]:
    """One staff member as the team table shows them (the day added in ``zone``)."""
    return {
        **_who_row(member),
        "active": member.active,
        "has_password": staff_service.has_password(member),
        "added": _aware(member.created_at).astimezone(zone).date().isoformat(),
        "is_self": member.id == me.id,
    }


def _when(moment: datetime, zone: tzinfo) -> str:
    """A time in ``zone`` (the clinic's), to the minute."""
    return _aware(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _invitation_row(invitation: invitations.OpenInvitation, zone: tzinfo) -> dict[str, Any]:
    """One invitation not yet accepted, as the invitations table shows it."""
    return {
        **_who_row(invitation.member),
        "issued": _when(invitation.created_at, zone),
        "expires": _when(invitation.expires_at, zone),
        "expired": invitation.expired,
    }


def _issued_panel(
    request: Request, issued: invitations.IssuedInvitation, zone: tzinfo
) -> dict[str, str]:
    """The new link, shown this once: only its hash is kept."""
    return {
        "name": issued.member.name,
        "email": issued.member.email,
        "link": str(request.url_for(INVITE_PAGE, token=issued.token)),
        "expires": _when(issued.expires_at, zone),
    }


def _team_page(
    request: Request,
    state: AppState,
    db: Session,
    who: StaffSignedIn,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    issued: invitations.IssuedInvitation | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The team table, the invitations not yet accepted, a link just issued (shown
    once), and the form to add a member (with what was typed, on error)."""
    members = staff_service.list_staff(db, who.member.clinic_id)
    zone = member_clinic(db, state, who.member).zone
    waiting = invitations.open_invitations(db, who.member.clinic_id)
    return staff_page(
        request,
        state,
        who,
        "staff_team.html",
        {
            "members": [_member_row(m, who.member, zone) for m in members],
            "invitations": [_invitation_row(i, zone) for i in waiting],
            "issued": _issued_panel(request, issued, zone) if issued is not None else None,
            "lifetime_hours": int(invitations.INVITATION_LIFETIME.total_seconds() // 3600),
            "roles": [(role.value, role_label(role.value)) for role in Role],
            "form": values or {"name": "", "email": "", "role": Role.FRONT_DESK.value},
            "errors": errors or {},
            "notice": notice,
            "csrf_token": staff_csrf(state, who.token),
        },
        status_code=status_code,
    )


@router.get(TEAM_PATH)
def team(
    request: Request, state: StateDep, db: DbDep, who: StaffManagingStaff, done: str | None = None
) -> Response:
    """The clinic's staff, and adding, inviting, activating and deactivating them."""
    notices = {
        "deactivated": _("The staff member was deactivated and signed out everywhere."),
        "activated": _("The staff member can sign in again."),
        "revoked": _(
            "The invitation link no longer works. They cannot sign in until you give them "
            "a new link."
        ),
    }
    return _team_page(request, state, db, who, notice=notices.get(done or ""))


def _add_form_errors(values: dict[str, str]) -> dict[str, str]:
    """What is wrong with the add-a-member form before anything is written."""
    errors: dict[str, str] = {}
    if not values["name"].strip():
        errors["name"] = _("Please enter the staff member's name.")
    if not values["email"]:
        errors["email"] = _("Please enter their work email address.")
    else:
        try:
            normalise_email(values["email"])
        except AccountError as error:
            errors["email"] = error.translated()
    if values["role"] not in {role.value for role in Role}:
        errors["role"] = _("Please choose a role.")
    return errors


@router.post(TEAM_PATH)
def team_add(
    request: Request, state: StateDep, db: DbDep, who: StaffManagingStaff, form: StaffForm
) -> Response:
    """Add a staff member to this clinic, without a password, and show their invitation
    link this once. A password sent with the form (an older page) is ignored."""
    values = {
        "name": text_field(form, "name", 120).strip(),
        "email": text_field(form, "email", 254).strip(),
        "role": text_field(form, "role", 16),
    }
    errors = _add_form_errors(values)
    if not errors:
        try:
            issued = invitations.invite_staff(
                db,
                who.member,
                clinic_id=who.member.clinic_id,
                email=values["email"],
                name=values["name"],
                role=values["role"],
                address=client_address(request),
            )
        except AccountError as error:
            errors[error.field if error.field in ADD_FIELDS else "email"] = error.translated()
    if errors:
        values = {key: value[:254] for key, value in values.items()}
        return _team_page(request, state, db, who, values=values, errors=errors, status_code=422)
    notice = _("%(name)s was added. Give them the link below to choose their password.") % {
        "name": issued.member.name
    }
    return _team_page(request, state, db, who, notice=notice, issued=issued)


@dataclass(frozen=True)
class MemberChange:
    """A change an admin asks for to one member of their clinic, once the form's token
    matched and the member was found (else the 404 page, with nothing changed)."""

    request: Request
    state: AppState
    db: Session
    who: StaffSignedIn
    member: StaffMember

    def team_page(self, **options: Any) -> HTMLResponse:
        """The team page, as after this change (``options`` as :func:`_team_page`'s)."""
        return _team_page(self.request, self.state, self.db, self.who, **options)

    def refused(self, message: str) -> HTMLResponse:
        """The team page saying why the change was not made (422)."""
        return self.team_page(errors={"team": message}, status_code=422)

    def done(self, what: str) -> Response:
        """Back to the team page, which says what was done."""
        return no_store(RedirectResponse(f"{TEAM_PATH}?done={what}", status_code=303))


def member_change(
    request: Request,
    state: StateDep,
    db: DbDep,
    who: StaffManagingStaff,
    _form: StaffForm,
    staff_id: str,
) -> MemberChange:
    """The member ``staff_id`` of the admin's clinic (another clinic's look the same:
    nobody)."""
    member = staff_service.find_member(db, who.member.clinic_id, staff_id)
    if member is None:
        raise Answer(
            staff_message(
                request,
                state,
                who,
                _("There is no such staff member"),
                _("Nobody with this id works at your clinic. Nothing was changed."),
                404,
            )
        )
    return MemberChange(request, state, db, who, member)


MemberChangeDep = Annotated[MemberChange, Depends(member_change)]


@router.post(TEAM_PATH + "/{staff_id}/invitation")
def team_reissue(change: MemberChangeDep) -> Response:
    """A new invitation link for a member (a lost or expired link, or a forgotten
    password): the old link stops working, and so do their password and sessions."""
    try:
        issued = invitations.reissue_invitation(
            change.db, change.who.member, change.member, address=client_address(change.request)
        )
    except AccountError as error:
        return change.refused(error.translated())
    notice = _("There is a new link for %(name)s; any earlier link no longer works.") % {
        "name": change.member.name
    }
    return change.team_page(notice=notice, issued=issued)


@router.post(TEAM_PATH + "/{staff_id}/invitation/revoke")
def team_revoke(change: MemberChangeDep) -> Response:
    """Make a member's invitation link stop working."""
    who, address = change.who.member, client_address(change.request)
    if not invitations.revoke_invitation(change.db, who, change.member, address=address):
        return change.refused(_("This member has no invitation link to revoke."))
    return change.done("revoked")


def _set_active(change: MemberChange, active: bool) -> Response:
    """Activate or deactivate a member of the signed-in admin's clinic."""
    db, who, member = change.db, change.who, change.member
    if member.id == who.member.id and not active:
        return change.refused(
            _("You cannot deactivate yourself. Ask another admin if you are leaving.")
        )
    if member.active != active:
        address = client_address(change.request)
        if not active:
            invitations.revoke_invitation(
                db, who.member, member, address=address, reason="deactivated"
            )
        staff_service.set_active(db, who.member.clinic_id, member.id, active)
        action = AuditAction.ACTIVATE_STAFF if active else AuditAction.DEACTIVATE_STAFF
        verb = "Activated" if active else "Deactivated"
        detail = f"{verb} {member.name} <{member.email}>, {member.role}"
        record(db, who.member, action, address=address, detail=detail)
    return change.done("activated" if active else "deactivated")


@router.post(TEAM_PATH + "/{staff_id}/deactivate")
def team_deactivate(change: MemberChangeDep) -> Response:
    """Deactivate a member: they can no longer sign in, and their sessions end."""
    return _set_active(change, active=False)


@router.post(TEAM_PATH + "/{staff_id}/activate")
def team_activate(change: MemberChangeDep) -> Response:
    """Let a deactivated member sign in again."""
    return _set_active(change, active=True)
