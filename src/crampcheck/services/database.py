"""The database as a whole: brought to the newest migration, opened, backed up and
restored. The command line (``db upgrade``, ``serve``, ``backup``, ``restore`` and the
commands that open the database) and the web application's factory ask for these here;
how each is done is in :mod:`crampcheck.storage.database` and
:mod:`crampcheck.storage.backup`.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crampcheck.storage.backup import BackupError, backup, restore
from crampcheck.storage.database import (
    current_revision,
    make_engine,
    pending_migrations,
    session_factory,
    upgrade,
)

__all__ = [
    "BackupError",
    "backup",
    "make_engine",
    "migrate",
    "not_ready_because",
    "restore",
    "session_factory",
    "upgrade",
]


def migrate(url: str) -> str | None:
    """Apply every migration the database at ``url`` lacks; the migration it is at now
    (None when there are none)."""
    upgrade(url)
    return current_revision(url)


def not_ready_because(session: Session) -> str | None:
    """Why this process should not be sent requests now, or None when it is ready: the
    database does not answer, or it lacks migrations this version needs (an upgrade
    whose ``crampcheck db upgrade`` has not run yet). The reason names no address,
    user or password."""
    try:
        pending = pending_migrations(session.connection())
    except SQLAlchemyError:
        return "the database does not answer"
    finally:
        session.rollback()
    if pending:
        count = len(pending)
        return (
            f"the database lacks {count} migration{'s' if count > 1 else ''} "
            f"({', '.join(pending)}): run crampcheck db upgrade"
        )
    return None
