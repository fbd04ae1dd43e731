"""The start page and the clinic page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crampcheck.web.deps import StateDep
from crampcheck.web.pages.render import page

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, state: StateDep) -> HTMLResponse:
    """The emergency signs as one list, and the way into the check."""
    kb = state.pipeline.kb
    signs = [kb.findings[sign.finding].label for sign in kb.emergency_signs]
    return page(request, state, "home.html", {"emergency_signs": signs})


@router.get("/clinic")
def clinic(request: Request, state: StateDep) -> HTMLResponse:
    """The clinic: name, specialty, locations, phone and hours where known."""
    return page(request, state, "clinic.html")
