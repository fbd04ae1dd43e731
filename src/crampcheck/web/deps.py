"""Dependency aliases so route signatures read like declarations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from crampcheck.web.state import AppState


def get_state(request: Request) -> AppState:
    """The application's state (set by the app factory)."""
    state: AppState = request.app.state.crampcheck
    return state


def get_session(state: Annotated[AppState, Depends(get_state)]) -> Iterator[Session]:
    """A database session committed when the route returns - before the response is
    sent, so an acknowledged write is a committed one - and rolled back on error."""
    with state.sessions() as session, session.begin():
        yield session


StateDep = Annotated[AppState, Depends(get_state)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
