"""The database as a whole: brought to the newest migration, opened, backed up and
restored. The command line (``db upgrade``, ``serve``, ``backup``, ``restore`` and the
commands that open the database) and the web application's factory ask for these here;
how each is done is in :mod:`crampcheck.storage.database` and
:mod:`crampcheck.storage.backup`.
"""

from __future__ import annotations

from crampcheck.storage.backup import BackupError, backup, restore
from crampcheck.storage.database import current_revision, make_engine, session_factory, upgrade

__all__ = [
    "BackupError",
    "backup",
    "make_engine",
    "migrate",
    "restore",
    "session_factory",
    "upgrade",
]


def migrate(url: str) -> str | None:
    """Apply every migration the database at ``url`` lacks; the migration it is at now
    (None when there are none)."""
    upgrade(url)
    return current_revision(url)
