"""The columns the migrations keep writing again: keys, references and times.

A released migration must go on creating exactly the schema it created when it was
released, on SQLite and PostgreSQL alike, so what is here is frozen as it stands: change
none of it. A migration that needs a column of another shape writes it out, or adds a
function of its own here.

Each call makes new objects (a column belongs to one table).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def moment(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A time with its zone (stored in UTC), needed unless ``nullable``."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def lifetime() -> tuple[sa.Column[Any], sa.Column[Any]]:
    """When a session, link or kept check was made and when it stops working."""
    return moment("created_at"), moment("expires_at")


def token_key() -> sa.Column[Any]:
    """The SHA-256 of a random token, as the row's key (the token itself is never stored)."""
    return sa.Column("token_hash", sa.String(64), primary_key=True)


def clinic_row_key() -> tuple[sa.Column[Any], sa.Column[Any]]:
    """The key of a row a clinic owns: its clinic and its own id."""
    return (
        sa.Column("clinic_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(36), primary_key=True),
    )


def user_ref(*, primary_key: bool = False) -> sa.Column[Any]:
    """The account a row belongs to (needed, or part of the key), deleted with it."""
    users = sa.ForeignKey("users.id", ondelete="CASCADE")
    return sa.Column("user_id", sa.String(36), users, primary_key=primary_key, nullable=False)


def clinic_ref() -> sa.Column[Any]:
    """The clinic a row belongs to, as part of its key, deleted with it."""
    return sa.Column(
        "clinic_id",
        sa.String(64),
        sa.ForeignKey("clinics.id", ondelete="CASCADE"),
        primary_key=True,
    )


def staff_ref() -> sa.ForeignKeyConstraint:
    """A row's staff member (``clinic_id``, ``staff_id``), deleted with them."""
    return sa.ForeignKeyConstraint(
        ["clinic_id", "staff_id"], ["staff.clinic_id", "staff.id"], ondelete="CASCADE"
    )
