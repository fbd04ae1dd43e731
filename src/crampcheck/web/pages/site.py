"""The start page and the clinic page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crampcheck.web.deps import StateDep
from crampcheck.web.pages.render import page

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, state: StateDep) -> HTMLResponse:
    """The way into the check, above the fold on a phone, and the knowledge base's
    emergency signs as a plain list under "Call 911 now if you have any of these"."""
    signs = [sign.label for sign in state.pipeline.kb.emergency_signs]
    return page(request, state, "home.html", {"emergency_signs": signs})


@router.get("/clinic")
def clinic(request: Request, state: StateDep) -> HTMLResponse:
    """The clinic: name, specialty, phone, and each location's address and opening hours
    where the clinic file gives them."""
    return page(request, state, "clinic.html")
