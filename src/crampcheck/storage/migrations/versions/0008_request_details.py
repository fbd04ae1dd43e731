"""Appointment requests: sent once, with a date of birth, a reason, and the check's age and sex.

- ``idempotency_key``: the key a form (made when it is shown) or an API client sends with
  a request, unique per clinic, so sending the same request twice (Back and send again,
  a double tap, a retry) stores it once; ``request_fingerprint`` is the SHA-256 of what
  was sent, so a key used again for a different request can be told apart.
- ``date_of_birth`` and ``reason``: optional, typed by the person on the form.
- ``check_age`` and ``check_sex``: the age and sex given in the check, so the inbox can
  show an age when no date of birth was given, and FHIR ``Patient.gender``.
- An index on (clinic, created_at) for finding likely duplicates of one person sent
  within days of each other, and one on (user_id, created_at) for a person's own list
  of requests (/account/requests).

Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"

TABLE = "appointment_requests"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("request_fingerprint", sa.String(64), nullable=True))
        batch.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("check_age", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("check_sex", sa.String(8), nullable=True))
    op.create_index(
        "ux_appointment_requests_idempotency",
        TABLE,
        ["clinic_id", "idempotency_key"],
        unique=True,
    )
    op.create_index("ix_appointment_requests_clinic_created", TABLE, ["clinic_id", "created_at"])
    op.create_index("ix_appointment_requests_user", TABLE, ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_appointment_requests_user", table_name=TABLE)
    op.drop_index("ix_appointment_requests_clinic_created", table_name=TABLE)
    op.drop_index("ux_appointment_requests_idempotency", table_name=TABLE)
    with op.batch_alter_table(TABLE) as batch:
        for column in (
            "check_sex",
            "check_age",
            "reason",
            "date_of_birth",
            "request_fingerprint",
            "idempotency_key",
        ):
            batch.drop_column(column)
