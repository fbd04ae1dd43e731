"""Checks kept on the server: drafts in progress and finished results.

A check in progress (``check_drafts``) survives reload, Back and Forward; a finished one
(``check_results``) has a dated reference and its own expiring address to reopen, print
and share. Both are found by the SHA-256 of a random token held in the address only.

Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crampcheck.storage.migrations.columns import lifetime, token_key

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "check_drafts",
        token_key(),
        *lifetime(),
        sa.Column("state", sa.JSON(), nullable=False),
    )
    op.create_index("ix_check_drafts_expires_at", "check_drafts", ["expires_at"])
    op.create_table(
        "check_results",
        token_key(),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        *lifetime(),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("kb_version", sa.String(64), nullable=False),
        sa.Column("view", sa.JSON(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=True),
    )
    op.create_index("ix_check_results_expires_at", "check_results", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_check_results_expires_at", table_name="check_results")
    op.drop_table("check_results")
    op.drop_index("ix_check_drafts_expires_at", table_name="check_drafts")
    op.drop_table("check_drafts")
