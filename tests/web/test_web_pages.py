"""The HTML pages, used as a person would with JavaScript off: every step is a plain form
submitted with the values a browser would send (hidden fields, ticked boxes, the button
pressed). Runs on the ``client`` fixture of conftest.py (a fresh, migrated database).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from markupsafe import escape
from sqlalchemy import select
from starlette.testclient import TestClient

from crampcheck.knowledge import KnowledgeBase
from crampcheck.storage.tables import AppointmentRequest
from crampcheck.web.security import SECURITY_HEADERS

SELF_CARE_TEXT = (
    "My calf cramped last night after a long run in the heat. It eased after stretching. "
    "No swelling."
)
EMERGENCY_TEXT = (
    "Since a long flight my left calf is swollen and throbbing like a cramp, and now I "
    "suddenly have chest pain and I am short of breath."
)
HAND_TEXT = "My hand keeps cramping when I write for a long time, it goes when I stop."
PAGES = [
    "/",
    "/check",
    "/check/questions",
    "/learn",
    "/learn/cramps-and-spasms",
    "/learn/causes",
    "/learn/home-treatment",
    "/learn/professional-treatment",
    "/learn/when-to-see-a-doctor",
    "/learn/sources",
    "/clinic",
    "/appointment",
    "/docs",
]
LEARN_TOPICS = [p for p in PAGES if p.startswith("/learn/")]
MAX_STEPS = 40


# ---------------------------------------------------------------- reading pages like a browser


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    """What the browser sends without any change (hidden fields, ticked boxes, text)."""
    buttons: list[tuple[str, str]] = field(default_factory=list)
    checkboxes: list[tuple[str, str]] = field(default_factory=list)
    """Every checkbox and radio (name, value), ticked or not."""


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                form.checkboxes.append((name, a.get("value", "on")))
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind == "submit":
                form.buttons.append((name, a.get("value", "")))
            else:
                form.fields.append((name, a.get("value", "")))
        elif tag == "button" and a.get("type", "submit") == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            self._select = name
            form.fields.append((name, ""))
        elif tag == "option" and self._select is not None and "selected" in a:
            form.fields = [f for f in form.fields if f[0] != self._select]
            form.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self.forms[-1].fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_of(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def form_to(html: str, action: str) -> Form:
    matches = [f for f in forms_of(html) if f.action == action]
    assert matches, f"no form posting to {action}"
    return matches[0]


def submit(
    client: TestClient,
    form: Form,
    button: tuple[str, str] | None = None,
    change: dict[str, str | list[str]] | None = None,
) -> Any:
    """Submit a form as a browser would, with ``change`` replacing fields of those names."""
    data: list[tuple[str, str]] = [f for f in form.fields if f[0] not in (change or {})]
    for name, value in (change or {}).items():
        for item in [value] if isinstance(value, str) else value:
            data.append((name, item))
    if button is not None:
        assert button in form.buttons, f"no button {button} in {form.buttons}"
        if button[0]:
            data.append(button)
    response = client.post(
        form.action,
        content=urlencode(data),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    # The check's steps redirect to pages of their own (post/redirect/get), which a
    # browser then loads; other forms' redirects are for the test to look at.
    location = response.headers.get("location", "")
    if response.status_code == 303 and location.startswith("/check/"):
        return client.get(location, follow_redirects=False)
    return response


def hidden_state(html: str) -> dict[str, Any]:
    for form in forms_of(html):
        for name, value in form.fields:
            if name == "state":
                loaded: dict[str, Any] = json.loads(value)
                return loaded
    raise AssertionError("no state field")


def question_id(html: str) -> str:
    form = form_to(html, "/check/questions")
    return next(v for n, v in form.fields if n == "question")


def is_result(html: str) -> bool:
    return 'id="result-heading"' in html


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def finish(client: TestClient, response: Any) -> tuple[str, int]:
    """Answer "none"/"no"/"don't know" to every question until the result; (html, steps)."""
    html = response.text
    for step in range(MAX_STEPS):
        assert response.status_code == 200, html
        if is_result(html):
            return html, step
        if 'action="/check/confirm"' in html:
            response = submit(client, form_to(html, "/check/confirm"), ("action", "continue"))
        else:
            form = form_to(html, "/check/questions")
            if ("action", "answer") in form.buttons and 'name="number"' not in html:
                button = ("action", "answer")
            elif ("action", "no") in form.buttons:
                button = ("action", "no")
            else:
                button = ("action", "dont_know")
            none = {"none": "none"} if button == ("action", "answer") else {}
            response = submit(client, form, button, {"chosen": [], **none})
        html = response.text
    raise AssertionError("the check did not end")


def check_text(client: TestClient, text: str, **extra: str) -> tuple[str, int]:
    return finish(client, client.post("/check", data={"text": text, **extra}))


def stored(app: FastAPI) -> list[AppointmentRequest]:
    with app.state.crampcheck.sessions() as session:
        return list(session.scalars(select(AppointmentRequest)))


# ---------------------------------------------------------------- every page


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()
    html = response.text
    assert '<html lang="en">' in html
    assert html.count("<h1") == 1
    assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html
    assert "<nav" in html and "<footer" in html and "<header" in html


def test_home_sends_people_with_a_warning_sign_to_911_before_the_check(
    client: TestClient, kb: KnowledgeBase
) -> None:
    """Issue 14 moved the check's button above the emergency list (so it is on a phone's
    first screen); the first link on the page is still "call 911 now", and the list is
    the knowledge base's emergency signs (as on the Learn pages), not the screen's labels."""
    html = client.get("/").text
    main = html[html.index("<main") :]
    signs = main[main.index('<ul class="emergency-signs">') :]
    signs = signs[: signs.index("</ul>")]
    assert re.findall(r"<li>(.*?)</li>", signs) == [
        str(escape(sign.label)) for sign in kb.emergency_signs
    ]
    assert "Call 911 now if you have any of these" in main
    first_link = re.search(r"<a [^>]*>", main)
    assert first_link is not None and 'href="tel:911"' in first_link.group(0)
    start = main.index('href="/check">Check a cramp or twitch</a>')
    call = main.index('class="button call-now" href="tel:911">Call 911 now</a>')
    assert main.index("warning signs below") < start < main.index('id="sos-title"') < call
    assert 'href="/learn"' in html and 'href="/clinic"' in html


# ---------------------------------------------------------------- describe it in your words


def test_an_emergency_description_ends_on_call_now_without_an_appointment_offer(
    client: TestClient,
) -> None:
    response = client.post("/check", data={"text": EMERGENCY_TEXT, "age": "61"})
    html, steps = finish(client, response)
    assert steps == 0, "an emergency is answered at once, before any question"
    main = main_of(html)
    first_link = re.search(r"<a [^>]*>", main)
    assert first_link is not None
    assert 'href="tel:911"' in first_link.group(0)
    assert "Call 911 now" in main
    assert "/appointment" not in main and "Request an appointment" not in main
    assert "banner-emergency" in main


def test_an_urgent_problem_the_clinic_does_not_treat_leads_with_where_to_go_today(
    client: TestClient,
) -> None:
    html, _ = check_text(
        client, "My right calf has been cramping for two days and it is swollen and hot.", age="55"
    )
    main = main_of(html)
    assert "banner-urgent" in main
    where = main.index("Where to go today:")
    assert "urgent care" in main[where : where + 200]
    banner = main[: main.index("</section>")]
    assert "for an appointment" not in banner, "the clinic comes second, below"
    assert main.index("for an appointment") > where
    assert "NHS 111" not in main and "GP" not in main


def test_a_self_care_description_ends_on_the_home_care_plan(client: TestClient) -> None:
    response = client.post("/check", data={"text": SELF_CARE_TEXT, "age": "40", "sex": "male"})
    assert response.status_code == 200
    confirm = response.text
    assert "Is this what you meant?" in confirm
    # present findings are ticked chips quoting the person's words; denials read "No ..."
    assert 'name="present" value="site_calf" checked' in confirm
    assert "you wrote “calf”" in confirm
    assert 'name="absent" value="swelling" checked' in confirm
    assert "“No swelling”" in confirm
    html, _steps = finish(client, response)
    main = main_of(html)
    assert "You can usually look after this at home" in main
    assert "What you can do at home" in main
    assert "Gently stretch the muscle" in main and "Evidence:" in main
    assert "What we read in your words" in main and "“cramped”" in main
    assert "If it gets worse" in main and "Call 911 if any of these happen:" in main
    assert "could be" in main.lower() or "can be caused by" in main.lower()
    assert 'action="/appointment/new"' in main
    assert re.search(r'<ol class="sources">\s*<li id="source-1"', main)
    assert "not a diagnosis" in main


def test_correcting_a_chip_changes_the_check(client: TestClient) -> None:
    confirm = client.post("/check", data={"text": SELF_CARE_TEXT}).text
    form = form_to(confirm, "/check/confirm")
    ticked = [v for n, v in form.fields if n == "present" and v != "hot_environment"]
    response = submit(client, form, ("action", "continue"), {"present": ticked})
    state = hidden_state(response.text)
    assert state["findings"]["hot_environment"] == "absent"
    assert state["findings"]["site_calf"] == "present"
    assert state["findings"]["swelling"] == "absent"


def test_change_my_words_keeps_them(client: TestClient) -> None:
    confirm = client.post("/check", data={"text": SELF_CARE_TEXT, "age": "40"}).text
    response = submit(client, form_to(confirm, "/check/confirm"), ("action", "edit"))
    assert response.status_code == 200
    assert f">{SELF_CARE_TEXT}</textarea>" in response.text
    assert 'value="40"' in response.text


def test_describe_form_errors_keep_what_was_typed(client: TestClient) -> None:
    response = client.post("/check", data={"text": "  ", "age": "abc", "sex": "other"})
    assert response.status_code == 422
    html = response.text
    assert "Please describe what is happening" in html
    assert "Please give your age in whole years" in html
    assert "Please choose one of the options" in html
    assert 'value="abc"' in html and 'aria-invalid="true"' in html
    assert 'href="#text"' in html


def test_words_about_other_parts_of_the_body_name_a_better_clinician(client: TestClient) -> None:
    html, _steps = check_text(client, HAND_TEXT, age="30")
    main = main_of(html)
    assert "Another kind of clinician may fit better" in main
    assert "hand therapist" in main
    assert 'action="/appointment/new"' in main


# ---------------------------------------------------------------- one question at a time


def test_the_interview_completes_by_submitting_forms(client: TestClient) -> None:
    response = client.get("/check/questions")
    html = response.text
    assert question_id(html) == "where", "where it is comes first (issue 14)"
    assert "Question 1 of about" in html and "<progress" in html
    assert 'name="none" value="none"' in html and "None of these" in html
    assert "<details" in html and "Why are we asking?" in html
    assert "<fieldset" in html and "<legend><h1" in html
    html, steps = finish(client, response)
    assert steps >= 3
    assert is_result(html)
    state = hidden_state(html)
    assert len(state["steps"]) == steps
    screen_answers = {k: v for k, v in state["findings"].items() if k == "chest_pain"}
    assert screen_answers == {"chest_pain": "absent"}


def test_ticking_an_emergency_sign_ends_the_check(client: TestClient) -> None:
    html = client.get("/check/questions").text
    where = {"chosen": "site_calf"}
    html = submit(client, form_to(html, "/check/questions"), ("action", "answer"), where).text
    assert question_id(html) == "emergency_limb_back", "the signs for a leg come next"
    response = submit(
        client, form_to(html, "/check/questions"), ("action", "answer"), {"chosen": "paralysis"}
    )
    assert is_result(response.text)
    assert "Call 911 now" in main_of(response.text)


def test_dont_know_is_recorded_and_back_undoes_it(client: TestClient, kb: KnowledgeBase) -> None:
    start = client.get("/check/questions").text
    assert 'href="/">Back</a>' in start, "the first question's Back leaves the check"
    where = {"chosen": "site_calf"}
    first = submit(client, form_to(start, "/check/questions"), ("action", "answer"), where).text
    screen_id = question_id(first)
    screen = next(g for g in kb.groups if g.id == screen_id)
    assert screen.screen
    second = submit(client, form_to(first, "/check/questions"), ("action", "dont_know")).text
    state = hidden_state(second)
    assert {state["findings"][m] for m in screen.members} == {"unknown"}
    assert question_id(second) != screen_id, "a don't-know is not asked again"
    assert "Question 3 of about" in second

    back = submit(client, form_to(second, "/check/questions"), ("action", "back")).text
    assert question_id(back) == screen_id
    findings = hidden_state(back).get("findings", {})
    assert findings["site_calf"] == "present" and not set(findings) & set(screen.members)
    assert "Question 2 of about" in back


def test_back_keeps_the_earlier_answer_ticked(client: TestClient) -> None:
    first = client.get("/check/questions").text
    second = submit(
        client, form_to(first, "/check/questions"), ("action", "answer"), {"none": "none"}
    ).text
    chosen = form_to(second, "/check/questions").checkboxes[0][1]
    third = submit(
        client, form_to(second, "/check/questions"), ("action", "answer"), {"chosen": chosen}
    ).text
    back = submit(client, form_to(third, "/check/questions"), ("action", "back")).text
    assert question_id(back) == question_id(second)
    assert f'value="{chosen}" checked' in back


def test_back_from_the_first_question_after_words_returns_to_the_chips(
    client: TestClient,
) -> None:
    confirm = client.post("/check", data={"text": SELF_CARE_TEXT}).text
    first = submit(client, form_to(confirm, "/check/confirm"), ("action", "continue")).text
    assert 'action="/check/questions"' in first
    back = submit(client, form_to(first, "/check/questions"), ("action", "back")).text
    assert 'action="/check/confirm"' in back


def test_number_questions_take_a_number_with_its_unit(client: TestClient) -> None:
    data = {"state": "{}", "question": "episode_minutes", "action": "answer", "number": "ten"}
    response = client.post("/check/questions", data=data)
    assert response.status_code == 422
    assert "Please type a number" in response.text
    assert 'value="ten"' in response.text and "minutes" in response.text
    response = client.post("/check/questions", data={**data, "number": "12,5"})
    assert response.status_code == 200
    state = hidden_state(response.text)
    assert state["values"] == {"episode_minutes": 12.5}
    assert state["findings"]["episode_minutes"] == "present"


@pytest.mark.parametrize(
    "state",
    [
        "",
        "not json",
        "[1, 2]",
        '{"findings": {"no_such_finding": "present"}}',
        '{"findings": {"chest_pain": "maybe"}}',
        '{"age": 500}',
        '{"steps": [["no_such_finding"]]}',
        '{"extra": 1}',
        "[" * 5000,
        json.dumps({"text": "x" * 41_000}),
    ],
)
@pytest.mark.parametrize("path", ["/check/questions", "/check/confirm", "/appointment/new"])
def test_a_bad_carried_state_gets_a_clear_400_page(
    client: TestClient, path: str, state: str
) -> None:
    response = client.post(path, data={"state": state, "question": "emergency_heart_stroke"})
    assert response.status_code == 400
    assert "We could not continue your check" in response.text
    assert "Start the check again" in response.text


@pytest.mark.parametrize(
    ("data", "files", "content_type"),
    [
        (None, {"text": ("a.txt", b"cramp", "text/plain")}, None),
        (b"--x\r\nnonsense", None, "multipart/form-data; boundary=x"),
        (b"text=%ff%fe", None, "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00", None, "application/x-www-form-urlencoded"),
        (b"{}", None, "application/json"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/check", "/check/confirm", "/check/questions", "/appointment/new", "/appointment"]
)
def test_malformed_form_bodies_never_cause_a_server_error(
    client: TestClient, path: str, data: Any, files: Any, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(path, content=data, files=files, headers=headers)
    assert response.status_code < 500
    assert response.headers["content-type"].startswith("text/html")


def test_an_unknown_question_or_answer_is_handled(client: TestClient) -> None:
    response = client.post("/check/questions", data={"state": "{}", "question": "nonsense"})
    assert response.status_code == 400
    data = {"state": "{}", "question": "where", "action": "answer", "chosen": "at_night"}
    response = client.post("/check/questions", data=data)
    assert response.status_code == 422
    assert "Please choose from the answers shown" in response.text
    data = {"state": "{}", "question": "chest_pain", "action": "maybe"}
    assert client.post("/check/questions", data=data).status_code == 422


# ---------------------------------------------------------------- appointment requests


def appointment_form(client: TestClient, text: str = SELF_CARE_TEXT) -> str:
    result, _steps = check_text(client, text)
    response = submit(client, form_to(result, "/appointment/new"))
    assert response.status_code == 200
    assert "crampcheck_csrf" in response.headers["set-cookie"]
    cookie = response.headers["set-cookie"].lower()
    assert "samesite=strict" in cookie and "httponly" in cookie
    return str(response.text)


def test_an_appointment_request_is_stored_with_its_snapshot(
    client: TestClient, app: FastAPI
) -> None:
    html = appointment_form(client)
    assert 'name="csrf_token"' in html and "<select" in html
    response = submit(
        client,
        form_to(html, "/appointment"),
        change={
            "name": "Ana Pérez",
            "phone": "(801) 555-0100",
            "preferred_location": "sandy",
            "preferred_times": "weekday mornings",
            "consent_to_share": "yes",
        },
    )
    assert response.status_code == 303
    sent = client.get(response.headers["location"])
    assert sent.status_code == 200
    assert "Your request was sent to" in sent.text and "What happens next" in sent.text
    assert "Ana" not in sent.text, "the confirmation shows no personal details"
    (row,) = stored(app)
    assert row.name == "Ana Pérez" and row.preferred_location == "sandy"
    assert row.urgency == "self_care" and row.consent_to_share
    assert row.snapshot["description"] == SELF_CARE_TEXT
    assert row.snapshot["urgency"] == "self_care"
    assert any(f["id"] == "site_calf" for f in row.snapshot["findings"])


def test_bad_appointment_input_is_shown_beside_each_field(client: TestClient, app: FastAPI) -> None:
    html = appointment_form(client)
    response = submit(
        client,
        form_to(html, "/appointment"),
        change={
            "name": "",
            "phone": "call me!",
            "email": "not-an-email",
            "preferred_location": "paris",
            "preferred_times": "evenings <b>only</b>",
        },
    )
    assert response.status_code == 422
    page = response.text
    assert "Please give your name" in page
    assert "Please give a phone number using only digits" in page
    assert "Please give an email address like" in page
    assert "Please choose one of the clinic&#39;s locations" in page
    assert "Please agree to share your check" in page
    assert 'value="call me!"' in page and 'value="not-an-email"' in page
    assert "evenings &lt;b&gt;only&lt;/b&gt;</textarea>" in page
    assert page.count('aria-invalid="true"') == 5
    assert stored(app) == []

    missing_contact = submit(
        client,
        form_to(page, "/appointment"),
        change={"name": "Ana", "phone": "", "email": "", "preferred_location": ""},
    )
    assert missing_contact.status_code == 422
    assert "Please give a phone number or an email address" in missing_contact.text


def test_a_csrf_mismatch_is_refused(client: TestClient, app: FastAPI) -> None:
    html = appointment_form(client)
    form = form_to(html, "/appointment")
    good = {"name": "Ana", "phone": "8015550100", "consent_to_share": "yes"}
    response = submit(client, form, change={**good, "csrf_token": "0" * 64})
    assert response.status_code == 400
    assert "security check did not match" in response.text
    client.cookies.clear()
    response = submit(client, form, change=good)
    assert response.status_code == 400
    assert stored(app) == []


def test_an_emergency_check_cannot_become_an_appointment(client: TestClient) -> None:
    result = client.post("/check", data={"text": EMERGENCY_TEXT}).text
    state = next(v for n, v in form_to(result, "/check/questions").fields if n == "state")
    response = client.post("/appointment/new", data={"state": state})
    assert response.status_code == 409
    assert "Call 911 now" in response.text


# ---------------------------------------------------------------- learn, clinic, docs, errors


@pytest.mark.parametrize("path", LEARN_TOPICS)
def test_learn_pages_cite_their_sources(client: TestClient, path: str) -> None:
    html = client.get(path).text
    assert '<ol class="sources">' in html
    cited = set(re.findall(r'href="#source-(\d+)"', html))
    listed = set(re.findall(r'<li id="source-(\d+)"', html))
    assert listed
    assert cited <= listed
    if not path.endswith("/sources"):
        assert cited == listed, "every listed source is cited by a statement"


def test_learn_pages_come_from_the_knowledge_base(client: TestClient, kb: KnowledgeBase) -> None:
    causes = client.get("/learn/causes").text
    for condition in kb.conditions.values():
        assert str(escape(condition.name)) in causes
    home = client.get("/learn/home-treatment").text
    assert "Gently stretch the muscle" in home and "Mixed evidence" in home
    # Issue 14: the page is the leaflet's (learn.yaml), no longer every rule's reason
    when = client.get("/learn/when-to-see-a-doctor").text
    for heading in ("Call 911 now if you have any of these", "Get care today if"):
        assert f"<h2>{heading}</h2>" in when


def test_the_clinic_page(client: TestClient, app: FastAPI) -> None:
    clinic = app.state.crampcheck.clinic
    html = client.get("/clinic").text
    assert clinic.name in html and clinic.specialty in html
    assert f'href="{clinic.phone_link}"' in html
    for location in clinic.locations:
        assert location.city in html


def test_docs_list_every_operation(client: TestClient, app: FastAPI) -> None:
    html = client.get("/docs").text
    spec = app.openapi()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert f"<code>{method.upper()} {path}</code>" in html
            assert op["summary"] in html
    assert "consent_to_share" in html and "Request body" in html


def test_unknown_pages_get_a_friendly_404_and_the_api_keeps_json(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert 'href="tel:911"' in response.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    assert client.get("/learn/no-such-topic").status_code == 404
    assert client.get("/appointment/sent/not-a-reference").status_code == 404
    wrong_method = client.delete("/check")
    assert wrong_method.status_code == 405 and "<h1>" in wrong_method.text


# ---------------------------------------------------------------- what pages may contain


def all_pages(client: TestClient) -> dict[str, str]:
    pages = {path: client.get(path).text for path in PAGES}
    pages["404"] = client.get("/missing").text
    pages["confirm"] = client.post("/check", data={"text": SELF_CARE_TEXT}).text
    pages["result self-care"] = check_text(client, SELF_CARE_TEXT)[0]
    pages["result emergency"] = client.post("/check", data={"text": EMERGENCY_TEXT}).text
    pages["appointment"] = appointment_form(client)
    pages["question"] = client.get("/check/questions").text
    return pages


def test_no_inline_script_or_style_and_no_other_hosts(
    client: TestClient, kb: KnowledgeBase
) -> None:
    allowed = {s.url.replace("&", "&amp;") for s in kb.sources.values() if s.url}
    for name, html in all_pages(client).items():
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert "<style" not in html, name
        assert not re.search(r"\sstyle=", html), name
        assert not re.search(r"\son[a-z]+=", html), f"{name}: inline event handler"
        for url in re.findall(r"https?://[^\s\"'<>]+", html):
            # a result shows its own address (this server's), to copy and share
            own = url.startswith("http://testserver/check/result/") and 'readonly value="' in html
            assert url in allowed or own, f"{name}: {url}"
        for src in re.findall(r'(?:src|href)="([^"]+)"', html):
            if src.startswith(("http://", "https://")):
                assert src in allowed, f"{name}: {src}"
                assert re.search(rf'<a href="{re.escape(src)}"', html), "only as plain links"
            else:
                assert src.startswith(("/", "#", "tel:", "data:")), f"{name}: {src}"
    css = client.get("/static/site.css").text
    assert "url(" not in css and "@import" not in css


def test_the_result_page_is_small(client: TestClient) -> None:
    html, _steps = check_text(client, SELF_CARE_TEXT)
    total = len(html.encode())
    assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html)
    assert "/static/site.css" in assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200
        total += len(response.content)
    assert total <= 60 * 1024, total


def test_pages_work_with_htmx_but_do_not_need_it(client: TestClient) -> None:
    question = client.get("/check/questions").text
    assert '<script src="/static/vendor/htmx-2.0.11.min.js" defer></script>' in question
    assert 'hx-boost="true"' in question and 'action="/check/questions"' in question
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
    assert client.get("/static/vendor/htmx-LICENSE.txt").status_code == 200
    boosted = client.get("/check/questions", headers={"HX-Request": "true"}).text
    assert "autofocus" in boosted
    assert "htmx" not in client.get("/").text


def test_template_text_goes_through_gettext() -> None:
    """Words a person reads are never written into a template outside _()."""
    from crampcheck.web.pages.render import environment

    env = environment()
    for name in env.list_templates(extensions=["html"]):
        assert env.loader is not None
        source = env.loader.get_source(env, name)[0]
        env.parse(source)  # every template compiles
        bare = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", source, flags=re.S)
        bare = re.sub(r"<[^>]*>|\b(?:aria|data)-[a-z]+=\"[^\"]*\"|/openapi\.json", " ", bare)
        bare = re.sub(r'"[^"]*"', " ", bare)
        assert not re.findall(r"[A-Za-z]{2,}", bare), name
    assert list(env.extract_translations(env.loader.get_source(env, "home.html")[0]))


def test_a_denied_cause_is_worded_as_denied(client: TestClient) -> None:
    # Issue 14: the interview no longer shows every circumstance for this case, so the
    # "no" is given as an answer carried in the check.
    state = {"text": SELF_CARE_TEXT, "findings": {"low_fluid": "absent"}, "steps": [1]}
    data = {"state": json.dumps(state), "question": "episode_minutes", "number": "2"}
    html, _steps = finish(
        client, client.post("/check/questions", data={**data, "action": "answer"})
    )
    # "Not much to drink" denied is said in the knowledge base's positive words.
    assert "drank enough" in html and "you said no to “not much to drink”" not in html


def test_a_denied_finding_with_a_negative_label_is_no_double_negative(
    client: TestClient,
) -> None:
    """Issue 14: a "No" to "home care has not helped" read "No home care has not
    helped" in the chips of what the person told us; it reads "home care has helped"."""
    state = {
        "text": SELF_CARE_TEXT,
        "findings": {"home_care_failed": "absent", "low_fluid": "absent"},
        "steps": [1, 1],
    }
    data = {"state": json.dumps(state), "question": "episode_minutes", "number": "2"}
    html, _steps = finish(
        client, client.post("/check/questions", data={**data, "action": "answer"})
    )
    chips = html[html.index("chip-list") :]
    assert "home care has helped" in chips and "drank enough" in chips
    assert "home care has not helped" not in html and "not much to drink" not in chips


def test_the_stylesheet_is_mobile_first_with_a_print_layout(client: TestClient) -> None:
    css = client.get("/static/site.css").text
    assert "@media print" in css and ":focus-visible" in css
    assert "@media (min-width" in css and "@media (max-width" not in css
    assert len(css.encode()) < 16 * 1024


def test_the_confirm_step_shows_each_spelling_correction(client: TestClient) -> None:
    response = client.post(
        "/check", data={"text": "my calf is swolen and my eyelid is twiching", "age": "40"}
    )
    assert response.status_code == 200
    page = unescape(response.text)
    assert "You wrote “swolen” - we read “swollen”" in page
    assert "You wrote “twiching” - we read “twitching”" in page
    assert "What you told us" in page and "What you have" not in page


def test_the_confirm_step_marks_a_hedged_finding_as_not_sure(client: TestClient) -> None:
    response = client.post(
        "/check", data={"text": "my calf cramps and maybe it is a bit swollen", "age": "40"}
    )
    page = unescape(response.text)
    assert "(you were not sure: we counted it, to be safe" in page
