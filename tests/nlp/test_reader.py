"""The reader: words to findings, with negation, scope, other people, numbers and spans."""

from __future__ import annotations

import pytest

from crampcheck.domain.types import FindingState
from crampcheck.nlp.reader import Reader, Reading
from crampcheck.services.pipeline import Pipeline

P, A = FindingState.PRESENT, FindingState.ABSENT


@pytest.fixture(scope="module")
def reader(pipeline: Pipeline) -> Reader:
    return pipeline.reader


def states(reader: Reader, text: str) -> dict[str, FindingState]:
    return reader.read(text).states()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No swelling.", {"swelling": A}),
        ("It isn't red or swollen.", {"redness": A, "swelling": A}),
        ("I'm not confused.", {"confusion": A}),
        ("No swelling, but some numbness.", {"swelling": A, "numbness": P}),
        ("My legs aren't swollen or numb.", {"swelling": A, "numbness": A}),
        ("I have no chest pain and I'm not short of breath.", {"chest_pain": A, "breathless": A}),
        ("The calf is swollen and hot to the touch.", {"swelling": P, "warmth": P}),
        ("My urine looks a normal colour.", {"dark_urine": A}),
        ("My pee has gone dark like cola.", {"dark_urine": P}),
    ],
)
def test_negation_and_scope(reader: Reader, text: str, expected: dict[str, FindingState]) -> None:
    found = states(reader, text)
    for finding_id, state in expected.items():
        assert found.get(finding_id) is state, (text, found)


def test_other_peoples_history_is_not_the_patients(reader: Reader) -> None:
    reading = reader.read("My father had a clot and his leg was swollen. My calf cramps at night.")
    assert "swelling" not in reading.states()
    assert reading.states()["sustained_contraction"] is P
    assert any(i.finding_id == "swelling" and i.reason == "other_person" for i in reading.ignored)


def test_a_report_about_the_person_being_checked_counts(reader: Reader) -> None:
    found = states(reader, "My son has leg cramps and he is confused.")
    assert found["confusion"] is P


@pytest.mark.parametrize(
    "text",
    ["My son has had leg cramps every night this week.", "My daughter had a seizure an hour ago."],
)
def test_a_parent_telling_of_a_child_tells_of_the_person_being_checked(
    reader: Reader, text: str
) -> None:
    found = states(reader, text)
    assert P in found.values(), (text, found)


def test_a_witness_does_not_make_it_someone_elses(reader: Reader) -> None:
    found = states(reader, "My wife says the side of my face is drooping.")
    assert found["face_droop"] is P


def test_hypotheticals_are_not_findings(reader: Reader) -> None:
    reading = reader.read("If it gets swollen I'll go to the doctor.")
    assert "swelling" not in reading.states()
    assert [i.reason for i in reading.ignored] == ["hypothetical"]


def test_present_wins_over_absent(reader: Reader) -> None:
    found = states(reader, "No swelling this morning. Now the calf is swollen.")
    assert found["swelling"] is P


@pytest.mark.parametrize(
    ("text", "finding_id", "value"),
    [
        ("It has lasted 25 minutes.", "episode_minutes", 25),
        ("It has lasted a quarter of an hour.", "episode_minutes", 15),
        ("The cramp has been there half an hour.", "episode_minutes", 30),
        ("about an hour ago", "episode_minutes", 60),
        ("twitching for six weeks", "history_days", 42),
        ("for a couple of months", "history_days", 60),
        ("since yesterday", "history_days", 1),
        ("my temperature is 39.6", "temperature_c", 39.6),
        ("temp of 40.2", "temperature_c", 40.2),
        ("a fever of 103F", "temperature_c", 39.4),
        ("the pain is 8/10", "pain_score", 8),
        ("pain 7 out of 10", "pain_score", 7),
        ("I'm 32 weeks pregnant", "pregnancy_weeks", 32),
        ("working in 35-degree heat", "ambient_temperature_c", 35),
    ],
)
def test_numbers_and_units(reader: Reader, text: str, finding_id: str, value: float) -> None:
    values = reader.read(text).values()
    assert values.get(finding_id) == pytest.approx(value, abs=0.1), (text, values)


def test_ambient_heat_is_not_a_fever(reader: Reader) -> None:
    values = reader.read("laying bricks in 40-degree heat").values()
    assert "temperature_c" not in values
    assert values["ambient_temperature_c"] == 40


