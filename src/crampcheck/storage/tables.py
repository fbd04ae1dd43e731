"""The database tables.

Every clinic-owned row carries its clinic id, part of its primary key, so that a
multi-clinic installation can later be distributed by clinic without a redesign.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, String, Text
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
