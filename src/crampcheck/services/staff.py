"""Clinic staff: accounts, sign-in (throttled like patients') and sessions.

Staff accounts are separate from patient accounts: another table, another session
cookie, another app. Passwords follow the patients' rules (argon2id, minimum length,
common passwords refused); sign-in gives one message for an unknown address and a
wrong password, and is throttled per account and per network address.

Only a member chooses their own password: an admin adds a member without one, and the
member sets it with a one-time invitation (:mod:`crampcheck.services.invitations`).
Until then the account holds :data:`NO_PASSWORD`, and signing in to it costs what
signing in to an unknown address costs. A password given with :func:`add_staff` is the
operator's, for the installation's first admin (``crampcheck staff add``).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crampcheck.services import audit
from crampcheck.services.accounts import (
    SIGN_IN_FAILED,
    AccountError,
    StartedSession,
    check_credentials,
    check_password,
    drop_session,
    hash_password,
    live_session,
    normalise_email,
    replace_password,
    token_hash,
)
from crampcheck.services.input_errors import add_unless_taken
from crampcheck.services.roles import Role
from crampcheck.services.throttle import MAX_FAILURES_PER_ACCOUNT as MAX_FAILURES
from crampcheck.services.throttle import WINDOW, SignInCounters
from crampcheck.storage.tables import ClinicRecord, StaffMember, StaffSession

STAFF_SESSION_LIFETIME = timedelta(hours=12)
"""A working day: staff sessions end sooner than patients' (shared front-desk screens)."""

MEMBER_ID_LENGTH = 36
"""A member's id is a UUID in its 36-character text form."""

STAFF_EXISTS = "A staff member with this email address already exists."

# A marker that no password verifies against, not a password (bandit B105).
NO_PASSWORD = "!no password"  # nosec B105
"""What an account holds instead of a hash until its member chooses a password with an
invitation. It is no argon2 hash, so nothing verifies against it; sign-in does not even
try, and verifies against the dummy hash instead (the time of an unknown address)."""


def has_password(member: StaffMember) -> bool:
    """Whether the member has chosen a password (and so can sign in)."""
    return member.password_hash != NO_PASSWORD


def add_staff(
    session: Session,
    *,
    clinic_id: str,
    email: str,
    name: str,
    role: str,
    password: str | None,
    now: datetime | None = None,
) -> StaffMember:
    """Create a staff account at a registered clinic (in the caller's transaction).

    With ``password`` None the account has no usable password until an invitation is
    accepted (:func:`crampcheck.services.invitations.invite_staff` does both)."""
    now = now or datetime.now(UTC)
    if session.get(ClinicRecord, clinic_id) is None:
        raise AccountError("clinic", f"There is no clinic {clinic_id!r}; add it first.")
    try:
        role = Role(role).value
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise AccountError("role", f"The role must be one of: {roles}.") from None
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise AccountError("name", "Please give a name of 1 to 120 characters.")
    address = normalise_email(email)
    if password is not None:
        check_password(password, address)
    if session.scalar(select(StaffMember.id).where(StaffMember.email == address)) is not None:
        raise AccountError("email", STAFF_EXISTS)
    member = StaffMember(
        clinic_id=clinic_id,
        id=str(uuid.uuid4()),
        email=address,
        name=name,
        role=role,
        password_hash=NO_PASSWORD if password is None else hash_password(password),
        active=True,
        created_at=now,
        password_changed_at=now,
    )
    add_unless_taken(session, member, AccountError("email", STAFF_EXISTS))
    return member


def authenticate_staff(
    session: Session, email: str, password: str, address: str | None, now: datetime | None = None
) -> StaffMember:
    """The active staff member for these credentials, or :class:`AccountError` with one
    message for every failure (:class:`ThrottledError` after too many). Nothing is
    written to the audit log: :func:`sign_in_staff` does that."""
    return _authenticate(session, email, password, address, now or datetime.now(UTC))


class FailedStaffSignIn(AccountError):
    """A wrong password, an unknown or an inactive account: one message for all three.
    ``member`` is the account the address named, if any (its clinic's audit log is told),
    and ``account_failures`` the account's failed sign-ins in this window."""

    def __init__(self, member: StaffMember | None, account_failures: int) -> None:
        super().__init__("email", SIGN_IN_FAILED)
        self.member = member
        self.account_failures = account_failures


def _authenticate(
    session: Session, email: str, password: str, address: str | None, now: datetime
) -> StaffMember:
    try:
        canonical = normalise_email(email)
    except AccountError:
        raise FailedStaffSignIn(None, 0) from None
    member = session.scalar(select(StaffMember).where(StaffMember.email == canonical))
    active = member if member is not None and member.active else None
    counters = SignInCounters.for_sign_in(canonical, address, realm="staff")
    # An invited member without a password yet is checked like an unknown address.
    stored = active.password_hash if active is not None and has_password(active) else None
    attempt = check_credentials(session, counters, stored, password, now)
    if not attempt.right or active is None:
        raise FailedStaffSignIn(member, attempt.account_failures)
    return active


