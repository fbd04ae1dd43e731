"""The clinic side: clinics, staff and their sessions, diary shares, the request
workflow and the audit trail.

Every clinic-owned table has ``clinic_id`` in its primary key, so the schema can later
be distributed by clinic. Audit events are append-only: triggers refuse UPDATE and
DELETE on both SQLite and PostgreSQL.

Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crampcheck.storage.migrations.columns import (
    clinic_ref,
    clinic_row_key,
    lifetime,
    moment,
    staff_ref,
    token_key,
    user_ref,
)

revision = "0003"
down_revision = "0002"

_ORDER = {"emergency": 0, "urgent": 1, "doctor": 2, "self_care": 3}

_PG_FUNCTION = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events cannot be changed or deleted';
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "clinics",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("definition", sa.JSON, nullable=False),
        moment("created_at"),
        moment("updated_at"),
    )
    op.create_table(
        "staff",
        clinic_ref(),
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        moment("created_at"),
        moment("password_changed_at"),
    )
    op.create_table(
        "staff_sessions",
        token_key(),
        sa.Column("clinic_id", sa.String(64), nullable=False),
        sa.Column("staff_id", sa.String(36), nullable=False),
        *lifetime(),
        staff_ref(),
    )
    op.create_index("ix_staff_sessions_staff", "staff_sessions", ["clinic_id", "staff_id"])
    op.create_table(
        "diary_shares",
        clinic_ref(),
        user_ref(primary_key=True),
        moment("shared_at"),
        moment("revoked_at", nullable=True),
    )
    op.create_index("ix_diary_shares_user", "diary_shares", ["user_id"])

    with op.batch_alter_table("appointment_requests") as batch:
        batch.add_column(sa.Column("user_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("urgency_order", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(moment("status_changed_at", nullable=True))
        batch.add_column(sa.Column("decline_reason", sa.Text, nullable=True))
        batch.create_foreign_key(
            "fk_appointment_requests_user", "users", ["user_id"], ["id"], ondelete="SET NULL"
        )
    for urgency, order in _ORDER.items():
        op.execute(
            sa.text(
                "UPDATE appointment_requests SET urgency_order = :order WHERE urgency = :u"
            ).bindparams(order=order, u=urgency)
        )
    op.create_index(
        "ix_appointment_requests_inbox",
        "appointment_requests",
        ["clinic_id", "status", "urgency_order", "created_at"],
    )
    op.create_index(
        "ix_appointment_requests_inbox_all",
        "appointment_requests",
        ["clinic_id", "urgency_order", "created_at"],
    )

    op.create_table(
        "request_status_changes",
        *clinic_row_key(),
        sa.Column("request_id", sa.String(36), nullable=False),
        moment("at"),
        sa.Column("staff_id", sa.String(36), nullable=False),
        sa.Column("staff_name", sa.String(120), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id", "request_id"],
            ["appointment_requests.clinic_id", "appointment_requests.id"],
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_request_status_changes_request",
        "request_status_changes",
        ["clinic_id", "request_id", "at"],
    )

    op.create_table(
        "audit_events",
        *clinic_row_key(),
        moment("at"),
        sa.Column("staff_id", sa.String(36), nullable=False),
        sa.Column("staff_email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=True),
        sa.Column("patient_ref", sa.String(80), nullable=True),
        sa.Column("address", sa.String(80), nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
    )
    op.create_index("ix_audit_events_clinic_at", "audit_events", ["clinic_id", "at"])
    op.create_index("ix_audit_events_clinic_request", "audit_events", ["clinic_id", "request_id"])
    _append_only_triggers()


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed or deleted'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("audit_events")
    op.drop_table("request_status_changes")
    op.drop_index("ix_appointment_requests_inbox_all", "appointment_requests")
    op.drop_index("ix_appointment_requests_inbox", "appointment_requests")
    with op.batch_alter_table("appointment_requests") as batch:
        batch.drop_constraint("fk_appointment_requests_user", type_="foreignkey")
        batch.drop_column("decline_reason")
        batch.drop_column("status_changed_at")
        batch.drop_column("urgency_order")
        batch.drop_column("user_id")
    op.drop_index("ix_diary_shares_user", "diary_shares")
    op.drop_table("diary_shares")
    op.drop_index("ix_staff_sessions_staff", "staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("staff")
    op.drop_table("clinics")