def test_pregnancy_weeks_are_not_a_duration(reader: Reader) -> None:
    values = reader.read("I'm 30 weeks pregnant").values()
    assert "history_days" not in values


@pytest.mark.parametrize(
    ("text", "finding_id"),
    [
        ("I take furosemide", "drug_loop_diuretic"),
        ("on atorvastatin", "drug_statin"),
        ("on simvastatin", "drug_statin"),
        ("I take sertraline", "drug_serotonergic"),
        ("citalopram daily", "drug_serotonergic"),
        ("I started tramadol", "drug_serotonergic"),
        ("my water tablet", "drug_diuretic"),
        ("a salbutamol inhaler", "drug_beta_agonist"),
        ("I take haloperidol", "drug_antipsychotic"),
    ],
)
def test_drug_names_map_to_classes(reader: Reader, text: str, finding_id: str) -> None:
    assert states(reader, text).get(finding_id) is P


@pytest.mark.parametrize(
    ("text", "finding_id"),
    [
        ("diarrhoea", "diarrhoea"),
        ("diarrhea", "diarrhoea"),
        ("feeling nauseous", "nausea"),
        ("it's paralysed", "paralysis"),
        ("it's paralyzed", "paralysis"),
        ("tea-coloured pee", "dark_urine"),
        ("tea-colored pee", "dark_urine"),
    ],
)
def test_british_and_american_spelling(reader: Reader, text: str, finding_id: str) -> None:
    assert states(reader, text).get(finding_id) is P


@pytest.mark.parametrize(
    ("text", "finding_id"),
    [
        ("it happens at night", "at_night"),
        ("during a run", "exertion"),
        ("while resting on the couch", "at_rest"),
        ("my left calf", "side_left"),
        ("my right calf", "site_calf"),
        ("both legs", "both_sides"),
    ],
)
def test_timing_site_and_side(reader: Reader, text: str, finding_id: str) -> None:
    assert states(reader, text).get(finding_id) is P


def test_right_now_is_not_the_right_side(reader: Reader) -> None:
    assert "side_right" not in states(reader, "It hurts right now.")


def test_every_finding_keeps_its_text_span(reader: Reader) -> None:
    text = "Since Tuesday my left calf is swollen, but I’m not short of breath."
    reading: Reading = reader.read(text)
    assert reading.findings
    for item in reading.findings:
        assert text[item.start : item.end] == item.text


def test_batch_reads_like_single(reader: Reader) -> None:
    texts = ["calf cramp at night", "no swelling", "twitching eyelid for 3 days"]
    assert [r.states() for r in reader.read_many(texts)] == [reader.read(t).states() for t in texts]


# ---------------------------------------------------------------- lists, typos, other durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # every item of a denial list is denied, whatever joins it
        (
            "calf cramp, no swelling, redness, or numbness",
            {"swelling": A, "redness": A, "numbness": A},
        ),
        ("i dont have a temperature or a headache", {"fever": A, "headache": A}),
        ("it isn't swollen, red or hot, just a cramp", {"swelling": A, "redness": A}),
        ("my calf is neither swollen nor tender", {"swelling": A}),
        # the list ends at its last item: what follows the next comma is said
        (
            "nothing like chest pain or breathlessness, calf cramp",
            {"chest_pain": A, "breathless": A, "sustained_contraction": P, "site_calf": P},
        ),
        ("no fever, calf cramp since yesterday", {"fever": A, "sustained_contraction": P}),
        ("fever, chills or sweats: none. calf cramp", {"fever": A, "sweating": A}),
        # an inability ("can't straighten") denies the action; what follows "and" is said
        ("thighs cramped cant straighten legs and pee looks like coke", {"dark_urine": P}),
        ("i can't see any swelling or redness", {"swelling": A, "redness": A}),
    ],
)
def test_a_denial_reaches_every_item_of_its_list_and_no_further(
    reader: Reader, text: str, expected: dict[str, FindingState]
) -> None:
    found = states(reader, text)
    for finding_id, state in expected.items():
        assert found.get(finding_id) is state, (text, found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a finding said in negative words keeps its polarity: an answer before it, a
        # doubled negation or a denial's list does not take it back
        ("calf cramp for 35 minutes, no it is not easing", {"cramp_not_easing": P}),
        ("rubbing it dont help none", {"home_care_failed": P}),
        ("no fever and it is not easing", {"fever": A, "cramp_not_easing": P}),
        # a negation with another finding between denies that finding and what it says
        ("no tummy pain that won't go away", {"cramp_not_easing": A}),
    ],
)
def test_a_finding_said_in_negative_words_is_not_negated_again(
    reader: Reader, text: str, expected: dict[str, FindingState]
) -> None:
    found = states(reader, text)
    for finding_id, state in expected.items():
        assert found.get(finding_id) is state, (text, found)


