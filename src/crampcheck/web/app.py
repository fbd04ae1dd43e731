"""The application factory: nothing is created at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from crampcheck import __version__
from crampcheck.clinic import load_clinic
from crampcheck.services.clinics import ensure_registered
from crampcheck.services.database import make_engine, session_factory
from crampcheck.services.mail import Mailer
from crampcheck.services.metrics import instrument_pool, process_ended
from crampcheck.services.pipeline import Pipeline, packaged_pipeline
from crampcheck.settings import Settings
from crampcheck.web import request_log
from crampcheck.web.api import account as account_api
from crampcheck.web.api import diary as diary_api
from crampcheck.web.api import sharing as sharing_api
from crampcheck.web.api import staff as staff_api
from crampcheck.web.api.routes import health_router, router
from crampcheck.web.i18n import LanguageMiddleware
from crampcheck.web.pages import account as account_pages
from crampcheck.web.pages import account_links as account_link_pages
from crampcheck.web.pages import diary as diary_pages
from crampcheck.web.pages import diary_patterns as diary_patterns_pages
from crampcheck.web.pages import (
    install_error_pages,
    staff_audit,
    staff_inbox,
    staff_invite,
    staff_session,
    staff_team,
)
from crampcheck.web.pages import my_requests as my_requests_pages
from crampcheck.web.pages import router as pages_router
from crampcheck.web.pages import sharing as sharing_pages
from crampcheck.web.pages.errors import page_answer
from crampcheck.web.security import BodyLimit, SecurityHeaders
from crampcheck.web.state import AppState


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """Build the application for these settings (the database must already be migrated)."""
    settings = settings or Settings()
    clinic = load_clinic(settings.clinic_file)
    pipeline = pipeline or packaged_pipeline(
        settings.emergency_number,
        settings.reader_word_limit,
        clinic.care_pathway,
    )
    engine = make_engine(settings.effective_database_url)
    instrument_pool(engine)
    state = AppState(
        settings=settings,
        pipeline=pipeline,
        clinic=clinic,
        engine=engine,
        sessions=session_factory(engine),
        mailer=Mailer.from_settings(settings),
    )
    ensure_registered(engine, state.clinic)
    pipeline.reader  # noqa: B018 - load the reader now, not on the first request

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()
        process_ended()

    app = FastAPI(
        title="crampcheck",
        version=__version__,
        description="Triage and self-care for muscle cramps and spasms. Not a diagnosis.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.crampcheck = state
    app.include_router(router)
    app.include_router(account_api.router)
    app.include_router(diary_api.router)
    app.include_router(sharing_api.router)
    app.include_router(staff_api.router)
    app.include_router(health_router)
    app.include_router(pages_router)
    app.include_router(account_pages.router)
    app.include_router(account_link_pages.router)
    app.include_router(my_requests_pages.router)
    app.include_router(diary_pages.router)
    app.include_router(diary_patterns_pages.router)
    app.include_router(sharing_pages.router)
    app.include_router(staff_session.router)
    app.include_router(staff_inbox.router)
    app.include_router(staff_team.router)
    app.include_router(staff_audit.router)
    app.include_router(staff_invite.router)
    install_error_pages(app)
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("crampcheck.web") / "static")),
        name="static",
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, page_answer=page_answer)
    app.add_middleware(SecurityHeaders, page_answer=page_answer)
    # Outside both, so that their own pages (too large, refused) are in the person's language.
    app.add_middleware(LanguageMiddleware, temperature_unit=clinic.temperature_unit)
    if settings.trusted_proxy_list:
        # Outermost, so that every layer inside (HSTS, secure cookies, throttles, the
        # audit log) sees the client's address and scheme, never the proxy's.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    # Outside even that: the request id and log line see the address a request came
    # from (a trusted proxy's X-Request-ID is believed), and time the whole answer.
    request_log.install(app, settings)
    return app
