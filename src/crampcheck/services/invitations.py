"""Invitations: how a staff member comes to choose their own password.

An admin adds a member by name, email address and role, never a password (the security
review's L8: an admin who chose a clinician's password could sign in as them and read
clinical detail). The account is created without a usable password
(:data:`crampcheck.services.staff.NO_PASSWORD`) and with a one-time invitation: a
random token that goes in a link the admin hands over, of which only the SHA-256 is
stored. With it the member chooses a password under the usual rules and is signed in;
the link then no longer works. It also stops working when it expires
(:data:`INVITATION_LIFETIME`), when it is revoked, when a new one is issued for the same
member, and when the member is deactivated.

A forgotten password is a new invitation too: issuing one ends the member's password
and every session of theirs, so the account cannot be used until the member has chosen
a new password. Nobody can choose it for them.

Every step is an event in the clinic's audit log (issued, issued again, revoked,
accepted), naming the member and never the token. The actor is a staff member, or the
operator at the command line (``actor`` None).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from crampcheck.services import audit, throttle
from crampcheck.services.accounts import (
    AccountError,
    check_password,
    hash_password,
    token_hash,
)
from crampcheck.services.input_errors import add_unless_taken
from crampcheck.services.staff import NO_PASSWORD, add_staff, has_password
from crampcheck.storage.tables import StaffInvitation, StaffMember, StaffSession
from crampcheck.storage.times import aware

INVITATION_LIFETIME = timedelta(hours=72)
"""How long a link works: long enough to reach someone over a weekend, short enough
that a forgotten one soon stops mattering."""

TOKEN_BYTES = 32
"""A link's randomness (256 bits), as for session tokens."""

NOT_ACTIVE = "Activate this member before giving them a new link."
NOT_YOURSELF = "You cannot give yourself a new link; change your own password instead."
BUSY = "Someone else changed this member's invitation at the same moment. Please reload."


class InvitationUnusable(Exception):
    """The link cannot be used. ``known`` says whether it was once an invitation (used,
    revoked, expired, or its member deactivated) or never was one; the person is told
    the same either way."""

    def __init__(self, known: bool) -> None:
        super().__init__("this invitation link cannot be used")
        self.known = known


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation: the member, the token for the link (shown once, never stored)
    and when the link stops working."""

    member: StaffMember
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class Invitee:
    """Whom a usable link is for, as the page that takes it greets them."""

    name: str
    email: str
    role: str
    clinic_id: str
    expires_at: datetime


@dataclass(frozen=True)
class OpenInvitation:
    """A member's invitation that was neither used nor revoked (it may have expired)."""

    member: StaffMember
    created_at: datetime
    expires_at: datetime
    expired: bool


# ---------------------------------------------------------------- issuing


def invite_staff(
    session: Session,
    actor: StaffMember | None,
    *,
    clinic_id: str,
    email: str,
    name: str,
    role: str,
    address: str | None = None,
    now: datetime | None = None,
) -> IssuedInvitation:
    """Add a member to a clinic without a password, and their first invitation (in the
    caller's transaction): :class:`AccountError` for a name, address or role that will
    not do, or an address that already has an account."""
    now = now or datetime.now(UTC)
    member = add_staff(
        session, clinic_id=clinic_id, email=email, name=name, role=role, password=None, now=now
    )
    issued = _issue(session, member, now)
    _record(
        session,
        actor,
        member,
        audit.AuditAction.INVITE_STAFF,
        f"Invited {_who(member)} as {member.role}; the link works once, "
        f"until {_utc(issued.expires_at)}",
        address,
        now,
    )
    return issued


def reissue_invitation(
    session: Session,
    actor: StaffMember | None,
    member: StaffMember,
    *,
    address: str | None = None,
    now: datetime | None = None,
) -> IssuedInvitation:
    """A new link for a member (a lost or expired link, or a forgotten password), in the
    caller's transaction. The open link stops working; a password the member had is
    removed and every session of theirs ends, until they choose a new one with the link.
    :class:`AccountError` for a deactivated member and for the actor themselves."""
    now = now or datetime.now(UTC)
    if actor is not None and (actor.clinic_id, actor.id) == (member.clinic_id, member.id):
        raise AccountError("team", NOT_YOURSELF)
    _lock(session, member)
    if not member.active:
        raise AccountError("team", NOT_ACTIVE)
    had_password = has_password(member)
    closed = _close_open(session, member, now)
    member.password_hash = NO_PASSWORD
    _end_sessions(session, member)
    issued = _issue(session, member, now)
    what = [
        f"New invitation link for {_who(member)}, {member.role}, until {_utc(issued.expires_at)}"
    ]
    if closed:
        what.append("the earlier link no longer works")
    if had_password:
        what.append("their password was removed and their sessions ended")
    _record(
        session, actor, member, audit.AuditAction.REISSUE_INVITATION, "; ".join(what), address, now
    )
    return issued


