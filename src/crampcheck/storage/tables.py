"""The database tables.

Every clinic-owned row carries its clinic id, part of its primary key, so that a
multi-clinic installation can later be distributed by clinic without a redesign.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base for crampcheck's tables."""


class AppointmentRequest(Base):
    """A person's request to be contacted by the clinic, with the check they saw.

    ``snapshot`` keeps the assessment exactly as the person saw it (findings with their
    own words, urgency, reasons, causes, knowledge-base version), so the clinic reads
    the same thing even after the knowledge base changes.
    """

    __tablename__ = "appointment_requests"

    clinic_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    preferred_location: Mapped[str | None] = mapped_column(String(64))
    preferred_times: Mapped[str | None] = mapped_column(Text)
    consent_to_share: Mapped[bool] = mapped_column(Boolean)
    urgency: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    kb_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="new")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    urgency_order: Mapped[int] = mapped_column(Integer, default=0)
    """0 for the most urgent level, counting up to self-care: the inbox sorts on it
    ascending, then by age, which one plain index serves."""
    status_changed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )
    decline_reason: Mapped[str | None] = mapped_column(Text, default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), default=None)
    """The key the form (made when it was shown) or the API client sent: unique per
    clinic, so the same request sent twice is stored once."""
    request_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    """SHA-256 of what was sent with the key, to tell a repeat from another request."""
    date_of_birth: Mapped[date | None] = mapped_column(Date, default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    """Why the person asks, in their own words (optional)."""
    check_age: Mapped[int | None] = mapped_column(Integer, default=None)
    """The age given in the check, when it was given."""
    check_sex: Mapped[str | None] = mapped_column(String(8), default=None)
    """The sex given in the check (``female`` or ``male``), when it was given."""

    __table_args__ = (
        Index("ix_appointment_requests_clinic_status_created", "clinic_id", "status", "created_at"),
        Index("ix_appointment_requests_clinic_created", "clinic_id", "created_at"),
        Index("ix_appointment_requests_user", "user_id", "created_at"),
        Index("ux_appointment_requests_idempotency", "clinic_id", "idempotency_key", unique=True),
        Index(
            "ix_appointment_requests_inbox",
            "clinic_id",
            "status",
            "urgency_order",
            "created_at",
        ),
        Index(
            "ix_appointment_requests_inbox_all",
            "clinic_id",
            "urgency_order",
            "created_at",
        ),
    )


class RequestStatusChange(Base):
    """One step of a request's workflow (new -> contacted -> booked -> closed, or
    declined with a reason): who moved it, when, from what to what."""

    __tablename__ = "request_status_changes"

    clinic_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    staff_id: Mapped[str] = mapped_column(String(36))
    staff_name: Mapped[str] = mapped_column(String(120))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        ForeignKeyConstraint(
            ["clinic_id", "request_id"],
            ["appointment_requests.clinic_id", "appointment_requests.id"],
            ondelete="CASCADE",
        ),
        Index("ix_request_status_changes_request", "clinic_id", "request_id", "at"),
    )


class ClinicRecord(Base):
    """A clinic of this installation, as loaded from its clinic file (``definition``)."""

    __tablename__ = "clinics"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffMember(Base):
    """Someone who works at a clinic: front desk, clinician or admin.

    Staff sign in with an email address that is unique across the installation, so the
    sign-in form needs no clinic; everything they see is scoped to ``clinic_id``.
    """

    __tablename__ = "staff"

    clinic_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("clinics.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    """An argon2id hash, or ``services.staff.NO_PASSWORD`` until an invitation is
    accepted (a value no password verifies against)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffInvitation(Base):
    """A one-time link with which a staff member chooses their own password: when they
    are added, and again when they forget it or the link is lost.

    Only the SHA-256 of the link's token is stored, like a session's. An invitation is
    open until it is used or revoked (a new link revokes the open one), and works only
    until ``expires_at``; a member has at most one open invitation (a partial unique
    index). Closed ones stay, so that a link that was used, revoked or has expired can
    be told from one that never existed.
    """

    __tablename__ = "staff_invitations"

    clinic_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(36))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    __table_args__ = (
        ForeignKeyConstraint(
            ["clinic_id", "staff_id"], ["staff.clinic_id", "staff.id"], ondelete="CASCADE"
        ),
        Index(
            "ux_staff_invitations_open",
            "clinic_id",
            "staff_id",
            unique=True,
            sqlite_where=text("used_at IS NULL AND revoked_at IS NULL"),
            postgresql_where=text("used_at IS NULL AND revoked_at IS NULL"),
        ),
    )


