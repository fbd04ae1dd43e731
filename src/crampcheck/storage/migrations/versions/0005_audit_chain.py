"""Audit events in a hash chain per clinic.

Each event gets its place in its clinic's chain (``seq``, from 1) and a ``hash`` over
its fields and the previous event's hash (:mod:`crampcheck.storage.audit_chain`), and
``audit_chain_heads`` holds each chain's end. Events already written are chained in
the order they happened (time, then id), a batch at a time; the triggers that refuse
changes to events are set aside for that and put back, on SQLite extended so that no
insert takes an existing event's place either (REPLACE would otherwise delete the
event holding it).

Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crampcheck.storage.audit_chain import GENESIS, event_hash

revision = "0005"
down_revision = "0004"

BATCH = 1000
SQLITE_TRIGGERS = ("audit_events_no_update", "audit_events_no_delete", "audit_events_no_overwrite")
_SQLITE_NO_CHANGE = [
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed or deleted'); END""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed or deleted'); END""",
]
# No insert may take an existing event's id or its place in the chain.
SQLITE_AT_0005 = [
    *_SQLITE_NO_CHANGE,
    """CREATE TRIGGER audit_events_no_overwrite BEFORE INSERT ON audit_events
    WHEN EXISTS (
        SELECT 1 FROM audit_events
        WHERE clinic_id = NEW.clinic_id AND (id = NEW.id OR seq = NEW.seq)
    )
    BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed or deleted'); END""",
]
SQLITE_AT_0004 = [
    *_SQLITE_NO_CHANGE,
    """CREATE TRIGGER audit_events_no_overwrite BEFORE INSERT ON audit_events
    WHEN EXISTS (
        SELECT 1 FROM audit_events WHERE clinic_id = NEW.clinic_id AND id = NEW.id
    )
    BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed or deleted'); END""",
]

_events = sa.table(
    "audit_events",
    sa.column("clinic_id", sa.String),
    sa.column("id", sa.String),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("staff_id", sa.String),
    sa.column("staff_email", sa.String),
    sa.column("role", sa.String),
    sa.column("action", sa.String),
    sa.column("request_id", sa.String),
    sa.column("patient_ref", sa.String),
    sa.column("address", sa.String),
    sa.column("detail", sa.Text),
    sa.column("seq", sa.BigInteger),
    sa.column("hash", sa.String),
)
_heads = sa.table(
    "audit_chain_heads",
    sa.column("clinic_id", sa.String),
    sa.column("seq", sa.BigInteger),
    sa.column("hash", sa.String),
)


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    if _postgresql():
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.add_column("audit_events", sa.Column("seq", sa.BigInteger, nullable=True))
    op.add_column("audit_events", sa.Column("hash", sa.String(64), nullable=True))
    op.create_table(
        "audit_chain_heads",
        sa.Column("clinic_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    _chain_existing_events()
    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("seq", existing_type=sa.BigInteger, nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)
    op.create_index("ux_audit_events_chain", "audit_events", ["clinic_id", "seq"], unique=True)
    if _postgresql():
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    else:
        for statement in SQLITE_AT_0005:
            op.execute(statement)


def _chain_existing_events() -> None:
    """Each clinic's events, oldest first, get their places and hashes, and the clinic
    its head."""
    bind = op.get_bind()
    clinics = bind.execute(sa.select(_events.c.clinic_id).distinct()).scalars().all()
    store = (
        _events.update()
        .where(_events.c.clinic_id == sa.bindparam("c"), _events.c.id == sa.bindparam("i"))
        .values(seq=sa.bindparam("s"), hash=sa.bindparam("h"))
    )
    for clinic in clinics:
        place, previous, after = 0, GENESIS, None
        while True:
            query = sa.select(_events).where(_events.c.clinic_id == clinic)
            if after is not None:
                query = query.where(
                    sa.or_(
                        _events.c.at > after[0],
                        sa.and_(_events.c.at == after[0], _events.c.id > after[1]),
                    )
                )
            rows = bind.execute(query.order_by(_events.c.at, _events.c.id).limit(BATCH)).all()
            if not rows:
                break
            changes = []
            for row in rows:
                place += 1
                previous = event_hash(_Placed(row, place), previous)
                changes.append({"c": clinic, "i": row.id, "s": place, "h": previous})
            bind.execute(store, changes)
            after = (rows[-1].at, rows[-1].id)
        bind.execute(_heads.insert().values(clinic_id=clinic, seq=place, hash=previous))


class _Placed:
    """A row read before it had a place, with the place it is given."""

    def __init__(self, row: sa.Row[object], seq: int) -> None:
        self._row, self.seq = row, seq

    def __getattr__(self, name: str) -> object:
        return getattr(self._row, name)


def downgrade() -> None:
    op.drop_index("ux_audit_events_chain", "audit_events")
    op.drop_table("audit_chain_heads")
    if not _postgresql():
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("hash")
        batch.drop_column("seq")
    if not _postgresql():
        for statement in SQLITE_AT_0004:
            op.execute(statement)
