"""Driving crampcheck's pages in Chromium, and checking each page a person sees.

:class:`Tab` wraps a Playwright page on the real server. It records every request and
every console message, waits for each step of the check to finish (a full page load
without JavaScript's help, or an htmx swap of the body), and :meth:`Tab.audit` checks
the page on screen: no horizontal scroll, no serious or critical axe-core violation, no
request to another host and no Content Security Policy error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Locator, Page, Request, Response
from playwright.sync_api import Error as PlaywrightError

PHONE = {"width": 390, "height": 844}
"""A common phone screen, for the journeys and the screenshots."""
NARROW = {"width": 360, "height": 780}
"""The narrowest common phone screen: every page must fit it without sideways scrolling."""
MAX_STEPS = 40
AXE_IMPACTS = ("serious", "critical")

EMERGENCY_TEXT = "Sudden crushing chest pain and my left arm cramped."
URGENT_TEXT = (
    "Charley horse in my left calf for 35 minutes now and it is still rock hard. I stretched, "
    "walked and had a hot shower, nothing helps. I did not hurt it."
)
DOCTOR_TEXT = (
    "My blood pressure pill was switched to nifedipine about 4 weeks ago. Since then I get "
    "cramps in my legs a few nights a week. No swelling, no numbness."
)
SELF_CARE_TEXT = "My calf cramped in bed last night and it eased after stretching. No swelling."
TEXTS = {
    "emergency": EMERGENCY_TEXT,
    "urgent": URGENT_TEXT,
    "doctor": DOCTOR_TEXT,
    "self_care": SELF_CARE_TEXT,
}
"""A description in words for each urgency level, as the plain answers of
:meth:`Tab.finish` take it to the result."""

# A step is over when the <main> marked before it is gone (a new document or an htmx
# swap of the body) and htmx has nothing in flight or settling.
_MARK_MAIN = "() => { const m = document.querySelector('main'); if (m) m.dataset.before = '1'; }"
_STEP_DONE = """() => {
  const main = document.querySelector('main');
  return document.readyState === 'complete' && main !== null && !main.dataset.before
    && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling');
}"""
_SUBMIT_NATIVELY = """(button) => {
  if (button.name) {
    const field = document.createElement('input');
    field.type = 'hidden';
    field.name = button.name;
    field.value = button.value;
    button.form.appendChild(field);
  }
  HTMLFormElement.prototype.submit.call(button.form);
}"""
_OVERFLOWING = """(limit) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > limit + 0.5) {
      const cls = typeof el.className === 'string' && el.className ? '.' + el.className : '';
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}`
               + ` (right edge ${Math.round(box.right)} px)`);
    }
  }
  return out.slice(0, 8);
}"""
_AXE_RUN = """async (impacts) => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@dataclass
class Tab:
    """One page in its own browser context, on the server at ``base_url``."""

    page: Page
    base_url: str
    axe_source: str | None = None
    native_forms: bool = False
    requests: list[str] = field(default_factory=list)
    csp_errors: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    step_responses: list[Response] = field(default_factory=list)
    """The responses since the last :meth:`step` or :meth:`goto` began."""
    problems: list[str] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)
    _seen_requests: int = 0
    _seen_csp: int = 0

    def __post_init__(self) -> None:
        self.page.on("request", self._on_request)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        self.page.on("requestfailed", self._on_failed)
        self.page.on("response", lambda response: self.step_responses.append(response))

    # ------------------------------------------------------------ recording

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    def _on_failed(self, request: Request) -> None:
        self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def foreign_requests(self, requests: list[str] | None = None) -> list[str]:
        """Requests to anything but this server (data: URLs are allowed)."""
        own = urlsplit(self.base_url).netloc
        return [
            url
            for url in (self.requests if requests is None else requests)
            if not url.startswith("data:")
            and not (urlsplit(url).scheme == "http" and urlsplit(url).netloc == own)
        ]

    # ------------------------------------------------------------ moving around

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> int:
        """Load ``path``; its HTTP status."""
        self.step_responses = []
        response = self.page.goto(self.url(path))
        assert response is not None, path
        self.page.wait_for_function(_STEP_DONE)
        return response.status

    def step(self, action: Callable[[], object]) -> None:
        """Run ``action`` (a click or a key press that submits), then wait for its page."""
        self._mark_main()
        self.step_responses = []
        action()
        self.page.wait_for_function(_STEP_DONE)

    def _mark_main(self) -> None:
        """Mark the page's main element, so that the step can tell when it is replaced.
        A page still settling from the last navigation (a reload, Back) can swap its
        document under the call; that is retried on the new document, a few times."""
        for attempt in range(3):
            try:
                self.page.evaluate(_MARK_MAIN)
                return
            except PlaywrightError as error:
                if "Execution context was destroyed" not in str(error) or attempt == 2:
                    raise
                self.page.wait_for_load_state()

    def click(self, target: Locator) -> None:
        self.step(target.click)

    def submit(self, button: Locator) -> None:
        """Press a form's submit button; with ``native_forms``, the browser sends the form
        itself (a full page load) instead of htmx."""
        if self.native_forms:
            self.step(lambda: button.evaluate(_SUBMIT_NATIVELY))
        else:
            self.click(button)

    def press(self, key: str) -> None:
        self.step(lambda: self.page.keyboard.press(key))

    # ------------------------------------------------------------ reading the page

    def kind(self) -> str:
        """``result``, ``confirm``, ``question`` or ``other``."""
        if self.page.locator("#result-heading").count():
            return "result"
        if self.page.locator('form[action="/check/confirm"]').count():
            return "confirm"
        if self.page.locator('form[action="/check/questions"] input[name="question"]').count():
            return "question"
        return "other"

    def question_id(self) -> str:
        value = self.page.locator('input[name="question"]').get_attribute("value")
        assert value, "no question on this page"
        return value

    def urgency(self) -> str:
        classes = self.page.locator("section.banner").get_attribute("class") or ""
        levels = [c.removeprefix("banner-") for c in classes.split() if c.startswith("banner-")]
        assert len(levels) == 1, classes
        return levels[0]

    def button(self, value: str) -> Locator:
        return self.page.locator(f'main button[name="action"][value="{value}"]')

    def answer_plainly(self) -> None:
        """Answer the question on screen as test_web_pages.finish does: "None of these"
        on a list (a blank is refused), "No" to yes/no questions, "Don't know" to numbers."""
        if self.button("answer").count() and not self.page.locator("#number").count():
            self.page.locator("#option-none").check()
            self.submit(self.button("answer"))
        elif self.button("no").count():
            self.submit(self.button("no"))
        else:
            self.submit(self.button("dont_know"))

    def describe(self, text: str) -> None:
        """Type ``text`` on /check (already open) and send it."""
        self.page.fill("#text", text)
        self.submit(self.page.locator('main form[action="/check"] button[type="submit"]'))

    def finish(self, each: Callable[[str], None] | None = None) -> list[str]:
        """From the chips or a question, answer plainly until the result; the question ids.

        ``each`` is called with a name for every page on the way, the result included.
        """
        asked: list[str] = []
        for _ in range(MAX_STEPS):
            kind = self.kind()
            if kind == "result":
                if each:
                    each(f"result ({self.urgency()})")
                return asked
            if kind == "confirm":
                if each:
                    each("confirm (chips)")
                self.submit(self.button("continue"))
            else:
                assert kind == "question", f"unexpected page {self.page.url}: {self.title()}"
                asked.append(self.question_id())
                if each:
                    each(f"question {len(asked)} ({asked[-1]})")
                self.answer_plainly()
        raise AssertionError(f"no result after {MAX_STEPS} steps: {asked}")

    def title(self) -> str:
        return self.page.title()

    # ------------------------------------------------------------ checking the page on screen

    def audit(self, name: str) -> None:
        """Check the page on screen; problems are kept for :meth:`assert_clean`.

        Every <details> is opened first, so what it hides is checked too.
        """
        self.audited.append(name)
        self.page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        width = self.page.viewport_size["width"] if self.page.viewport_size else 0
        scroll_width = self.page.evaluate("() => document.documentElement.scrollWidth")
        if scroll_width > width:
            wide = self.page.evaluate(_OVERFLOWING, width)
            self.problems.append(
                f"{name}: scrolls sideways at {width} px (scrollWidth {scroll_width}): "
                + "; ".join(wide)
            )
        if self.axe_source is not None:
            for violation in self.axe_violations():
                self.problems.append(
                    f"{name}: axe {violation['id']} ({violation['impact']}): {violation['help']} "
                    f"at {', '.join(violation['targets'])}"
                )
        new_requests = self.requests[self._seen_requests :]
        self._seen_requests = len(self.requests)
        self.problems += [
            f"{name}: request to another host: {u}" for u in self.foreign_requests(new_requests)
        ]
        new_csp = self.csp_errors[self._seen_csp :]
        self._seen_csp = len(self.csp_errors)
        self.problems += [f"{name}: console: {text}" for text in new_csp]

    def axe_violations(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it is now.

        axe is evaluated through the DevTools protocol, once per document: a <script>
        tag (page.add_script_tag) is inline script, which the pages' Content Security
        Policy rightly refuses.
        """
        assert self.axe_source is not None
        if self.page.evaluate("() => typeof window.axe === 'undefined'"):
            self.page.evaluate(self.axe_source)
        violations: list[dict[str, Any]] = self.page.evaluate(_AXE_RUN, list(AXE_IMPACTS))
        return violations

    def assert_clean(self) -> None:
        assert not self.problems, (
            f"{len(self.problems)} problems on {len(self.audited)} pages:\n"
            + "\n".join(self.problems)
        )

    def screenshot(self, path: Path, caret: Literal["hide", "initial"] = "hide") -> None:
        """The viewport from the top, written only when it changed (PNG). ``caret="initial"``
        for a page with no text field: hiding the caret adds an inline style, which the
        Content Security Policy refuses (and reports) on a question swapped in by htmx."""
        self.page.evaluate("() => window.scrollTo(0, 0)")
        image = self.page.screenshot(animations="disabled", caret=caret)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != image:
            path.write_bytes(image)

    def screenshot_from(self, element: Locator, path: Path) -> None:
        """The viewport scrolled so ``element`` is at its top, written only when it
        changed (PNG): for a part of a long page."""
        element.evaluate(
            "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 16)"
        )
        image = self.page.screenshot(animations="disabled", caret="hide")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != image:
            path.write_bytes(image)