class StaffSession(Base):
    """A signed-in staff browser or client; only a hash of the token is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    clinic_id: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        ForeignKeyConstraint(
            ["clinic_id", "staff_id"], ["staff.clinic_id", "staff.id"], ondelete="CASCADE"
        ),
        Index("ix_staff_sessions_staff", "clinic_id", "staff_id"),
    )


class DiaryShare(Base):
    """A patient's permission for one clinic to read their diary.

    Staff see the diary only while ``revoked_at`` is empty; revoking keeps the row so
    the clinic can tell when access ended.
    """

    __tablename__ = "diary_shares"

    clinic_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("clinics.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    __table_args__ = (Index("ix_diary_shares_user", "user_id"),)


class AuditEvent(Base):
    """One staff read or change of patient data, written in the same transaction.

    The application never updates or deletes these rows, and the database refuses to
    (triggers in migrations 0003 to 0005: no UPDATE or DELETE, no insert over an
    existing event, no TRUNCATE). ``seq`` is the event's place in its clinic's chain
    (from 1) and ``hash`` chains it to the event before
    (:mod:`crampcheck.storage.audit_chain`), so a change made behind the database's back
    shows.
    """

    __tablename__ = "audit_events"

    clinic_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    staff_id: Mapped[str] = mapped_column(String(36))
    staff_email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[str | None] = mapped_column(String(36))
    patient_ref: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[str | None] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_events_clinic_at", "clinic_id", "at"),
        Index("ix_audit_events_clinic_request", "clinic_id", "request_id"),
        Index("ux_audit_events_chain", "clinic_id", "seq", unique=True),
    )


class AuditChainHead(Base):
    """The end of a clinic's audit chain: its last event's place and hash.

    Appending an event updates this row first, which makes writers of the same clinic
    take turns; it also tells a check of the chain where the chain should end.
    """

    __tablename__ = "audit_chain_heads"

    clinic_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class User(Base):
    """A person with an account (email + argon2id password hash). Owns a diary."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When the person showed they read this address (a link sent to it was followed);
    # until then a password alone does not sign in, so sign-up tells nobody whether
    # an address had an account (the security review's L7).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )


class AccountToken(Base):
    """A link sent by email to an account's address: ``reset`` (choose a new password)
    or ``confirm`` (finish a new account). Only the SHA-256 of its random token is
    stored; it works once (``used_at``) and until ``expires_at``."""

    __tablename__ = "account_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class UserSession(Base):
    """A signed-in browser or client. Only a hash of the session token is stored."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Failed sign-ins counted per account and per address, to slow down guessing."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Episode(Base):
    """One cramp or spasm in a person's diary.

    ``started_at`` is when it happened; ``context`` and ``tried`` are lists of finding
    or treatment ids; ``helped`` says whether what was tried brought relief.
    """

    __tablename__ = "episodes"

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    site: Mapped[str | None] = mapped_column(String(32))
    side: Mapped[str | None] = mapped_column(String(8))
    duration_minutes: Mapped[float | None] = mapped_column(Float)
    pain: Mapped[int | None] = mapped_column(Integer)
    feel: Mapped[str] = mapped_column(String(16))
    activity: Mapped[str | None] = mapped_column(String(32))
    at_night: Mapped[bool] = mapped_column(Boolean, default=False)
    context: Mapped[list[str]] = mapped_column(JSON, default=list)
    tried: Mapped[list[str]] = mapped_column(JSON, default=list)
    helped: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)
    check: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_episodes_user_started", "user_id", "started_at"),)


class CheckDraft(Base):
    """A check in progress, kept on the server so that reload, Back and Forward lose
    nothing: the page's address holds a random token, of which only the SHA-256 is
    stored. Drafts live for a day (see :mod:`crampcheck.services.check_records`)."""

    __tablename__ = "check_drafts"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class CheckResultRecord(Base):
    """A finished check as the person saw it, at its own expiring, unguessable address.

    ``reference`` is the dated reference shown on the result (CC-2026-12-06-7KQ2);
    ``view`` is the result page's content and ``state`` the check itself (for the
    result's own forms). Only the SHA-256 of the address's token is stored. After
    ``expires_at`` the content is erased and the address answers 410.
    """

    __tablename__ = "check_results"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    urgency: Mapped[str] = mapped_column(String(16))
    kb_version: Mapped[str] = mapped_column(String(64))
    view: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
