"""An adult's "Your answers" reads as sentences and holds nothing about babies (issue
14: the walk-through's result read "No a baby or child losing skills they had ...")."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from crampcheck.services.interview import Reply, apply_reply, next_question
from crampcheck.services.pipeline import Pipeline
from tests.web.test_web_pages import check_text, main_of

JOURNEYS = (
    "My calf cramped last night after a long run in the heat. It eased after stretching.",
    "I have had leg cramps since my nifedipine dose was increased",
    "CALFF CRAMP PAINFULL AT NIGHT FOR 2 WEKS",
    "My calf has been cramped for 35 minutes and is still hard",
)


def answers_of(html: str) -> str:
    words = " ".join(re.sub(r"<[^>]+>", " ", main_of(html)).split())
    start = words.index("Your answers")
    return words[start : words.index("Questions that could change", start)]


@pytest.mark.parametrize("text", JOURNEYS)
def test_an_adults_answers_read_as_sentences(client: TestClient, text: str) -> None:
    html, _steps = check_text(client, text, age="40")
    answers = answers_of(html)
    assert not re.search(r"\bNo (a|an|the) ", answers), answers
    assert "losing skills" not in answers and "baby" not in answers, answers


@pytest.mark.parametrize("text", JOURNEYS)
def test_an_adult_is_never_asked_about_a_babys_lost_skills(pipeline: Pipeline, text: str) -> None:
    case = pipeline.check_text(text, 40, None).case
    while (question := next_question(case, pipeline.kb)) is not None:
        assert "lost_skills" not in {o.finding_id for o in question.options}, question.id
        if question.select in ("many", "one"):
            case = apply_reply(case, question, Reply(none=True))
        elif question.select == "boolean":
            case = apply_reply(case, question, Reply(yes=False))
        else:
            case = apply_reply(case, question, Reply(dont_know=True))
