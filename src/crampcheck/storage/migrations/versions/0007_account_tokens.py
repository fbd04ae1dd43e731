"""Account links sent by email (password reset, new-account confirmation), and when an
account's address was confirmed.

A password reset and the confirmation of a new account are links sent to the account's
address, each with a random token of which only the SHA-256 is stored; a link works once
and for a limited time. ``users.email_confirmed_at`` says when a link sent to the address
was followed: an account made by sign-up cannot be signed in to with its password until
then, so a sign-up does not tell whether the address already had an account (the
security review's L7). Accounts that exist already were signed in to at sign-up, as
sign-up worked before; they count as confirmed from when they were made.

Create Date: 2026-12-17
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crampcheck.storage.migrations.columns import lifetime, moment, token_key, user_ref

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(moment("email_confirmed_at", nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at")
    op.create_table(
        "account_tokens",
        token_key(),
        user_ref(),
        sa.Column("purpose", sa.String(16), nullable=False),
        *lifetime(),
        moment("used_at", nullable=True),
    )
    op.create_index("ix_account_tokens_user_id", "account_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_account_tokens_user_id", table_name="account_tokens")
    op.drop_table("account_tokens")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_confirmed_at")
