"""Back up and restore the whole database.

SQLite: the online backup API, which copies a consistent snapshot while the server may
still be writing. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``
(the PostgreSQL client programs must be installed). A password in the database URL never
goes on their command line, which every user of the machine can read (``ps``): it is
handed over in a temporary password file, 0600 in a private folder, named by
``PGPASSFILE`` and removed when the program ends (the security review's L6).

A backup holds health data: it is written 0600 beside its destination and renamed into
place only when whole; a folder made for it is 0700 (see :mod:`crampcheck.storage.files`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3

# Runs pg_dump/pg_restore with argument lists, no shell (bandit B404).
import subprocess  # nosec B404
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url

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


@contextmanager
def _pg_connection(url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The libpq connection URI of ``url`` without its password, and the environment the
    client programs run in: with a password, one whose ``PGPASSFILE`` names a temporary
    0600 password file holding it (``PGPASSWORD`` removed, as libpq would prefer it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise BackupError(f"backups are supported for SQLite and PostgreSQL, not {parsed}")
    query = dict(parsed.query)
    in_query = query.pop("password", None)  # libpq also takes ?password=
    password = parsed.password or (in_query if isinstance(in_query, str) else None)
    target = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=query,
    ).render_as_string(hide_password=False)
    env = dict(os.environ)
    if password and ("\n" in password or "\r" in password):
        raise BackupError("the database password holds a line break, which libpq cannot take")
    if not password:
        yield target, env
        return
    with tempfile.TemporaryDirectory(prefix="crampcheck-pg-") as folder:  # made 0700
        passfile = Path(folder) / "pgpass"
        private_file(passfile)
        escaped = str(password).replace("\\", "\\\\").replace(":", "\\:")
        passfile.write_text(f"*:*:*:*:{escaped}\n", encoding="utf-8")
        env["PGPASSFILE"] = str(passfile)
        env.pop("PGPASSWORD", None)
        yield target, env


def _run_client(program: str, arguments: list[str], env: dict[str, str]) -> None:
    """Run a PostgreSQL client program; a failure is a :class:`BackupError` with its
    last line of output."""
    # Argument list, no shell; the URL is the operator's setting (bandit B603).
    done = subprocess.run(  # nosec B603
        [_program(program), *arguments], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip().splitlines()[-1:]}")


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
    with _pg_connection(url) as (target, env):
        _program("pg_dump")  # before any file is made
        partial = _private_partial(destination)
        try:
            arguments = ["--format=custom", "--no-owner", f"--file={partial}", target]
            _run_client("pg_dump", arguments, env)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(destination)


def restore(url: str, source_file: Path) -> None:
    """Replace the database's contents with a backup made by :func:`backup`."""
    if not source_file.is_file():
        raise BackupError(f"there is no backup file at {source_file}")
    database = _sqlite_path(url)
    if database is not None:
        try:
            _restore_sqlite(source_file, database)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source_file} is not a SQLite backup: {error}") from None
        return
    with _pg_connection(url) as (target, env):
        arguments = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run_client("pg_restore", [*arguments, f"--dbname={target}", str(source_file)], env)


def _restore_sqlite(source_file: Path, target: Path) -> None:
    with closing(sqlite3.connect(source_file)) as saved:
        check = saved.execute("PRAGMA integrity_check").fetchone()
        if not check or check[0] != "ok":
            raise BackupError(f"{source_file} is not a sound SQLite database")
        private_sqlite_files(target)
        with closing(sqlite3.connect(target)) as live:
            saved.backup(live)
