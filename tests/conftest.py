"""Shared fixtures: the packaged knowledge base and pipeline (loaded once per session), and
a web application on an empty database of each backend."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from crampcheck.knowledge import KnowledgeBase, default_knowledge
from crampcheck.services.pipeline import Pipeline, default_pipeline
from crampcheck.settings import Settings
from crampcheck.storage.database import make_engine, upgrade
from tests.factories import cheap_password_hashing, postgres_schema
from tests.smtp import _session_smtp, smtp_server  # noqa: F401 - fixtures for every test

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.engine import Engine

# Starlette's test client warns, once, on import when it finds httpx rather than httpx2;
# pytest turns warnings into errors, so it is imported here with that warning silenced
# (later imports of starlette.testclient or fastapi.testclient reuse the loaded module).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV_VIGNETTES = SHARED / "vignettes" / "dev.jsonl"
EXTRA_VIGNETTES = Path(__file__).resolve().parent / "vignettes" / "extra.jsonl"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return default_pipeline()


# ---------------------------------------------------------------- web application and database
#
# `db_url` runs a test once per database backend: SQLite always, PostgreSQL too when
# CRAMPCHECK_TEST_DATABASE_URL is set (those runs carry the `postgres` marker). Each test
# gets an empty database: a new SQLite file, or a PostgreSQL schema of its own (named in
# the URL's search_path, dropped afterwards), so tests never see each other's rows.
# `app` is create_app() on that database after `upgrade`, sharing the session's
# pipeline; `client` is a TestClient on it with the application's lifespan running.

POSTGRES_URL = os.environ.get("CRAMPCHECK_TEST_DATABASE_URL", "").strip()
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"

BACKENDS = [pytest.param("sqlite", id="sqlite")]
if POSTGRES_URL:
    BACKENDS.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))


def pytest_report_header() -> str:
    if POSTGRES_URL:
        return "database backends: sqlite, postgresql (CRAMPCHECK_TEST_DATABASE_URL)"
    return "database backends: sqlite (set CRAMPCHECK_TEST_DATABASE_URL to add postgresql)"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'crampcheck.sqlite3'}"
        return
    with postgres_schema(POSTGRES_URL) as url:
        yield url


@pytest.fixture
def migrated_engine(db_url: str) -> Iterator[Engine]:
    """An engine on ``db_url`` with every migration applied."""
    upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def web_settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings for a test application on ``db_url`` (explicit, so no CRAMPCHECK_* leaks in)."""
    return Settings(
        environment="test",
        secret_key=TEST_SECRET,
        data_dir=tmp_path / "data",
        database_url=db_url,
        clinic_file=None,
        emergency_number="911",
        max_body_bytes=64 * 1024,
    )


@pytest.fixture
def app(web_settings: Settings, pipeline: Pipeline) -> Iterator[FastAPI]:
    """The application on a freshly migrated database (its engine disposed afterwards)."""
    from crampcheck.web.app import create_app  # here, so only web tests import the web app

    upgrade(web_settings.effective_database_url)
    application = create_app(web_settings, pipeline)
    yield application
    application.state.crampcheck.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A test client with the application's lifespan running (the engine is disposed after)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No CRAMPCHECK_* setting from the developer's shell, and a HOME of the test's own."""
    for name in list(os.environ):
        if name.startswith("CRAMPCHECK_") and name != "CRAMPCHECK_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return monkeypatch


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashing for a test that signs people up and in."""
    cheap_password_hashing(monkeypatch)
