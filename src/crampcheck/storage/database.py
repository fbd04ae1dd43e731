"""The database engine, sessions, and schema migrations.

SQLite runs in WAL mode with ``synchronous=FULL``: a write that was acknowledged
survives a crash of the process or the machine. Foreign keys are enforced. The database
file, its folder and the files SQLite keeps beside it are private to their owner (see
:mod:`crampcheck.storage.files`).

Engines hide statement parameters from their errors: a database error's message would
otherwise carry the row's values (an email address, a name, a password hash), and an
unexpected one ends up in the server's log with its traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from crampcheck.storage.files import private_sqlite_files

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL (None for another database or one in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.query.get("uri") in ("true", "1") or parsed.database.startswith("file:"):
        return None  # an SQLite URI names its file (or memory) its own way
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file gets its private folder and mode first."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        database = sqlite_file(url)
        if database is not None:
            private_sqlite_files(database)
        kwargs["connect_args"] = {"check_same_thread": False}
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed together, or not at all."""
    with factory() as session, session.begin():
        yield session


def alembic_config(url: str) -> Config:
    """Alembic configured for the packaged migrations and this database."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("crampcheck.storage") / "migrations")
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (the newest by default)."""
    database = sqlite_file(url)
    if database is not None:
        private_sqlite_files(database)
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The migration the database is at (None before the first)."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


@cache
def head_revisions() -> frozenset[str]:
    """The newest migration(s) this version of crampcheck ships (read once)."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def pending_migrations(connection: Connection) -> list[str]:
    """The shipped migrations the database has not applied yet, oldest first (empty:
    up to date). A database newer than this code (a later version migrated it) has
    none pending here."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    current = set(MigrationContext.configure(connection).get_current_heads())
    if current >= head_revisions():
        return []
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    applied: set[str] = set()
    for revision in current:
        if scripts.get_revision(revision) is None:
            return []  # a revision this code does not know: the database is newer
        applied.update(r.revision for r in scripts.iterate_revisions(revision, "base"))
    pending = [r.revision for r in scripts.walk_revisions() if r.revision not in applied]
    return list(reversed(pending))
