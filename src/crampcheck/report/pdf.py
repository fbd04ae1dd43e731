"""The clinic's summary as HTML and as a one-page A4 PDF (WeasyPrint).

The HTML is only ever rendered by WeasyPrint, never served: its style sits in the page
and the charts are inline SVG. Nothing is fetched while rendering: the URL fetcher
refuses every URL (web, file or data) and there is no base URL, so text the person
typed (escaped by the template anyway) can never make the renderer reach anywhere.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import NoReturn

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from crampcheck.report.summary import RequestSummary

# WeasyPrint warns on import when the system lacks the HarfBuzz-Subset library; it then
# subsets fonts with fontTools, as before, so the PDF is the same. Only that message is
# let through here (the test suite turns every other warning into an error).
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message="HarfBuzz-Subset will be required",
        category=DeprecationWarning,
        module="weasyprint",
    )
    from weasyprint import HTML, URLFetcher  # type: ignore[import-untyped, unused-ignore]

TEMPLATE = "summary.html"


class FetchRefused(ValueError):
    """A URL the summary's renderer was asked to fetch; none ever is."""


class RefuseAllFetcher(URLFetcher):  # type: ignore[misc]
    """A WeasyPrint URL fetcher that fetches nothing and remembers what it was asked.

    WeasyPrint logs a refused resource and leaves it out, so a stray URL can only make
    the page lack an image, never reach the network or the file system.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=())
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> NoReturn:
        self.refused.append(url)
        raise FetchRefused(f"the clinic summary fetches nothing: {url[:80]}")


@cache
def environment() -> Environment:
    """The report's templates: autoescaped (the person's words are plain text)."""
    return Environment(
        loader=PackageLoader("crampcheck.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def _svg(markup: str) -> Markup:
    # The charts are drawn by crampcheck.domain.charts, which writes only numbers and
    # escaped text into its SVG (bandit B704).
    return Markup(markup)  # nosec B704


def summary_html(summary: RequestSummary) -> str:
    """The summary page as HTML for WeasyPrint (A4, style and charts inline)."""
    template = environment().get_template(TEMPLATE)
    return template.render(s=summary, svg=_svg)


def html_to_pdf(html: str, fetcher: RefuseAllFetcher | None = None) -> bytes:
    """Render HTML to PDF with nothing fetched (no base URL, every URL refused)."""
    document = HTML(string=html, base_url=None, url_fetcher=fetcher or RefuseAllFetcher())
    pdf: bytes = document.write_pdf()
    return pdf


def summary_pdf(summary: RequestSummary) -> bytes:
    """The clinic's one-page summary of an appointment request, as PDF bytes."""
    return html_to_pdf(summary_html(summary))
