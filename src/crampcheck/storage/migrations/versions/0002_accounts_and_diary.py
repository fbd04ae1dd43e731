"""Accounts, sessions, sign-in throttling and the episode diary.

Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crampcheck.storage.migrations.columns import lifetime, moment, token_key, user_ref

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        moment("created_at"),
        moment("password_changed_at"),
    )
    op.create_table(
        "user_sessions",
        token_key(),
        user_ref(),
        *lifetime(),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        moment("window_started_at"),
    )
    op.create_table(
        "episodes",
        user_ref(primary_key=True),
        sa.Column("id", sa.String(36), primary_key=True),
        moment("started_at"),
        moment("created_at"),
        moment("updated_at"),
        sa.Column("site", sa.String(32), nullable=True),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("duration_minutes", sa.Float, nullable=True),
        sa.Column("pain", sa.Integer, nullable=True),
        sa.Column("feel", sa.String(16), nullable=False),
        sa.Column("activity", sa.String(32), nullable=True),
        sa.Column("at_night", sa.Boolean, nullable=False),
        sa.Column("context", sa.JSON, nullable=False),
        sa.Column("tried", sa.JSON, nullable=False),
        sa.Column("helped", sa.Boolean, nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("check", sa.JSON, nullable=True),
    )
    op.create_index("ix_episodes_user_started", "episodes", ["user_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_episodes_user_started", "episodes")
    op.drop_table("episodes")
    op.drop_table("login_throttle")
    op.drop_index("ix_user_sessions_user_id", "user_sessions")
    op.drop_table("user_sessions")
    op.drop_table("users")