@pytest.mark.parametrize(
    "text",
    [
        "calf cramp after a 9-hour shift",
        "cramp in my calf during a 6 hour drive",
        "3 hours of hiking and then my calf cramped",
    ],
)
def test_the_length_of_something_else_is_not_the_cramps(reader: Reader, text: str) -> None:
    assert "episode_minutes" not in reader.read(text).values()


def test_the_cramps_own_length_is_still_read(reader: Reader) -> None:
    values = reader.read("after a 6 hour drive my calf cramped for 20 minutes").values()
    assert values["episode_minutes"] == 20


@pytest.mark.parametrize(
    ("text", "finding_id", "written", "read_as"),
    [
        ("my calf is swolen", "swelling", "swolen", "swollen"),
        ("my eyelid keeps twiching", "twitching", "twiching", "twitching"),
        ("my hand went nunb", "numbness", "nunb", "numb"),
        ("cramp in my legg", "site_leg", "legg", "leg"),
    ],
)
def test_a_misspelt_word_is_read_and_the_correction_shown(
    reader: Reader, text: str, finding_id: str, written: str, read_as: str
) -> None:
    reading = reader.read(text)
    assert reading.states().get(finding_id) is P, reading
    assert [(c.written, c.read_as) for c in reading.corrections] == [(written, read_as)]


@pytest.mark.parametrize(
    "text",
    [
        "my glutes are sore after leg day",  # not "slures"
        "i fell on the stairs",  # a real word is never changed
        "my calf cramped",
    ],
)
def test_real_words_are_not_corrected(reader: Reader, text: str) -> None:
    assert reader.read(text).corrections == ()


def test_a_hedged_danger_sign_counts_and_is_marked_not_sure(reader: Reader) -> None:
    reading = reader.read("calf cramp since the flight, could be a little swollen?")
    assert reading.states()["swelling"] is P
    assert reading.hedged() == {"swelling"}
    assert "sustained_contraction" not in reading.hedged()


@pytest.mark.parametrize(
    ("text", "finding_id"),
    [
        ("her legs felt 'heavy' on the stairs", "weakness"),  # quotation marks
        ("my calf  cramps", "sustained_contraction"),  # a phone's double space
        ("no\u200b swelling", "swelling"),  # an invisible character
    ],
)
def test_quotes_spaces_and_invisible_characters_do_not_split_a_phrase(
    reader: Reader, text: str, finding_id: str
) -> None:
    reading = reader.read(text)
    assert finding_id in reading.states(), reading
    for item in reading.findings:
        assert text[item.start : item.end] == item.text  # offsets are the person's own


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("had my thyroid out 2 days ago. since this morning my lips tingle", False),
        ("my calf has cramped on and off for 2 days", True),
        ("my back went into spasm; it started seven weeks ago after gardening", True),
    ],
)
def test_a_duration_times_what_its_clause_is_about(reader: Reader, text: str, kept: bool) -> None:
    assert ("history_days" in reader.read(text).values()) is kept


@pytest.mark.parametrize(
    "text",
    [
        "desk job, 10 hours a day, and my neck is in a knot",
        "started a 30-day challenge and my stomach cramped",
    ],
)
def test_a_length_per_period_or_of_a_programme_is_not_the_episode(
    reader: Reader, text: str
) -> None:
    values = reader.read(text).values()
    assert "episode_minutes" not in values and "history_days" not in values


def test_a_cold_drink_is_not_a_cold_limb(reader: Reader) -> None:
    assert "pale_cold_limb" not in reader.read("eyelid flickering, living on cold brew").states()


def test_the_side_compared_with_is_not_the_affected_side(reader: Reader) -> None:
    found = states(reader, "my left calf is noticeably fatter than the right one")
    assert found.get("side_left") is P and found.get("swelling") is P
    assert "side_right" not in found


