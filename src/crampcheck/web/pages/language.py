"""The language switch on every page: a link that keeps the choice in a cookie.

``GET /language/es?next=/check`` remembers Spanish for a year and goes back to the page
the person was on, now in Spanish. A plain link, so it works without JavaScript and
from any page, forms included (nothing typed is sent or lost: the link is beside them).
Only an address on this site is gone back to; anything else goes to the start page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampcheck.web.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_AGE, LANGUAGES

router = APIRouter(include_in_schema=False)


def local_address(next_page: str | None) -> str:
    """``next_page`` when it is a path on this site, else the start page (no open redirect)."""
    if (
        not next_page
        or not next_page.startswith("/")
        or next_page.startswith("//")
        or "\\" in next_page
        or any(ord(ch) < 32 for ch in next_page)
    ):
        return "/"
    return next_page


@router.get("/language/{language}")
def choose_language(request: Request, language: str, next: str | None = None) -> Response:  # noqa: A002 - the query's name
    """Keep ``language`` as the person's choice and go back to where they were."""
    if language not in LANGUAGES:
        return RedirectResponse(local_address(next), status_code=303)
    response = RedirectResponse(local_address(next), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    response.headers["cache-control"] = "no-store"
    return response
