"""The check's pages at addresses of their own (post/redirect/get), and a finished
check's own address: dated, reopened, shared, expired; and what the result shows first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from fastapi import FastAPI
from sqlalchemy import update
from starlette.testclient import TestClient

from crampcheck.storage.tables import CheckResultRecord
from crampcheck.web.pages.flow import FlowState
from crampcheck.web.pages.result import explicit_denials
from tests.web.test_web_pages import (
    EMERGENCY_TEXT,
    SELF_CARE_TEXT,
    form_to,
    main_of,
    submit,
)

CONFIRM = re.compile(r"^/check/confirm/[A-Za-z0-9_-]{32}$")
QUESTION = re.compile(r"^/check/question/[A-Za-z0-9_-]{32}$")
RESULT = re.compile(r"^/check/result/[A-Za-z0-9_-]{32}$")


def plain_answers(client: TestClient, html: str) -> str:
    """From the confirm page, answer every question plainly; the address of the result."""
    response = submit(client, form_to(html, "/check/confirm"), ("action", "continue"))
    for _ in range(40):
        if response.status_code == 303 and QUESTION.match(response.headers["location"]):
            response = client.get(response.headers["location"])
        if response.status_code == 303:
            location: str = response.headers["location"]
            return location
        form = form_to(response.text, "/check/questions")
        button = ("action", "no") if ("action", "no") in form.buttons else ("action", "answer")
        if 'name="number"' in response.text:
            button = ("action", "dont_know")
        # a multi-select answered with nothing ticked must say "None of these"
        none = {"none": "none"} if button == ("action", "answer") else {}
        response = client.post(
            form.action,
            data=dict([*form.fields, button]) | {"chosen": [], **none},
            follow_redirects=False,
        )
    raise AssertionError("no result")


def described(client: TestClient, text: str = SELF_CARE_TEXT) -> str:
    response = client.post("/check", data={"text": text}, follow_redirects=False)
    assert response.status_code == 303
    location: str = response.headers["location"]
    return location


def test_describing_redirects_to_a_confirm_page_that_survives_reload(client: TestClient) -> None:
    location = described(client)
    assert CONFIRM.match(location), location
    first = client.get(location)
    again = client.get(location)
    assert first.status_code == again.status_code == 200
    assert "What you told us" in first.text and "swelling" in first.text
    assert main_of(first.text) == main_of(again.text)
    assert "What you have" not in first.text
    assert client.get("/check/confirm/" + "x" * 32).status_code == 404


def test_each_question_has_an_address_that_reload_and_back_show_again(
    client: TestClient,
) -> None:
    """Issue 14: an answer is a POST that leads to the next question's own address, so
    reload and the browser's Back show a question again instead of sending an answer
    again or losing the answers given."""
    html = client.get(described(client)).text
    # (``submit`` loads the address a check's step redirects to, as a browser does)
    response = submit(client, form_to(html, "/check/confirm"), ("action", "continue"))
    assert response.status_code == 200 and QUESTION.match(response.url.path)
    first_address = response.url.path
    first = client.get(first_address)
    assert first.status_code == 200 and main_of(first.text) == main_of(
        client.get(first_address).text
    ), "a reload shows the same question"
    form = form_to(first.text, "/check/questions")
    assert 'name="none"' in first.text, "the first screen is the emergency signs"
    answer = dict([*form.fields, ("action", "answer")]) | {"none": "none"}
    answered = client.post(form.action, data=answer, follow_redirects=False)
    assert answered.status_code == 303
    second_address = answered.headers["location"]
    assert QUESTION.match(second_address) and second_address != first_address
    second = client.get(second_address)
    assert main_of(second.text) != main_of(first.text)
    # The browser's Back loads the first address again: the same question, unanswered.
    assert main_of(client.get(first_address).text) == main_of(first.text)
    # The form's own Back leads to an address too, with the answer given shown.
    back = submit(client, form_to(second.text, "/check/questions"), ("action", "back"))
    assert back.status_code == 200 and QUESTION.match(back.url.path)
    assert main_of(back.text) != main_of(first.text), "'None of these' is shown ticked"
    assert re.search(r'name="none"[^>]*checked', back.text)
    assert client.get("/check/question/" + "x" * 32).status_code == 404


def test_an_answer_swapped_in_by_htmx_puts_the_question_address_in_the_history(
    client: TestClient,
) -> None:
    html = client.get(described(client)).text
    page = submit(client, form_to(html, "/check/confirm"), ("action", "continue")).text
    form = form_to(page, "/check/questions")
    button = ("action", "no") if ("action", "no") in form.buttons else ("action", "dont_know")
    swapped = client.post(
        form.action,
        data=dict([*form.fields, button]),
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert swapped.status_code == 200 and "autofocus" in swapped.text
    assert QUESTION.match(swapped.headers["HX-Push-Url"])
    again = client.get(swapped.headers["HX-Push-Url"]).text
    assert main_of(again) == main_of(swapped.text).replace(" autofocus", "")


def test_change_my_words_opens_them_at_an_address_of_their_own(client: TestClient) -> None:
    html = client.get(described(client, SELF_CARE_TEXT + " I am 40.")).text
    response = submit(client, form_to(html, "/check/confirm"), ("action", "edit"))
    assert response.status_code == 200 and "/check/words/" in str(response.url)
    assert "I am 40." in unescape(response.text)
    assert "<textarea" in response.text


def test_a_finished_check_redirects_to_its_own_dated_address(
    client: TestClient, app: FastAPI
) -> None:
    html = client.get(described(client)).text
    location = plain_answers(client, html)
    assert RESULT.match(location), location
    page = client.get(location)
    assert page.status_code == 200
    assert page.headers["x-robots-tag"] == "noindex, nofollow"
    assert page.headers["cache-control"] == "no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    main = unescape(main_of(page.text))
    reference = re.search(r"CC-\d{4}-\d{2}-\d{2}-[A-Z0-9]{4}", main)
    assert reference is not None
    assert f"http://testserver{location}" in main
    assert re.search(r"until [A-Z][a-z]+ \d{1,2}, \d{4}", main), "the expiry is stated"
    # reloading shows the same result, without a new check or a new reference
    assert main_of(client.get(location).text) == main_of(page.text)
    # the same result to anyone with the address (a doctor), without the person's cookies
    with TestClient(app) as doctor:
        shared = doctor.get(location)
    assert shared.status_code == 200 and reference.group(0) in shared.text
    # once expired, the address is gone
    with app.state.crampcheck.sessions() as db, db.begin():
        past = datetime.now(UTC) - timedelta(seconds=1)
        db.execute(update(CheckResultRecord).values(expires_at=past))
    gone = client.get(location)
    assert gone.status_code == 410
    assert "This result has expired" in gone.text and 'href="tel:911"' in gone.text
    assert reference.group(0) not in gone.text
    unknown = client.get("/check/result/" + "A" * 32)
    assert unknown.status_code == 404 and "We could not find this check" in unknown.text


def test_an_htmx_step_is_sent_to_the_result_by_hx_redirect(client: TestClient) -> None:
    response = client.post("/check", data={"text": EMERGENCY_TEXT}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.text == ""
    assert RESULT.match(response.headers["hx-redirect"])


def test_the_answer_comes_first_and_the_rest_is_folded(client: TestClient) -> None:
    main = unescape(
        main_of(client.get(plain_answers(client, client.get(described(client)).text)).text)
    )
    top = main[: main.index('<div class="answer-top">') + 1]
    assert top.strip().startswith("<main"), "the answer is the first thing on the page"
    answer = main[: main.index("</div>", main.index('<div class="answer-top">'))]
    for part in ("You can usually look after this at home", "By when:", "What it could be"):
        assert part in answer
    assert "If it gets worse" in answer and "Call 911 if any of these happen:" in answer
    assert "not a diagnosis" in answer
    assert re.search(r'class="cites">\[<a href="#source-', answer), "the top is cited too"
    for folded in ("why", "causes", "told", "sources"):
        assert re.search(rf'<details class="fold" id="{folded}">', main), folded
    # every cited number has its source in the list
    cited = {int(n) for n in re.findall(r'href="#source-(\d+)"', main)}
    listed = {int(n) for n in re.findall(r'<li id="source-(\d+)"', main)}
    assert cited and cited <= listed
    assert "You said no to" not in main and "other things we asked about" not in main


def test_an_emergency_shows_nothing_to_do_but_call(client: TestClient) -> None:
    main = unescape(main_of(client.get(described(client, EMERGENCY_TEXT)).text))
    answer = main[: main.index("</div>", main.index('<div class="answer-top">'))]
    assert "Call 911 now" in answer
    assert "What it could be" not in answer and "Could be:" not in answer
    assert "What you can do at home" not in main
    assert "Questions that could change this answer" not in main
    assert "/appointment" not in main
    assert main.index("Call 911 now") < main.index('<details class="fold" id="causes">')


def test_only_the_no_answers_the_person_gave_are_listed(client: TestClient) -> None:
    main = unescape(
        main_of(client.get(plain_answers(client, client.get(described(client)).text)).text)
    )
    told = main[main.index('id="told"') : main.index("</details>", main.index('id="told"'))]
    # "No swelling" in the words, and the "No" given to yes-or-no questions, are listed;
    # the boxes left unticked in the lists of options are not
    assert "no</span> swelling" in told.lower()
    # (the shorter interview asks some findings as yes-or-no questions, whose "No" is the
    # person's own; dozens of unticked boxes would be far more than three)
    assert 1 <= told.count('class="chip chip-absent"') <= 3, told


def test_a_no_is_the_persons_own_when_they_gave_it() -> None:
    flow = FlowState.model_validate(
        {
            "text": "calf cramp, no swelling",
            "findings": {
                "swelling": "absent",  # kept as "no" on the confirm step
                "numbness": "absent",  # left unticked in a list of options...
                "weakness": "absent",
                "site_calf": "present",  # ...where this one was ticked
                "fever": "absent",  # "No" to a yes-or-no question
            },
            "steps": [3, 1],
        }
    )
    assert explicit_denials(flow) == {"swelling", "fever"}


@pytest.mark.usefixtures("fast_hashing")
def test_signed_in_a_kept_result_can_be_saved_to_the_diary(client: TestClient) -> None:
    signup = client.post(
        "/api/v1/auth/signup",
        json={"email": "kept.result@example.org", "password": "plum orbit lantern 42"},
    )
    assert signup.status_code == 201, signup.text
    client.cookies.set("crampcheck_session", signup.json()["token"])
    location = plain_answers(client, client.get(described(client)).text)
    html = client.get(location).text
    saved = submit(client, form_to(html, "/diary/save-check"))
    assert saved.status_code == 303 and "/edit?done=check" in saved.headers["location"]
    episode = client.get(saved.headers["location"])
    assert episode.status_code == 200
