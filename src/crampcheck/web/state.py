"""What the application holds for its lifetime, created by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crampcheck.clinic import Clinic
from crampcheck.services.mail import Mailer
from crampcheck.services.pipeline import Pipeline
from crampcheck.settings import Settings


@dataclass(frozen=True)
class AppState:
    """Settings, the loaded knowledge pipeline, the clinic, the database and the mailer."""

    settings: Settings
    pipeline: Pipeline
    clinic: Clinic
    engine: Engine
    sessions: sessionmaker[Session]
    mailer: Mailer