def sign_in_staff(
    session: Session,
    email: str,
    password: str,
    address: str | None,
    via: str | None = None,
    now: datetime | None = None,
) -> StaffMember:
    """Sign a staff member in, for the pages or the API (``via`` names the API in the
    audit log), recording the sign-in in their clinic's audit log.

    Failed sign-ins to an existing account are recorded too, but not one event per
    attempt, so that nobody can flood a clinic's log by guessing (the security review's
    L1): one event when a window of failures opens, and one when the account is locked
    for the rest of it. Attempts the throttle refuses add none. An address that is no
    account's has no clinic to tell; the throttle counts it.
    """
    now = now or datetime.now(UTC)
    try:
        member = _authenticate(session, email, password, address, now)
    except FailedStaffSignIn as failure:
        if failure.member is not None and failure.account_failures in (1, MAX_FAILURES):
            minutes = int(WINDOW.total_seconds() // 60)
            what = (
                f"account locked for {minutes} minutes after {MAX_FAILURES} failed sign-ins"
                if failure.account_failures == MAX_FAILURES
                else "wrong password or inactive account; further failures in the next "
                f"{minutes} minutes are counted, not logged"
            )
            audit.record(
                session,
                failure.member,
                audit.AuditAction.SIGN_IN_FAILED,
                address=address,
                detail=f"{what} ({via})" if via else what,
                now=now,
            )
        raise
    audit.record(session, member, audit.AuditAction.SIGN_IN, address=address, detail=via, now=now)
    return member


def start_staff_session(
    session: Session, member: StaffMember, now: datetime | None = None
) -> StartedSession:
    """A fresh session token (a new one at every sign-in); the member's expired
    sessions are removed at the same time."""
    now = now or datetime.now(UTC)
    session.execute(
        delete(StaffSession).where(
            StaffSession.clinic_id == member.clinic_id,
            StaffSession.staff_id == member.id,
            StaffSession.expires_at <= now,
        )
    )
    token = secrets.token_urlsafe(32)
    expires = now + STAFF_SESSION_LIFETIME
    session.add(
        StaffSession(
            token_hash=token_hash(token),
            clinic_id=member.clinic_id,
            staff_id=member.id,
            created_at=now,
            expires_at=expires,
        )
    )
    return StartedSession(token, expires)


def staff_for_session(
    session: Session, token: str | None, now: datetime | None = None
) -> StaffMember | None:
    """The active staff member a session token belongs to, or None (unknown, expired,
    or deactivated)."""
    row = live_session(session, StaffSession, token, now)
    if row is None:
        return None
    member = session.get(StaffMember, (row.clinic_id, row.staff_id))
    return member if member is not None and member.active else None


def end_staff_session(session: Session, token: str | None) -> None:
    """Sign this staff session out."""
    drop_session(session, StaffSession, token)


def change_staff_password(
    session: Session, member: StaffMember, current: str, new: str, now: datetime | None = None
) -> StartedSession:
    """Change a member's own password (the current one checked under the throttle), end
    every session of theirs, and start a new one for this client."""
    now = now or datetime.now(UTC)
    counters = SignInCounters.for_sign_in(member.email, None, realm="staff")
    replace_password(session, member, current, new, now, counters)
    session.execute(
        delete(StaffSession).where(
            StaffSession.clinic_id == member.clinic_id, StaffSession.staff_id == member.id
        )
    )
    return start_staff_session(session, member, now)


def list_staff(session: Session, clinic_id: str) -> list[StaffMember]:
    """A clinic's staff, by name."""
    return list(
        session.scalars(
            select(StaffMember)
            .where(StaffMember.clinic_id == clinic_id)
            .order_by(StaffMember.name, StaffMember.email)
        )
    )


def find_member(session: Session, clinic_id: str, staff_id: str) -> StaffMember | None:
    """A member of this clinic by id, or None (another clinic's members are not found,
    and neither is an id longer than any member's: it is not cut down to one)."""
    if len(staff_id) > MEMBER_ID_LENGTH:
        return None
    return session.get(StaffMember, (clinic_id, staff_id))


def find_member_by_email(session: Session, email: str) -> StaffMember | None:
    """The member who signs in with this address (in any clinic), or None."""
    try:
        address = normalise_email(email)
    except AccountError:
        return None
    return session.scalar(select(StaffMember).where(StaffMember.email == address))


def set_active(session: Session, clinic_id: str, staff_id: str, active: bool) -> StaffMember | None:
    """Activate or deactivate a staff member of this clinic; deactivating ends their
    sessions. None when there is no such member in this clinic."""
    member = session.get(StaffMember, (clinic_id, staff_id))
    if member is None:
        return None
    member.active = active
    if not active:
        session.execute(
            delete(StaffSession).where(
                StaffSession.clinic_id == clinic_id, StaffSession.staff_id == staff_id
            )
        )
    return member