@pytest.mark.parametrize(
    ("text", "present", "not_present"),
    [
        # what an onlooker saw of a seizure, in other grammar
        ("He bite his tongue and his eyes go up.", "seizure", "site_eyelid"),
        ("She not answer me when I call her name.", "confusion", "seizure"),
        # a hard shin is a tight muscle; only a hard belly is a rigid abdomen
        ("His shin feels hard as a board.", "tightness", "abdominal_rigidity"),
        ("My stomach muscles went hard as a board after the bite.", "abdominal_rigidity", "pain"),
        # a blow is an injury, not a crush
        ("Took a helmet to the shin at practice.", "recent_injury", "crush_injury"),
        ("I cant fall asleep most nights.", "sleep_disrupted", "recent_fall"),
        # passing little urine is not dark urine
        ("She hasnt peed since last night.", "little_urine", "dark_urine"),
        ("He is always thirsty and peeing all the time.", "excessive_thirst", "little_urine"),
        ("Got stung by a scorpion in the garage.", "scorpion_sting", "spider_bite"),
    ],
)
def test_lay_words_for_findings(reader: Reader, text: str, present: str, not_present: str) -> None:
    read = states(reader, text)
    assert read.get(present) is FindingState.PRESENT, read
    assert read.get(not_present) is not FindingState.PRESENT, read


def test_a_temperature_someone_is_running_is_a_temperature(reader: Reader) -> None:
    reading = reader.read("Now I'm running 101 and my back spasms.")
    values = {f.finding_id: f.value for f in reading.findings if f.value is not None}
    assert values.get("temperature_c") == pytest.approx(38.3, abs=0.1)


def test_a_negation_that_is_not_about_answering_is_not_unresponsiveness(reader: Reader) -> None:
    read = states(reader, "I have no trouble sleeping. The cramp doesn't affect my sleep.")
    assert read.get("confusion") is not FindingState.PRESENT
    assert read.get("sleep_disrupted") is not FindingState.PRESENT


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("heart rate 130 on my watch", 130.0),
        ("my pulse is 88 right now", 88.0),
        ("the watch said 142 bpm", 142.0),
    ],
)
def test_a_heart_rate_is_read_as_beats_a_minute(reader: Reader, text: str, value: float) -> None:
    values = {f.finding_id: f.value for f in reader.read(text).findings if f.value is not None}
    assert values.get("heart_rate_bpm") == value


def test_walking_as_if_drunk_and_a_spinning_room_are_read(reader: Reader) -> None:
    read = states(reader, "I'm walking like I'm drunk and the room started spinning.")
    assert read.get("loss_of_balance") is FindingState.PRESENT
    assert read.get("dizziness") is FindingState.PRESENT


@pytest.mark.parametrize(
    ("text", "not_read"),
    [
        ("I can't breathe right when it grips.", "side_right"),
        ("Farm hand here, my calf cramps after baling.", "site_hand"),
        ("I got all wound up about work and my eyelid twitches.", "recent_wound"),
        ("She ran a fever last week and now her calf cramps.", "exertion"),
    ],
)
def test_words_in_other_senses_are_not_findings(reader: Reader, text: str, not_read: str) -> None:
    assert states(reader, text).get(not_read) is not FindingState.PRESENT


@pytest.mark.parametrize(
    ("text", "finding_id", "state"),
    [
        ("He quit his blood thinner last month.", "anticoagulant", FindingState.ABSENT),
        ("She came off her water pill in May.", "drug_diuretic", FindingState.ABSENT),
        ("He quit sweating and feels hot.", "hot_dry_skin", FindingState.PRESENT),
    ],
)
def test_stopping_a_medicine_or_sweating(
    reader: Reader, text: str, finding_id: str, state: FindingState
) -> None:
    assert states(reader, text).get(finding_id) is state


@pytest.mark.parametrize(
    ("text", "finding_id"),
    [
        ("It's been 3 hours and she can't take even 4 steps on it.", "cannot_bear_weight"),
        ("My legs feel like heavy rubber and I can barely push up out of the chair.", "weakness"),
        ("I pulled a muscle in my arm shoveling.", "muscle_soreness"),
    ],
)
def test_what_a_person_cannot_do_is_read(reader: Reader, text: str, finding_id: str) -> None:
    assert states(reader, text).get(finding_id) is FindingState.PRESENT


@pytest.mark.parametrize(
    "text",
    [
        "My calf cramped for three hours; I'm 45.",
        "Chris is 52 and fine.",
        "A 2 hr drive, then 100 miles.",
    ],
)
def test_a_cue_inside_another_word_names_no_number(reader: Reader, text: str) -> None:
    read = {f.finding_id for f in reader.read(text).findings if f.value is not None}
    assert "heart_rate_bpm" not in read and "temperature_c" not in read
