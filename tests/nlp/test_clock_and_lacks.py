"""How long since a time of day, numbers said aloud, and findings that are a lack: readings
the phrase matcher alone would get wrong."""

from __future__ import annotations

import pytest

from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.nlp.clock import ClockElapsed
from crampcheck.nlp.reader import Reader
from crampcheck.services.pipeline import Pipeline


@pytest.fixture(scope="module")
def clock(kb: KnowledgeBase) -> ClockElapsed:
    return ClockElapsed(kb)


@pytest.fixture(scope="module")
def reader(pipeline: Pipeline) -> Reader:
    return pipeline.reader


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("my legs started cramping around 2pm, its now 3:30.", 90),
        ("both calves started cramping around 3, its 4:30 rn and they still lock", 90),
        ("calf cramp woke me at 4am, its now 4:25 and it's still a knot", 25),
        ("it started at 11pm and now it's 1am", 120),
        ("the spasm began at 10.15 and it is now 10.45", 30),
    ],
)
def test_a_start_time_and_the_time_now_give_the_length(
    clock: ClockElapsed, text: str, minutes: int
) -> None:
    elapsed = clock.read(text)
    assert elapsed is not None and elapsed.minutes == minutes
    assert text[elapsed.start : elapsed.end] == elapsed.text


@pytest.mark.parametrize(
    "text",
    [
        "I take 2 at 8 and it's 10 days now",
        "pain around 7 out of 10, it's 8 now",
        "cramps about 3 times a week, it's 2 now",
        "walked around 5 miles, it's now 8pm",
        "it's 3:30 and the cramp began at 3",  # the start after the time now
        "my calf cramped at 3 this morning",  # no time now
    ],
)
def test_numbers_that_are_no_times_of_day_give_nothing(clock: ClockElapsed, text: str) -> None:
    assert clock.read(text) is None


def test_the_reader_keeps_a_length_said_outright(reader: Reader) -> None:
    reading = reader.read("It started at 2, it's now 3:30; it has been cramping for 20 minutes.")
    minutes = [f.value for f in reading.findings if f.finding_id == "episode_minutes"]
    assert minutes == [20.0]


def test_a_temperature_in_degrees_too_hot_for_celsius_is_fahrenheit(reader: Reader) -> None:
    reading = reader.read("Working outside in 100 degrees and now my fever is 102 degrees.")
    values = {f.finding_id: f.value for f in reading.findings if f.value is not None}
    assert values["ambient_temperature_c"] == pytest.approx(37.8, abs=0.1)
    assert values["temperature_c"] == pytest.approx(38.9, abs=0.1)


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Honestly don't think I've had a tetanus shot since I was a kid.", "present"),
        ("No tetanus jab in twenty years.", "present"),
        ("My tetanus is up to date.", "absent"),
        ("I had a tetanus booster last year.", "absent"),
    ],
)
def test_a_denied_vaccination_is_a_vaccination_missing(
    reader: Reader, text: str, state: str
) -> None:
    """A finding that is a lack: 'no' or 'not' before its words confirm it."""
    assert reader.read(text).states()["tetanus_unvaccinated"].value == state


@pytest.mark.parametrize(
    ("text", "finding", "value"),
    [
        ("His temp is a hundred and two point four.", "temperature_c", 39.1),
        ("His heart's going like one-thirty on his watch.", "heart_rate_bpm", 130),
        ("Pulse one hundred twenty.", "heart_rate_bpm", 120),
        ("It lasted twenty-one minutes.", "episode_minutes", 21),
    ],
)
def test_numbers_said_aloud(reader: Reader, text: str, finding: str, value: float) -> None:
    """Hundreds in words, and a pulse said the way people say it ("one-thirty")."""
    values = {f.finding_id: f.value for f in reader.read(text).findings if f.value is not None}
    assert values[finding] == pytest.approx(value, abs=0.1)


@pytest.mark.parametrize(
    "text", ["I have a heart condition and I'm 45.", "My heart surgery was in May, I'm 52."]
)
def test_an_age_after_the_word_heart_is_no_heart_rate(reader: Reader, text: str) -> None:
    """'heart' names a number only right before it ('heart 124')."""
    assert all(f.finding_id != "heart_rate_bpm" for f in reader.read(text).findings)
