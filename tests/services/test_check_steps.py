"""Each step of a check assesses the case once, and gives what running the whole check
again would give."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from crampcheck.domain.types import FindingState
from crampcheck.services import check_steps
from crampcheck.services import pipeline as pipeline_module
from crampcheck.services.check_steps import Given
from crampcheck.services.interview import AnswerError, Reply, next_question
from crampcheck.services.pipeline import Pipeline
from tests.web.test_web_pages import SELF_CARE_TEXT, form_to, question_id, submit

NIGHT_CRAMP = "My calf cramps at night a couple of times a week; stretching helps."


@pytest.fixture
def assessments(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the assessments made (one entry per call)."""
    calls: list[int] = []
    real = pipeline_module.assess

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline_module, "assess", counted)
    yield calls


def test_every_post_of_the_check_assesses_once(client: TestClient, assessments: list[int]) -> None:
    sent = client.post("/check", data={"text": SELF_CARE_TEXT}, follow_redirects=False)
    assert sent.status_code == 303 and len(assessments) == 1
    assessments.clear()
    # the words are kept and shown at their own address: that page is a request of its own
    confirm = client.get(sent.headers["location"])
    assert confirm.status_code == 200 and len(assessments) == 1
    assessments.clear()
    # each answer is a POST that assesses once and sends the browser to the next
    # question's own address, which is a request of its own (post/redirect/get)
    question = _post_then_get(
        client, form_to(confirm.text, "/check/confirm"), ("action", "continue"), assessments
    )
    form = form_to(question.text, "/check/questions")
    button = ("action", "dont_know")
    assert button in form.buttons
    _post_then_get(client, form, button, assessments)


def _post_then_get(
    client: TestClient, form: object, button: tuple[str, str], assessments: list[int]
) -> object:
    """Send a form without following its redirect, then open where it leads: one
    assessment for each of the two requests."""
    data: dict[str, list[str]] = {}
    for name, value in [*form.fields, button]:  # type: ignore[attr-defined]
        data.setdefault(name, []).append(value)
    sent = client.post(form.action, data=data, follow_redirects=False)  # type: ignore[attr-defined]
    assert sent.status_code == 303 and len(assessments) == 1
    assessments.clear()
    page = client.get(sent.headers["location"])
    assert page.status_code == 200 and len(assessments) == 1
    assessments.clear()
    return page


def test_a_step_gives_what_the_whole_check_run_again_gives(pipeline: Pipeline) -> None:
    words = Given(NIGHT_CRAMP, 40, None)
    answers, confirmed = check_steps.confirm(pipeline, words, kept=["at_night"], also_denied=[])
    again = check_steps.run(pipeline, Given(NIGHT_CRAMP, 40, None, answers))
    assert confirmed.assessment == again.assessment
    assert answers["at_night"] is FindingState.PRESENT
    assert confirmed.confirmed == again.confirmed == frozenset({"at_night"})
    given = Given(NIGHT_CRAMP, 40, None, answers)
    question = check_steps.open_question(pipeline, given, _first_open_question(pipeline, given))
    answered = check_steps.answer(pipeline, given, question, Reply(dont_know=True))
    rerun = check_steps.run(pipeline, Given(NIGHT_CRAMP, 40, None, {**answers, **answered.answers}))
    assert answered.result.assessment == rerun.assessment
    assert set(answered.answers) == {o.finding_id for o in question.options}


def _first_open_question(pipeline: Pipeline, given: Given) -> str:
    question = next_question(check_steps.run(pipeline, given).case, pipeline.kb)
    assert question is not None
    return question.id


def test_an_unknown_question_is_refused(pipeline: Pipeline) -> None:
    with pytest.raises(AnswerError):
        check_steps.open_question(pipeline, Given(NIGHT_CRAMP), "no-such-question")


def test_the_question_page_still_names_its_question(client: TestClient) -> None:
    confirm = client.post("/check", data={"text": NIGHT_CRAMP}).text
    question = submit(client, form_to(confirm, "/check/confirm"), ("action", "continue")).text
    assert question_id(question)
