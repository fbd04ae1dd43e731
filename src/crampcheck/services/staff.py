"""Clinic staff: accounts, sign-in (throttled like patients') and sessions.

Staff accounts are separate from patient accounts: another table, another session
cookie, another app. Passwords follow the patients' rules (argon2id, minimum length,
common passwords refused); sign-in gives one message for an unknown address and a
wrong password, and is throttled per account and per network address.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crampcheck.services import audit
from crampcheck.services.accounts import (
    SIGN_IN_FAILED,
    AccountError,
    check_credentials,
    check_password,
    hash_password,
    normalise_email,
    throttle_keys,
    token_hash,
    verify_current,
)
from crampcheck.services.roles import Role
from crampcheck.storage.tables import ClinicRecord, StaffMember, StaffSession
from crampcheck.storage.times import aware as _aware

STAFF_SESSION_LIFETIME = timedelta(hours=12)
"""A working day: staff sessions end sooner than patients' (shared front-desk screens)."""

STAFF_EXISTS = "A staff member with this email address already exists."


def add_staff(
    session: Session,
    *,
    clinic_id: str,
    email: str,
    name: str,
    role: str,
    password: str,
    now: datetime | None = None,
) -> StaffMember:
    """Create a staff account at a registered clinic (in the caller's transaction)."""
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
    check_password(password, address)
    if session.scalar(select(StaffMember.id).where(StaffMember.email == address)) is not None:
        raise AccountError("email", STAFF_EXISTS)
    member = StaffMember(
        clinic_id=clinic_id,
        id=str(uuid.uuid4()),
        email=address,
        name=name,
        role=role,
        password_hash=hash_password(password),
        active=True,
        created_at=now,
        password_changed_at=now,
    )
    try:
        with session.begin_nested():
            session.add(member)
    except IntegrityError:
        raise AccountError("email", STAFF_EXISTS) from None
    return member


def authenticate_staff(
    session: Session, email: str, password: str, address: str | None, now: datetime | None = None
) -> StaffMember:
    """The active staff member for these credentials, or :class:`AccountError` with one
    message for every failure (:class:`ThrottledError` after too many)."""
    now = now or datetime.now(UTC)
    try:
        canonical = normalise_email(email)
    except AccountError:
        raise AccountError("email", SIGN_IN_FAILED) from None
    member = session.scalar(select(StaffMember).where(StaffMember.email == canonical))
    if member is not None and not member.active:
        member = None
    keys = throttle_keys(canonical, address, realm="staff")
    stored = member.password_hash if member else None
    if not check_credentials(session, keys, stored, password, now) or member is None:
        raise AccountError("email", SIGN_IN_FAILED)
    return member


def staff_by_email(session: Session, email: str) -> StaffMember | None:
    """The staff member with this sign-in address, if any (for recording a failed
    sign-in against the account it tried)."""
    try:
        canonical = normalise_email(email)
    except AccountError:
        return None
    return session.scalar(select(StaffMember).where(StaffMember.email == canonical))


def record_failed_sign_in(db: Session, email: str, address: str | None, why: str) -> None:
    """A failed sign-in to an existing staff account goes in that clinic's audit log
    (an address that is no account's has no clinic to tell; the throttle counts it)."""
    member = staff_by_email(db, email)
    if member is not None:
        audit.record(db, member, audit.AuditAction.SIGN_IN_FAILED, address=address, detail=why)


@dataclass(frozen=True)
class StartedStaffSession:
    """A new staff session: the token for the client, and when it expires."""

    token: str
    expires_at: datetime


def start_staff_session(
    session: Session, member: StaffMember, now: datetime | None = None
) -> StartedStaffSession:
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
    return StartedStaffSession(token, expires)


def staff_for_session(
    session: Session, token: str | None, now: datetime | None = None
) -> StaffMember | None:
    """The active staff member a session token belongs to, or None (unknown, expired,
    or deactivated)."""
    if not token or len(token) > 100:
        return None
    now = now or datetime.now(UTC)
    row = session.get(StaffSession, token_hash(token))
    if row is None:
        return None
    if _aware(row.expires_at) <= now:
        session.delete(row)
        return None
    member = session.get(StaffMember, (row.clinic_id, row.staff_id))
    return member if member is not None and member.active else None


def end_staff_session(session: Session, token: str | None) -> None:
    """Sign this staff session out."""
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))


def change_staff_password(
    session: Session, member: StaffMember, current: str, new: str, now: datetime | None = None
) -> StartedStaffSession:
    """Change a member's own password (the current one checked under the throttle), end
    every session of theirs, and start a new one for this client."""
    now = now or datetime.now(UTC)
    keys = throttle_keys(member.email, None, realm="staff")
    verify_current(session, keys, member.password_hash, current, now)
    check_password(new, member.email)
    member.password_hash = hash_password(new)
    member.password_changed_at = now
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
