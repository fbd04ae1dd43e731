"""Descriptions in Spanish: the Spanish reader, language detection, and the case sets
written in Spanish by independent bilingual writers (``es/es_a``, ``es/es_b``,
``es/es_d``, ``es/es_e``, ``es/es_f``, ``es/es_h``, 40 each).

Before the Spanish reader, es_a and es_b were read by the English one: exact urgency
11/40 and 14/40, emergencies 0/10 and 0/10, kind 15/40 and 16/40. es_d (Mexican and
Central American text messages, some Spanglish) was first read by the Spanish reader at
exact urgency 25/40, emergencies 6/10, kind 29/40. They are development sets (the
Spanish words were added on their kinds of failure), so the figures asserted here are
regression floors, not evidence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crampcheck.domain.types import FindingState
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.reader_language import missing_phrasings
from crampcheck.nlp.language import in_neither, languages_of
from crampcheck.services.pipeline import Pipeline
from tests.reading_eval import score

CASES = Path(__file__).parents[1] / "reading_cases" / "es"

# exact urgency, kind (out of 40 each); every emergency caught
FLOORS = {
    "es_a": (37, 37),
    "es_b": (36, 37),
    "es_d": (36, 39),
    "es_e": (34, 33),
    "es_f": (38, 33),
    "es_h": (37, 36),
}
# Emergencies the rules, not the reading, leave at a lower level: esd-003's hand spasms
# and tingling lips after a thyroidectomy are read, but the emergency rule for low
# calcium asks for a tight throat or a seizure (the same text in English is urgent too).
RULE_GAPS = {"es_d": {"esd-003"}, "es_e": {"ese-006"}}
# es_e (Caribbean, South American and older speakers, a third relatives) was kept
# untouched while es_d was tuned on: 22/40 (emergencies 9/10) before the day's changes
# and 28/40 (9/10) after; its one emergency missed is the same rule gap as esd-003.
# A fresh set of 40 (es_f, kept out of the repository: Spanglish, young Utah Hispanics
# on a phone), first read at 34/40 (emergencies 9/10, under-triage 3, kind 30/40), gave
# the next kinds of failure: lay words for a stroke, weakness, claudication, thirst; a
# comma ending a negation; "ni se mueve nada más de la cara"; a denial after "en la
# noche". 38/40 (10/10, none under-triaged, kind 33/40) after.
# A second fresh set (es_h: Caribbean and South American Spanish, many about a relative)
# was first read at 33/40 (emergencies 10/10, under-triage 2, kind 30/40); its kinds of
# failure: an age said alone ("mi marido, 52 años") read as how long the problem has
# lasted; a hand curled like a claw, a "garganta apretá" and a whistle on breathing; a
# child who will not put the heels down; "le cuesta levantar el pie"; ants under the
# skin read as restless legs; an eye that trembles; "cada día un poquito mejor" as
# frequent; the length of a climb or of time at home as the episode's. 39/40 (10/10,
# none under-triaged, kind 37/40) after; es_f, tuned on before, is 39/40 (kind 33/40).
# Their remaining misses are the rules' (the same texts in English get the same answer):
# a statin with cramps and no weakness is urgent, tetanus and serotonin syndrome are
# given a kind of cramp or spasm, and scare-quoted 'calambres' after a long hike.
# The same kinds, with a knotted or locked muscle, waking with a wry neck, jumps in the
# limbs and "no se orina" (no wetting oneself), took es_a to 37/40 (kind 37), es_b to
# 36/40 (kind 37), es_e to 36/40 (kind 34). esb-026's morning jerks are now read as
# twitching with poor sleep, which the rules send home as harmless twitching (as they
# do in English): a rule gap, one level under.
# A safety review of the day's reading changes then restored readings that had been
# narrowed too far ("muchísimo" alone is severe pain again, time spent cooling down
# counts as the episode's, "dice que eso ..." is a report, not a guess): a few of these
# sets' cases went one level over, which is why their floors sit below the figures
# above. es_g (older speakers and relatives from Mexico, Central America, the Caribbean
# and South America, voice notes) was kept untouched through all of it: 30/40
# (emergencies 8/10, under-triage 5, one by two levels, kind 29/40) before the day's
# changes and 34/40 (9/10, under-triage 2, one by two levels, kind 31/40) after - the
# honest figure; it has no floor here.


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_spanish_development_sets_do_not_fall_back(pipeline: Pipeline, name: str) -> None:
    del pipeline
    figures = score(CASES / f"{name}.jsonl")
    exact, kind = FLOORS[name]
    misses = "\n".join(str(m) for m in figures["misses"])
    missed = {
        m["id"]
        for m in figures["misses"]
        if m["urgency"].startswith("emergency -> ") and m["urgency"] != "emergency -> emergency"
    }
    assert missed <= RULE_GAPS.get(name, set()), misses
    assert figures["exact_urgency"] >= exact, misses
    assert figures["kind_correct"] >= kind, misses


def _states(pipeline: Pipeline, text: str) -> dict[str, FindingState]:
    return pipeline.check_text(text).reading.states()  # type: ignore[union-attr]


def test_spanish_negation_lists_hypotheticals_and_other_people(pipeline: Pipeline) -> None:
    said = _states(pipeline, "Tengo calambres en la pantorrilla, sin fiebre ni hinchazón")
    assert said["sustained_contraction"] is FindingState.PRESENT
    assert said["fever"] is FindingState.ABSENT
    assert said["swelling"] is FindingState.ABSENT
    said = _states(pipeline, "no tengo dolor de pecho ni me falta el aire, solo el calambre")
    assert said["chest_pain"] is FindingState.ABSENT
    assert said["breathless"] is FindingState.ABSENT
    assert said["sustained_contraction"] is FindingState.PRESENT
    said = _states(
        pipeline, "me da calambre en la noche, pero no fiebre, aunque la pierna está hinchada"
    )
    assert said["swelling"] is FindingState.PRESENT
    reading = pipeline.check_text("tengo calambres; por si me da fiebre, qué hago?").reading
    assert reading is not None and "fever" not in reading.states()


def test_words_typed_without_accents_and_durations_in_words(pipeline: Pipeline) -> None:
    reading = pipeline.check_text(
        "se me acalambro el chamorro hace dos dias y la hinchazon no baja, respiracion normal"
    ).reading
    assert reading is not None
    said = reading.states()
    assert said["sustained_contraction"] is FindingState.PRESENT
    assert said["site_calf"] is FindingState.PRESENT
    assert said["swelling"] is FindingState.PRESENT
    assert reading.values()["history_days"] == 2


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("me falta el aire desde hace rato", "breathless"),
        ("a mi papá se le cayó la cara de un lado", "face_droop"),
        ("habla arrastrada desde hace media hora", "slurred_speech"),
        ("la pierna fría y pálida", "pale_cold_limb"),
        ("orina color coca-cola después del entrenamiento", "dark_urine"),
        ("le dio una convulsión", "seizure"),
        ("no puede abrir la boca, rigidez de la mandíbula", "jaw_stiffness"),
        ("está confundido, no sabe dónde está", "confusion"),
        ("se me duerme la parte de las nalgas", "saddle_numbness"),
        ("no he podido orinar bien, siento la vejiga llena y no sale", "bladder_bowel_change"),
        ("dice puras cosas sin sentido", "confusion"),
        ("ya no está sudando y está bien caliente de la piel", "hot_dry_skin"),
        ("me cayó un bloque de concreto en la espinilla", "crush_injury"),
        ("los ojos se le van para arriba", "dystonic_spasm"),
    ],
)
def test_emergency_signs_in_common_spanish(pipeline: Pipeline, text: str, finding: str) -> None:
    assert _states(pipeline, text).get(finding) is FindingState.PRESENT


def test_language_of_a_text() -> None:
    assert languages_of("tengo calambres en la pierna por la noche desde el lunes") == ("es",)
    assert languages_of("my calf cramped last night and it still hurts a lot") == ("en",)
    assert languages_of("tengo un cramp en la pierna and it won't stop, me duele mucho") == (
        "en",
        "es",
    )
    assert in_neither("j'ai une crampe au mollet depuis hier soir, ça fait très mal")
    assert not in_neither("me falta el aire")


def test_spanglish_is_read_both_ways_and_a_third_language_is_said_to_be_neither(
    pipeline: Pipeline,
) -> None:
    reading = pipeline.check_text("my calf cramped last night, y ahora me falta el aire").reading
    assert reading is not None
    assert reading.states()["breathless"] is FindingState.PRESENT
    reading = pipeline.check_text(
        "j'ai une crampe au mollet depuis hier soir, ça fait très mal"
    ).reading
    assert reading is not None and reading.languages == () and not reading.findings


def test_every_emergency_finding_has_spanish_phrases(kb: KnowledgeBase) -> None:
    assert [m for m in missing_phrasings(kb, "es") if m[0] != "other"] == []


@pytest.mark.parametrize(
    ("text", "not_read"),
    [
        # the English speller would read "concreto" as a stimulant medicine, "puso" as pus
        ("Me cayo un bloque de concreto en la pierna y se puso bien dura", "drug_stimulant"),
        ("Me cayo un bloque de concreto en la pierna y se puso bien dura", "pus_or_discharge"),
        # "nada" is English slang for "nothing helps" only in English
        ("se me duerme la entrepierna como si estuviera sentado en nada", "cramp_not_easing"),
    ],
)
def test_english_words_are_not_read_into_a_spanish_text(
    pipeline: Pipeline, text: str, not_read: str
) -> None:
    assert not_read not in _states(pipeline, text)


def test_a_batch_reads_a_spanish_text_as_a_single_check_does(pipeline: Pipeline) -> None:
    # English is read beside Spanish in both paths: "chest pain" is English here
    text = "Jose Maria Lopez, tiene calambres en la pierna y chest pain desde anoche"
    one = pipeline.check_text(text, 60, None)
    batch = pipeline.check_texts([(text, 60, None)])[0]
    assert batch.assessment.urgency is one.assessment.urgency
    assert batch.reading is not None and one.reading is not None
    assert batch.reading.states() == one.reading.states()
    assert "chest_pain" in one.reading.states()


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # an object pronoun between a phrase's words leaves the phrase what it was
        ("ahorita ya no nos contesta bien", "confusion", FindingState.PRESENT),
        ("desde ayer no lo puedo mover", "paralysis", FindingState.PRESENT),
        ("las 2 piernas las siento débiles", "both_legs", FindingState.PRESENT),
        # but not before a verb it changes: how one feels, a cramp that does not wake one
        ("tengo calambres pero no me siento débil", "numbness", None),
        ("el calambre no me despierta en la noche", "confusion", None),
        ("se me cayó una tarima encima de la pierna", "recent_fall", None),
    ],
)
def test_pronouns_between_the_words_of_a_spanish_phrase(
    pipeline: Pipeline, text: str, finding: str, state: FindingState | None
) -> None:
    assert _states(pipeline, text).get(finding) is state


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("tengo 45 años y me dan calambres en la noche", None),
        ("mi compa tiene como 30 años, le dieron calambres", None),
        ("un señor de 60 años con calambres en el chamorro", None),
        ("tengo 3 años con este calambre en la pierna", 3 * 365),
        ("me dan calambres desde hace 2 años", 2 * 365),
        # an age said alone between a clause's ends
        ("Se me acalambró el muslo jugando fútbol. 27 años.", None),
        ("mi suegra, 71 años, tiene calambres en los pies", None),
        ("41 años, hombre. Calambres en la pantorrilla", None),
        ("calambres en el pie, tengo 2 años así", 2 * 365),
        ("calambres en el pie hace 2 años, cada vez peor", 2 * 365),
    ],
)
def test_an_age_in_years_is_no_duration(pipeline: Pipeline, text: str, days: int | None) -> None:
    reading = pipeline.check_text(text).reading
    assert reading is not None
    value = reading.values().get("history_days")
    assert (value is None) if days is None else (value is not None and round(value) == days)


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a phrase that says its own negation is not denied by another negation
        ("no tengo fiebre y no se quita el calambre", "cramp_not_easing", FindingState.PRESENT),
        ("no tengo fiebre y no se quita el calambre", "fever", FindingState.ABSENT),
        ("ya no aguanto, el calambre no se quita", "cramp_not_easing", FindingState.PRESENT),
        ("tengo el calambre hace rato y no, no se quita", "cramp_not_easing", FindingState.PRESENT),
        # whatever pronoun stands in it, "no se quita" is a cramp that does not ease
        ("me dio un calambre y no se me quita", "cramp_not_easing", FindingState.PRESENT),
        ("el calambre no se le quita con nada", "cramp_not_easing", FindingState.PRESENT),
        ("las pastillas no le hacen nada", "pain_unrelieved", FindingState.PRESENT),
        # a word of a phrase in another sense
        ("no se me mueve nada más de la cara", "paralysis", None),
        ("no siento hormigueo en los brazos", "numbness", None),
        ("no siento hormigueo en los brazos", "tingling", FindingState.ABSENT),
        ("tuve una caída la semana pasada", "drooping", None),
    ],
)
def test_spanish_negative_phrases(
    pipeline: Pipeline, text: str, finding: str, state: FindingState | None
) -> None:
    assert _states(pipeline, text).get(finding) is state


def test_a_calf_cramp_not_easing_for_half_an_hour_is_urgent_in_both_languages(
    pipeline: Pipeline,
) -> None:
    spanish = pipeline.check_text(
        "tengo un calambre en la pantorrilla desde hace 35 minutos y no se quita con nada",
        45,
        None,
    )
    english = pipeline.check_text(
        "I have had a calf cramp for 35 minutes and it won't go away with anything", 45, None
    )
    assert spanish.assessment.urgency is english.assessment.urgency
    assert spanish.assessment.urgency.value == "urgent"


def test_no_spanish_phrase_names_two_findings(pipeline: Pipeline) -> None:
    assert pipeline.reader_in("es").clashing_phrases() == []


@pytest.mark.parametrize(
    ("text", "finding", "value"),
    [
        # numbers in words, with "y" between tens and units, and half a unit more
        ("el calambre lleva veinte minutos", "episode_minutes", 20),
        ("hace veinticinco minutos que tengo el calambre", "episode_minutes", 25),
        ("el calambre lleva como treinta y cinco minutos", "episode_minutes", 35),
        ("el calambre lleva unos veinte minutos", "episode_minutes", 20),
        ("el calambre lleva una hora y media", "episode_minutes", 90),
        ("el calambre lleva dos horas y media", "episode_minutes", 150),
        ("lleva media hora el calambre en la pierna", "episode_minutes", 30),
        ("ya van 20 minutos con el calambre", "episode_minutes", 20),
        ("me dio un calambre hace un rato y no se quita", "episode_minutes", 15),
        # days named without a number
        ("tengo la pierna hinchada desde antier", "history_days", 2),
        ("tengo la pierna hinchada desde anteayer", "history_days", 2),
        ("tengo la pierna hinchada desde el fin de semana", "history_days", 2),
        ("tengo calambres desde hace dos semanas y media", "history_days", 17.5),
        # a temperature, a heart rate, named by the Spanish words around the number
        ("tengo 39 de fiebre y calambres", "temperature_c", 39),
        ("tengo fiebre de 39.5 grados", "temperature_c", 39.5),
        ("el termómetro marcó treinta y nueve punto cinco de fiebre", "temperature_c", 39.5),
        ("tengo el corazón a 130 y calambres", "heart_rate_bpm", 130),
        ("traigo el pulso en 120", "heart_rate_bpm", 120),
        ("hacía 40 grados afuera y me dieron calambres", "ambient_temperature_c", 40),
    ],
)
def test_spanish_durations_and_measures(
    pipeline: Pipeline, text: str, finding: str, value: float
) -> None:
    reading = pipeline.check_text(text).reading
    assert reading is not None
    assert reading.values().get(finding) == pytest.approx(value, abs=0.01), reading.values()


@pytest.mark.parametrize(
    ("text", "not_read"),
    [
        # a weather temperature is no fever, a child's age no duration, the time of an
        # operation or a class not how long the problem has lasted
        ("trabajé en el campo con 40 grados y me dieron calambres", "temperature_c"),
        ("tengo un bebé de 2 meses y me brinca el ojo", "history_days"),
        ("tengo 6 meses de embarazo y calambres en la noche", "history_days"),
        ("me quitaron la tiroides hace 2 días. hoy tengo hormigueo en la boca", "history_days"),
        ("hice una clase de spinning de 90 minutos el sábado. hoy me duelen", "episode_minutes"),
    ],
)
def test_spanish_numbers_that_measure_something_else(
    pipeline: Pipeline, text: str, not_read: str
) -> None:
    reading = pipeline.check_text(text).reading
    assert reading is not None
    assert not_read not in reading.values()


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # findings not read in Spanish before
        ("tiene la panza dura como tabla", "abdominal_rigidity", FindingState.PRESENT),
        ("la herida del pie le sale pus", "pus_or_discharge", FindingState.PRESENT),
        ("tengo una herida en el pie que no sana", "non_healing_sore", FindingState.PRESENT),
        ("me zumban los oídos", "tinnitus", FindingState.PRESENT),
        ("a veces el ojo se me cierra completo solito", "eye_closing", FindingState.PRESENT),
        ("tengo cólicos menstruales", "gut_cramps", FindingState.PRESENT),
        ("se le acabó el baclofeno hace dos días", "baclofen_stopped", FindingState.PRESENT),
        ("la pipí está amarillo oscuro", "concentrated_urine", FindingState.PRESENT),
        # a finding said first and then denied at the end of its clause
        ("Calentura no tengo.", "fever", FindingState.ABSENT),
        ("debilidad no tengo, subo las escaleras bien", "weakness", FindingState.ABSENT),
        ("fiebre tampoco", "fever", FindingState.ABSENT),
        ("tengo calambre no tengo fiebre", "sustained_contraction", FindingState.PRESENT),
        ("falta de aire no... bueno un poquito", "breathless", FindingState.PRESENT),
        # what a person cannot do with a body part does not deny the part
        ("no puedo abrir bien la boca", "site_face", FindingState.PRESENT),
        # words in another sense: toes are not fingers, rubbing alcohol is no drinking,
        # "ganas de vomitar" is nausea and no vomiting, a suggestion is no finding
        ("la pierna fría y no siento bien los dedos", "site_hand", None),
        ("me está dando masajes con alcohol en la pierna", "heavy_alcohol", None),
        ("mi hija dice que me ponga alcohol en la pierna", "heavy_alcohol", None),
        ("estoy sudando frío y con ganas de vomitar", "vomiting", None),
        ("estoy sudando frío y con ganas de vomitar", "nausea", FindingState.PRESENT),
    ],
)
def test_spanish_findings_and_their_senses(
    pipeline: Pipeline, text: str, finding: str, state: FindingState | None
) -> None:
    assert _states(pipeline, text).get(finding) is state


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # falling asleep is no numbness; a jerk as one falls asleep is a sleep start
        ("cuando me estoy quedando dormido brinco todo", "numbness", None),
        ("cuando me estoy quedando dormido brinco todo", "sleep_start_jerk", FindingState.PRESENT),
        ("no me baja dolor a las piernas, nada dormido", "numbness", FindingState.ABSENT),
        # heat as a treatment is no hot place
        ("con ibuprofeno y calor mejora un poco", "hot_environment", None),
        ("el corazón me va a mil", "palpitations", FindingState.PRESENT),
    ],
)
def test_spanish_words_in_another_sense(
    pipeline: Pipeline, text: str, finding: str, state: FindingState | None
) -> None:
    assert _states(pipeline, text).get(finding) is state


@pytest.mark.parametrize(
    "text",
    [
        # the length of a shift, a drive or a journey is not the episode's
        "trabajo turnos de 12 horas levantando pacientes y me duele la espalda",
        "manejo camión 10 horas diarias y me duele la pierna",
    ],
)
def test_the_length_of_something_else_is_not_the_episode_in_spanish(
    pipeline: Pipeline, text: str
) -> None:
    reading = pipeline.check_text(text).reading
    assert reading is not None and "episode_minutes" not in reading.values()


def test_a_cramp_that_comes_with_writing_by_hand_sees_a_doctor(pipeline: Pipeline) -> None:
    """Writer's cramp (a focal dystonia) said in Spanish: a doctor, not home care."""
    text = (
        "cada vez que escribo a mano mas de unos minutos la mano derecha se me engarrota,"
        " me pasa hace como medio año. cuando no escribo la mano esta normal"
    )
    result = pipeline.check_text(text, 20, None)
    assert result.reading is not None
    assert result.reading.states().get("task_specific") is FindingState.PRESENT
    assert result.assessment.urgency.value == "doctor"


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # "no puedo hablar (bien)" is trouble speaking, a stroke sign, in a list too
        (
            "no me duele nada, pero no puedo hablar bien y se me cayó la cara de un lado",
            "emergency",
        ),
        ("me quedo dormido y se me duerme la cara y no puedo hablar", "emergency"),
        # but not when there is no time to talk
        (
            "tengo calambre en la pantorrilla, no puedo hablar mucho porque estoy en el trabajo",
            "self_care",
        ),
    ],
)
def test_cannot_speak_in_spanish(pipeline: Pipeline, text: str, urgency: str) -> None:
    assert pipeline.check_text(text, 60, None).assessment.urgency.value == urgency


