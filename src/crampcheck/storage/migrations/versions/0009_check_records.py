"""Checks kept on the server: drafts in progress and finished results.

A check in progress (``check_drafts``) survives reload, Back and Forward; a finished one
(``check_results``) has a dated reference and its own expiring address to reopen, print
and share. Both are found by the SHA-256 of a random token held in the address only.

Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "check_drafts",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
    )
    op.create_index("ix_check_drafts_expires_at", "check_drafts", ["expires_at"])
    op.create_table(
        "check_results",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("reference", sa.String(32), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
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
