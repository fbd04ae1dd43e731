"""HTML pages (plain forms that work without JavaScript).

Every page is server-rendered from the templates in ``crampcheck/web/templates`` with
gettext; forms POST and render (or redirect). htmx, vendored under ``static/vendor``,
only makes the check's forms swap in place when JavaScript is on.
"""

from fastapi import APIRouter

from crampcheck.web.pages import appointment, check, check_saved, docs, language, learn, site
from crampcheck.web.pages.errors import install_error_pages

router = APIRouter(include_in_schema=False)
for _module in (site, check, check_saved, appointment, learn, docs, language):
    router.include_router(_module.router)

__all__ = ["install_error_pages", "router"]
