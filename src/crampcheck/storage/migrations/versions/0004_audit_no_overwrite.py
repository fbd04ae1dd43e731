"""Audit events cannot be overwritten or truncated either.

0003's triggers refuse UPDATE and DELETE, but two other paths removed events:

- SQLite: ``INSERT OR REPLACE`` (or ``REPLACE``) with an existing key deletes the old row
  to make room, and "when the REPLACE conflict resolution strategy deletes rows in order
  to satisfy a constraint, delete triggers fire if and only if recursive triggers are
  enabled" (SQLite, The ON CONFLICT Clause). A BEFORE INSERT trigger runs before the
  constraint is checked, so it refuses an insert whose key is already taken: REPLACE
  never reaches its delete, and an upsert never reaches its update.
- PostgreSQL: ``TRUNCATE`` fires no row trigger. A statement-level BEFORE TRUNCATE
  trigger refuses it, with the same function as the row triggers.

Create Date: 2026-12-14
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"

SQLITE_NO_OVERWRITE = """
CREATE TRIGGER audit_events_no_overwrite BEFORE INSERT ON audit_events
WHEN EXISTS (
    SELECT 1 FROM audit_events WHERE clinic_id = NEW.clinic_id AND id = NEW.id
)
BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed or deleted'); END
"""

PG_NO_TRUNCATE = (
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_NO_TRUNCATE)
    else:
        op.execute(SQLITE_NO_OVERWRITE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
    else:
        op.execute("DROP TRIGGER audit_events_no_overwrite")
