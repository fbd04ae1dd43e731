"""The database tables.

Every clinic-owned row carries its clinic id, part of its primary key, so that a
multi-clinic installation can later be distributed by clinic without a redesign.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
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

    __table_args__ = (
        Index("ix_appointment_requests_clinic_status_created", "clinic_id", "status", "created_at"),
    )


class User(Base):
    """A person with an account (email + argon2id password hash). Owns a diary."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
