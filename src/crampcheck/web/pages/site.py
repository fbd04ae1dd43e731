"""The start page and the clinic page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crampcheck.web.deps import StateDep
from crampcheck.web.pages.render import page

router = APIRouter(include_in_schema=False)

EMERGENCY_SCREEN = "emergency_screen"


@router.get("/")
def home(request: Request, state: StateDep) -> HTMLResponse:
    """The emergency screen as one question, and the way into the check."""
    kb = state.pipeline.kb
    screen = next((g for g in kb.groups if g.id == EMERGENCY_SCREEN), None)
    if screen is None:
        screen = next((g for g in kb.groups if g.screen), None)
    signs = [kb.findings[m].label for m in screen.members] if screen else []
    return page(request, state, "home.html", {"emergency_signs": signs})


@router.get("/clinic")
def clinic(request: Request, state: StateDep) -> HTMLResponse:
    """The clinic: name, specialty, locations, phone and hours where known."""
    return page(request, state, "clinic.html")
