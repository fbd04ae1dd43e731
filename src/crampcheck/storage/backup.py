"""Back up and restore the whole database.

SQLite: the online backup API, which copies a consistent snapshot while the server may
still be writing. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``
(the PostgreSQL client programs must be installed).

A backup holds health data: it is written 0600 beside its destination and renamed into
place only when whole; a folder made for it is 0700 (see :mod:`crampcheck.storage.files`).
"""

from __future__ import annotations

import shutil
import sqlite3

# Runs pg_dump/pg_restore with argument lists, no shell (bandit B404).
import subprocess  # nosec B404
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from crampcheck.storage.database import sqlite_file
from crampcheck.storage.files import private_file, private_folder, private_sqlite_files


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why."""


def _sqlite_path(url: str) -> Path | None:
    if make_url(url).get_backend_name() != "sqlite":
        return None
    path = sqlite_file(url)
    if path is None:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return path


def _private_partial(destination: Path) -> Path:
    """A new, empty 0600 file beside ``destination`` for the backup to be written into."""
    private_folder(destination.parent, tighten_existing=False)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)  # left by a backup that was interrupted
    private_file(partial)
    return partial


def _pg_target(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise BackupError(f"backups are supported for SQLite and PostgreSQL, not {parsed}")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found; install the PostgreSQL client programs")
    return found


def backup(url: str, destination: Path) -> None:
    """Write a consistent copy of the database to ``destination``."""
    source = _sqlite_path(url)
    if source is not None:
        if not source.exists():
            raise BackupError(f"there is no database at {source}")
        private_sqlite_files(source)
        partial = _private_partial(destination)
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(partial)) as copy:
            live.backup(copy)
        partial.replace(destination)
        return
    target = _pg_target(url)
    program = _program("pg_dump")
    partial = _private_partial(destination)
    # Argument list, no shell; the URL is the operator's setting (bandit B603).
    done = subprocess.run(  # nosec B603
        [program, "--format=custom", "--no-owner", f"--file={partial}", target],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}")
    partial.replace(destination)


def restore(url: str, source_file: Path) -> None:
    """Replace the database's contents with a backup made by :func:`backup`."""
    if not source_file.is_file():
        raise BackupError(f"there is no backup file at {source_file}")
    target = _sqlite_path(url)
    if target is not None:
        try:
            _restore_sqlite(source_file, target)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source_file} is not a SQLite backup: {error}") from None
        return
    # Argument list, no shell; the URL is the operator's setting (bandit B603).
    done = subprocess.run(  # nosec B603
        [
            _program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_pg_target(url)}",
            str(source_file),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip().splitlines()[-1:]}")


def _restore_sqlite(source_file: Path, target: Path) -> None:
    with closing(sqlite3.connect(source_file)) as saved:
        check = saved.execute("PRAGMA integrity_check").fetchone()
        if not check or check[0] != "ok":
            raise BackupError(f"{source_file} is not a sound SQLite database")
        private_sqlite_files(target)
        with closing(sqlite3.connect(target)) as live:
            saved.backup(live)