def test_a_danger_sign_after_si_typed_without_its_accent_is_read_as_said(
    pipeline: Pipeline,
) -> None:
    # "sí" (yes) typed as "si" (if): a danger sign is never set aside by it
    states = _states(pipeline, "dolor de pecho no tengo, pero si me falta el aire")
    assert states.get("breathless") is FindingState.PRESENT
    # a plain "if" still sets aside what is not a danger sign
    assert "fever" not in _states(pipeline, "si tengo fiebre puedo tomar ibuprofeno")


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("me duele la espalda y no siento las piernas", "numbness"),
        ("me duele la espalda y no siento las piernas", "both_legs"),
        ("tampoco puedo respirar bien", "breathless"),
    ],
)
def test_a_negative_phrase_and_plural_legs_are_read(
    pipeline: Pipeline, text: str, finding: str
) -> None:
    assert _states(pipeline, text).get(finding) is FindingState.PRESENT


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a stroke said the way a relative sees it: the speech by how it sounds, the face
        # by how it hangs ("caída" of a face is no fall)
        ("mi esposo habla muy enredado desde hace rato", "slurred_speech", FindingState.PRESENT),
        ("la boca se le ve chueca de un lado", "face_droop", FindingState.PRESENT),
        ("tiene la cara caída de un lado", "recent_fall", None),
        # weakness by what the person can no longer do; the foot that drops is a place too
        ("ya no puede con su alma", "weakness", FindingState.PRESENT),
        ("no me puedo parar en los talones", "weakness", FindingState.PRESENT),
        ("el pie derecho se me cae al caminar", "weakness", FindingState.PRESENT),
        ("el pie derecho se me cae al caminar", "site_foot", FindingState.PRESENT),
        # claudication: pain on walking that rest relieves
        (
            "cuando camina unas cuadras le duele la pantorrilla",
            "pain_on_walking",
            FindingState.PRESENT,
        ),
        ("se sienta un ratito y se le quita", "relieved_by_rest", FindingState.PRESENT),
        # a denial said after "at night" denies it happens at night
        ("de noche no le duele nada", "at_night", FindingState.ABSENT),
        ("en la noche no le duele, solo de día", "at_night", FindingState.ABSENT),
        # a comma ends a negation's reach; a list still shares it
        ("no lo puedo mover, hormigueo en los dedos", "tingling", FindingState.PRESENT),
        ("no tengo fiebre, hinchazón ni dolor", "swelling", FindingState.ABSENT),
        # "ni ... nada más de la cara": nothing else in the face moves
        ("me brinca el párpado y no se mueve nada más de la cara", "site_face", None),
        ("me brinca el párpado, ni me tiembla nada más de la cara", "site_face", None),
        # how long one sleeps is poor sleep, not the night
        ("estoy durmiendo como 5 horas", "at_night", None),
        ("estoy durmiendo como 5 horas", "poor_sleep", FindingState.PRESENT),
        # a child who will not walk; a thirsty child up at night to pee, losing weight
        ("el niño no quiere caminar desde ayer", "cannot_bear_weight", FindingState.PRESENT),
        ("toma agua a toda hora", "excessive_thirst", FindingState.PRESENT),
        ("se levanta dos veces en la noche a orinar", "passing_urine_often", FindingState.PRESENT),
        ("ha bajado de peso aunque come bien", "weight_loss", FindingState.PRESENT),
    ],
)
def test_spanish_lay_words_and_modifiers(
    pipeline: Pipeline, text: str, finding: str, state: FindingState | None
) -> None:
    assert _states(pipeline, text).get(finding) is state


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a cramp typed with an n before the b
        ("anoche me dio un calanbre en el muslo", "sustained_contraction", FindingState.PRESENT),
        # a hand that curls like a claw; a knot the Southern Cone calls a contractura
        (
            "los dedos se me quedan encogidos como una garra",
            "sustained_contraction",
            FindingState.PRESENT,
        ),
        ("tengo una contractura en el hombro", "sustained_contraction", FindingState.PRESENT),
        # a tight throat and noisy breathing, Caribbean spelling too; an odd voice is no
        # slurred speech
        ("tiene la garganta apretá desde la mañana", "throat_tight", FindingState.PRESENT),
        ("le sale un pitido cuando respira", "throat_tight", FindingState.PRESENT),
        ("tengo la voz rara y ronca", "slurred_speech", None),
        # a child who will not put the heels down walks on tiptoe
        ("la nena no quiere apoyar el talón", "cannot_bear_weight", FindingState.PRESENT),
        ("el chamaco anda en puntitas desde el lunes", "limp", FindingState.PRESENT),
        # weakness by what is hard to lift; a limb that straightens by itself is no stretch
        ("le cuesta levantar el brazo derecho", "weakness", FindingState.PRESENT),
        ("la rodilla se me estira sola", "stretching_tried", None),
        ("la rodilla se me estira sola", "involuntary_spasm", FindingState.PRESENT),
        # ants under the skin are pins and needles; an urge to move the legs is restless legs
        ("siento como hormigas en las manos", "tingling", FindingState.PRESENT),
        ("siento como hormigas en las manos", "restless_urge", None),
        ("me dan unas ganas tremendas de mover las piernas", "restless_urge", FindingState.PRESENT),
        # an eye or a cheek that trembles or jumps is a twitch
        ("hace un mes me empezó a temblar el párpado", "twitching", FindingState.PRESENT),
        ("tengo unos brincos en la mejilla", "twitching", FindingState.PRESENT),
        # getting better each day is no frequency
        ("me duelen los muslos pero cada día estoy mejor", "frequent", None),
        ("me dan calambres cada día", "frequent", FindingState.PRESENT),
        # not sleeping, and nothing numb
        ("con esos calambres no pego el ojo", "sleep_disrupted", FindingState.PRESENT),
        ("no se le duerme nada, ni las piernas", "sleep_disrupted", None),
        # a muscle that knots or locks; waking with a wry neck is a crick, not a dystonia
        ("tengo la pantorrilla hecha un nudo", "sustained_contraction", FindingState.PRESENT),
        ("se me trabó la pantorrilla subiendo", "sustained_contraction", FindingState.PRESENT),
        ("tiene el cuello trancado", "sustained_contraction", FindingState.PRESENT),
        ("amanecí con el cuello chueco", "sustained_contraction", FindingState.PRESENT),
        ("amanecí con el cuello chueco", "abnormal_posture", None),
        ("la espalda dura como un palo", "tightness", FindingState.PRESENT),
        # jumps and startles in the limbs; the jerk of falling asleep; a thinner arm
        ("se le brincan las piernas en la tarde", "twitching", FindingState.PRESENT),
        ("le dan como sustos en los brazos", "twitching", FindingState.PRESENT),
        ("cuando se está quedando dormido da un brinco", "sleep_start_jerk", FindingState.PRESENT),
        ("el brazo izquierdo se le ve más flaquito", "wasting", FindingState.PRESENT),
        ("se me botó el vaso de la mano", "weakness", FindingState.PRESENT),
        # no wetting oneself is no lack of urine; the chin to the chest is not the chest
        ("en los ataques no se orina ni se muerde la lengua", "little_urine", None),
        ("puedo tocar el pecho con la barbilla", "site_chest", None),
        ("puede pegar la barbilla al pecho sin dolor", "site_chest", None),
        # the rest of the face that does not move is no paralysis
        ("le brinca el ojo y no se le mueve el resto de la cara", "paralysis", None),
    ],
)
def test_regional_words_and_what_they_deny(
    pipeline: Pipeline, text: str, finding: str, state: FindingState | None
) -> None:
    assert _states(pipeline, text).get(finding) is state


@pytest.mark.parametrize(
    "text",
    [
        "subimos el cerro como 6 horas subiendo y bajando, hoy me duelen las piernas",
    ],
)
def test_the_length_of_a_climb_is_not_the_episode(pipeline: Pipeline, text: str) -> None:
    reading = pipeline.check_text(text).reading
    assert reading is not None and "episode_minutes" not in reading.values()


def test_a_relatives_report_of_what_they_saw_is_still_a_finding(pipeline: Pipeline) -> None:
    # safety first: "dice que eso le duele y no puede respirar" reports symptoms, so a
    # cue such as "dice que eso" is not read as someone else's guess
    said = _states(pipeline, "mi hijo dice que eso le duele mucho y no puede respirar bien")
    assert said.get("breathless") is FindingState.PRESENT
    said = _states(pipeline, "le dio un ataque y se puso tieso")
    assert said.get("seizure") is FindingState.PRESENT
