"""Staff invitations: one-time links with which staff choose their own passwords.

An admin adds a member by name, email address and role; the member gets a link (only
its SHA-256 is stored) and chooses their own password with it, so that nobody else
ever knows it (the security review's L8). At most one invitation per member is open
(neither used nor revoked), which a partial unique index holds on both databases.

Create Date: 2026-12-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crampcheck.storage.migrations.columns import clinic_row_key, lifetime, moment, staff_ref

revision = "0006"
down_revision = "0005"

OPEN = "used_at IS NULL AND revoked_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "staff_invitations",
        *clinic_row_key(),
        sa.Column("staff_id", sa.String(36), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        *lifetime(),
        moment("used_at", nullable=True),
        moment("revoked_at", nullable=True),
        staff_ref(),
    )
    op.create_index(
        "ux_staff_invitations_open",
        "staff_invitations",
        ["clinic_id", "staff_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ux_staff_invitations_open", table_name="staff_invitations")
    op.drop_table("staff_invitations")
