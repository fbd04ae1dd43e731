"""Appointment requests with the assessment snapshot the person saw.

Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crampcheck.storage.migrations.columns import clinic_row_key, moment

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "appointment_requests",
        *clinic_row_key(),
        moment("created_at"),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("preferred_location", sa.String(64), nullable=True),
        sa.Column("preferred_times", sa.Text, nullable=True),
        sa.Column("consent_to_share", sa.Boolean, nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("kb_version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("snapshot", sa.JSON, nullable=False),
    )
    op.create_index(
        "ix_appointment_requests_clinic_status_created",
        "appointment_requests",
        ["clinic_id", "status", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_appointment_requests_clinic_status_created", "appointment_requests")
    op.drop_table("appointment_requests")