def revoke_invitation(
    session: Session,
    actor: StaffMember | None,
    member: StaffMember,
    *,
    address: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Make the member's open link stop working (in the caller's transaction); False when
    they had none. The member still has no password: a new link gives them one."""
    now = now or datetime.now(UTC)
    _lock(session, member)
    if not _close_open(session, member, now):
        return False
    detail = f"Revoked the invitation link of {_who(member)}, {member.role}"
    _record(
        session,
        actor,
        member,
        audit.AuditAction.REVOKE_INVITATION,
        f"{detail} ({reason})" if reason else detail,
        address,
        now,
    )
    return True


def open_invitations(
    session: Session, clinic_id: str, now: datetime | None = None
) -> list[OpenInvitation]:
    """The clinic's invitations that are neither used nor revoked, soonest to expire
    first (an expired one is marked so)."""
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(StaffInvitation, StaffMember)
        .join(
            StaffMember,
            (StaffMember.clinic_id == StaffInvitation.clinic_id)
            & (StaffMember.id == StaffInvitation.staff_id),
        )
        .where(
            StaffInvitation.clinic_id == clinic_id,
            StaffInvitation.used_at.is_(None),
            StaffInvitation.revoked_at.is_(None),
        )
        .order_by(StaffInvitation.expires_at, StaffMember.name)
    ).all()
    return [
        OpenInvitation(
            member=member,
            created_at=aware(invitation.created_at),
            expires_at=aware(invitation.expires_at),
            expired=aware(invitation.expires_at) <= now,
        )
        for invitation, member in rows
    ]


# ---------------------------------------------------------------- accepting


def invitee(session: Session, token: str, now: datetime | None = None) -> Invitee:
    """Whom a usable link is for; :class:`InvitationUnusable` otherwise. Reads only."""
    invitation, member = _usable(session, token, now or datetime.now(UTC))
    return Invitee(
        member.name, member.email, member.role, member.clinic_id, aware(invitation.expires_at)
    )


def accept_invitation(
    session: Session,
    token: str,
    password: str,
    *,
    address: str | None = None,
    now: datetime | None = None,
) -> StaffMember:
    """Set the member's own password with their link, in the caller's transaction, which
    then starts their session. :class:`InvitationUnusable` when the link cannot be used
    (also when another request used it first), :class:`AccountError` for a password the
    rules refuse (the link still works then). The account's count of failed sign-ins is
    cleared, as a right password clears it."""
    now = now or datetime.now(UTC)
    invitation, member = _usable(session, token, now)
    check_password(password, member.email)
    hashed = hash_password(password)
    used = cast(
        "CursorResult[Any]",
        session.execute(
            update(StaffInvitation)
            .where(
                StaffInvitation.token_hash == invitation.token_hash,
                StaffInvitation.used_at.is_(None),
                StaffInvitation.revoked_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if used.rowcount != 1:
        raise InvitationUnusable(known=True)
    member.password_hash = hashed
    member.password_changed_at = now
    _end_sessions(session, member)
    throttle.clear(session, throttle.account_counter(member.email, "staff"))
    audit.record(
        session,
        member,
        audit.AuditAction.ACCEPT_INVITATION,
        address=address,
        detail="chose their own password with their invitation link and signed in",
        now=now,
    )
    return member


# ---------------------------------------------------------------- inside


def _usable(session: Session, token: str, now: datetime) -> tuple[StaffInvitation, StaffMember]:
    """The open, unexpired invitation of ``token`` and its active member."""
    if not token or len(token) > 100:
        raise InvitationUnusable(known=False)
    invitation = session.scalar(
        select(StaffInvitation).where(StaffInvitation.token_hash == token_hash(token))
    )
    if invitation is None:
        raise InvitationUnusable(known=False)
    member = session.get(StaffMember, (invitation.clinic_id, invitation.staff_id))
    if (
        invitation.used_at is not None
        or invitation.revoked_at is not None
        or aware(invitation.expires_at) <= now
        or member is None
        or not member.active
    ):
        raise InvitationUnusable(known=True)
    return invitation, member


def _issue(session: Session, member: StaffMember, now: datetime) -> IssuedInvitation:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + INVITATION_LIFETIME
    invitation = StaffInvitation(
        clinic_id=member.clinic_id,
        id=str(uuid.uuid4()),
        staff_id=member.id,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=expires,
    )
    # Should another link for the same member be open after all (two admins at once on
    # SQLite, which locks no rows), the index refuses this one.
    add_unless_taken(session, invitation, AccountError("team", BUSY))
    return IssuedInvitation(member, token, expires)


def _lock(session: Session, member: StaffMember) -> None:
    """Take the member's row for this transaction (PostgreSQL), so that two admins
    changing one member's invitation at once take turns; SQLite writes one at a time."""
    session.refresh(member, with_for_update=True)


def _close_open(session: Session, member: StaffMember, now: datetime) -> int:
    """Revoke the member's open invitation; how many there were (0 or 1)."""
    closed = cast(
        "CursorResult[Any]",
        session.execute(
            update(StaffInvitation)
            .where(
                StaffInvitation.clinic_id == member.clinic_id,
                StaffInvitation.staff_id == member.id,
                StaffInvitation.used_at.is_(None),
                StaffInvitation.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    return int(closed.rowcount)


def _end_sessions(session: Session, member: StaffMember) -> None:
    session.execute(
        delete(StaffSession).where(
            StaffSession.clinic_id == member.clinic_id, StaffSession.staff_id == member.id
        )
    )


def _who(member: StaffMember) -> str:
    return f"{member.name} <{member.email}>"


def _utc(moment: datetime) -> str:
    return aware(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _record(
    session: Session,
    actor: StaffMember | None,
    member: StaffMember,
    action: audit.AuditAction,
    detail: str,
    address: str | None,
    now: datetime,
) -> None:
    """An event in the member's clinic's log, by the actor or by the operator."""
    if actor is None:
        audit.record_operator(session, member.clinic_id, action, detail=detail, now=now)
    else:
        audit.record(session, actor, action, address=address, detail=detail, now=now)
