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
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
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
