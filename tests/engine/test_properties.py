"""Properties that must hold for any input, checked with Hypothesis.

- the engine never raises on any structured case, however odd its values;
- the reader and the engine never raise on any text up to the length limit, and every
  finding points at the words it was read from;
- adding a warning sign never lowers the urgency;
- every statement shown cites sources that exist, each with a title and a publisher.

Texts are empty or blank, unicode of every category, control and format characters,
right-to-left marks, emoji, sentences in eleven other languages mixed with English,
phrases from the lexicon with quantities and negations, and texts at (and just over) the
length limit; structured cases take every finding in every state with extreme values.

The default runs are small so the suite stays quick. The ``slow`` tests repeat the
same properties with more than 10,000 examples in all (8,500 cases, 2,000 texts);
nothing deselects them, so ``python3 dev.py test`` and CI run them too (skip them
locally with ``-m "not slow"``).
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampcheck.domain.assessment import Assessment
from crampcheck.domain.types import Case, FindingState, Kind, Sex, Urgency
from crampcheck.engine import answer, assess, next_question
from crampcheck.engine.assess import MAX_CAUSES, MAX_OPEN_QUESTIONS
from crampcheck.knowledge import default_knowledge
from crampcheck.nlp.reader import MAX_TEXT_CHARS, TextTooLongError
from crampcheck.services.pipeline import CheckResult, default_pipeline
from crampcheck.services.serialize import result_to_dict

KB = default_knowledge()
FINDING_IDS = sorted(KB.findings)
NUMERIC_IDS = sorted(
    f.id for f in KB.findings.values() if f.answer == "number" or f.measure is not None
)
WARNING_LEVELS = (Urgency.DOCTOR, Urgency.URGENT, Urgency.EMERGENCY)
WARNING_FINDINGS = sorted(KB.red_flags)

FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def slow(examples: int) -> settings:
    return settings(FAST, max_examples=examples)


# ---------------------------------------------------------------- strategies

numbers = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 9.99, 10.0, 37.9, 38.0, 1e9, -1e9, 1e308]),
    st.sampled_from([-1e308, math.inf, -math.inf, 5e-324]),
    st.integers(min_value=-(10**6), max_value=10**6).map(float),
    st.floats(allow_nan=False),
)


@st.composite
def cases(draw: st.DrawFn, min_present: int = 0) -> Case:
    """A case with random findings in random states, random measured values, age and sex."""
    findings: dict[str, FindingState] = draw(
        st.dictionaries(
            st.sampled_from(FINDING_IDS), st.sampled_from(list(FindingState)), max_size=30
        )
    )
    for finding_id in draw(
        st.lists(st.sampled_from(FINDING_IDS), min_size=min_present, max_size=min_present)
    ):
        findings[finding_id] = FindingState.PRESENT
    values = draw(st.dictionaries(st.sampled_from(NUMERIC_IDS), numbers))
    age = draw(st.none() | st.integers(min_value=0, max_value=120))
    sex = draw(st.none() | st.sampled_from(list(Sex)))
    return Case(age=age, sex=sex, findings=findings, values=values)


control = st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp"])
emoji = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
rtl = st.one_of(
    st.characters(min_codepoint=0x0590, max_codepoint=0x06FF),
    st.sampled_from(["\u200f", "\u202e", "\u202b", "\u2067"]),
)
any_char = st.one_of(st.characters(), control, emoji, rtl)
emptyish = st.sampled_from(
    ["", " ", "\n", "\t", "\r\n", "\x00", "\u200b", "\ufeff", "\u00a0", "\u2028", "   \n\t  "]
)


def _phrase(text: str) -> str:
    """A lexicon phrase as a person might type it (``swell*`` -> ``swelling``)."""
    return " ".join(w[:-1] + "ing" if w.endswith("*") and len(w) > 1 else w for w in text.split())


PHRASES = sorted(
    {_phrase(p) for f in KB.findings.values() for p in (*f.lexicon, *f.denials)}
    | {_phrase(p) for p in KB.lexicon.duration_phrases}
    | set(KB.lexicon.shadows)
)
QUANTITIES = [
    "for 5 minutes",
    "for half an hour",
    "about ten minutes",
    "for three weeks",
    "for 2 days",
    "39.5 C",
    "102 F",
    "a temperature of 38",
    "8/10",
    "pain 10 out of 10",
    "30 weeks pregnant",
    "0 minutes",
    "999999999 hours",
    "-5 minutes",
    "1,5 hours",
]
GLUE = [
    "and",
    "but",
    "my",
    "the",
    "it",
    "then",
    "since yesterday",
    "at night",
    "no",
    "not",
    "denies",
    "without",
    "never",
    "no longer",
    "my father had",
    "my mum has",
    "if it gets",
    "in case of",
    "worried about",
    "ruled out",
    ".",
    ",",
    "!",
    "?",
    ";",
    "\n",
    "...",
    "-",
    "(",
    ")",
    '"',
    "\u2019",
]
phrase_soup = st.lists(
    st.one_of(
        st.sampled_from(PHRASES),
        st.sampled_from(QUANTITIES),
        st.sampled_from(GLUE),
        st.text(any_char, max_size=8),
        st.sampled_from(PHRASES).map(str.upper),
    ),
    max_size=40,
).map(" ".join)


@st.composite
def long_texts(draw: st.DrawFn) -> str:
    """A text just under (or exactly at) the length limit, built from a repeated piece."""
    piece = draw(
        st.one_of(
            phrase_soup.filter(lambda t: t.strip() != ""),
            st.text(any_char, min_size=1, max_size=50),
        )
    )
    length = draw(st.integers(min_value=MAX_TEXT_CHARS - 50, max_value=MAX_TEXT_CHARS))
    return (piece * (length // len(piece) + 1))[:length]


OTHER_LANGUAGES = [
    "Tengo calambres en la pantorrilla por la noche desde hace dos semanas.",
    "J'ai une crampe au mollet, très douloureuse, depuis 10 minutes.",
    "Ich habe seit gestern Wadenkrämpfe und Brustschmerzen.",
    "Estou com cãibra na perna e febre alta.",
    "У меня судороги в ноге уже 20 минут, очень больно.",
    "小腿抽筋，晚上睡觉时很疼，持续了五分钟。",
    "夜中にふくらはぎがつって、痛みが10分続きました。",
    "أعاني من تشنج في عضلة الساق منذ ساعة",
    "मुझे रात में पिंडली में ऐंठन होती है",
    "종아리에 쥐가 나서 너무 아파요",
    "Kramp i leggen, 8/10, for 15 minutter siden.",
]
other_languages = st.lists(
    st.one_of(st.sampled_from(OTHER_LANGUAGES), st.sampled_from(PHRASES), st.sampled_from(GLUE)),
    min_size=1,
    max_size=12,
).map(" ".join)

texts = st.one_of(
    emptyish,
    other_languages,
    st.text(max_size=200),
    st.text(any_char, max_size=300),
    phrase_soup,
    long_texts(),
)


# ---------------------------------------------------------------- checks


def check_assessment(case: Case, result: Assessment) -> None:
    """Invariants every assessment keeps, whatever the case."""
    assert isinstance(result.urgency, Urgency)
    assert isinstance(result.kind, Kind)
    assert result.reasons, "an urgency is always explained"
    assert result.reasons[0].level is result.urgency
    assert all(r.level <= result.urgency for r in result.reasons)
    assert result.action and result.disclaimer
    assert result.kb_version == KB.version
    assert len(result.causes) <= MAX_CAUSES
    assert len(result.open_questions) <= MAX_OPEN_QUESTIONS
    for question in result.open_questions:
        assert question.finding_id in KB.findings
        assert case.state(question.finding_id) is FindingState.UNKNOWN
        if question.could_raise_to is not None:
            assert question.could_raise_to > result.urgency
    check_sources(result)


def check_sources(result: Assessment) -> None:
    """Every rule, cause and advice item cites sources that exist and name their origin."""
    for reason in result.reasons:
        assert reason.source_ids, f"rule {reason.rule_id} cites no source"
        check_cited(reason.source_ids, f"rule {reason.rule_id}")
    for item in result.advice:
        assert item.source_ids, f"advice {item.id} cites no source"
        check_cited(item.source_ids, f"advice {item.id}")
    for cause in result.causes:
        check_cited(cause.source_ids, f"cause {cause.id}")


def check_cited(source_ids: tuple[str, ...], where: str) -> None:
    for source_id in source_ids:
        source = KB.sources.get(source_id)
        assert source is not None, f"{where} cites unknown source {source_id!r}"
        assert source.title.strip(), f"source {source_id} has no title"
        assert source.publisher.strip(), f"source {source_id} has no publisher"


def check_engine(case: Case) -> None:
    """Assess, ask the next question, answer it, and serialise: nothing may raise."""
    result = assess(case, KB)
    check_assessment(case, result)
    data = result_to_dict(CheckResult(case, result), KB)
    json.dumps(data)
    question = next_question(case, KB)
    if question is not None:
        assert question.options
        assert question.text and question.why
        answered = answer(case, question, dont_know=True)
        assert next_question(answered, KB) != question
        check_assessment(answered, assess(answered, KB))


def check_text(text: str) -> None:
    """Read and assess one text: every finding points at its own words in the text."""
    result = default_pipeline().check_text(text)
    assert result.reading is not None
    for item in (*result.reading.findings, *result.reading.ignored):
        assert item.finding_id in KB.findings
        assert 0 <= item.start <= item.end <= len(text)
        assert text[item.start : item.end] == item.text
    for finding in result.reading.findings:
        assert finding.state in (FindingState.PRESENT, FindingState.ABSENT)
        if finding.value is not None:
            assert KB.findings[finding.finding_id].measure is not None
            assert math.isfinite(finding.value)
    check_assessment(result.case, result.assessment)
    data = result_to_dict(result, KB)
    json.dumps(data)
    assert ("notice" in data) == (result.assessment.recognised_findings == 0)


def check_monotone(case: Case, finding_id: str) -> None:
    """Saying yes to a warning sign never lowers the urgency."""
    before = assess(case, KB)
    after = assess(case.with_answers({finding_id: FindingState.PRESENT}), KB)
    rules_before = [r.rule_id for r in before.reasons]
    rules_after = [r.rule_id for r in after.reasons]
    assert after.urgency >= before.urgency, (
        f"adding {finding_id} lowered {before.urgency.value} to {after.urgency.value}; "
        f"rules before: {rules_before}, after: {rules_after}"
    )


# ---------------------------------------------------------------- (a) engine


@FAST
@given(cases())
def test_engine_never_raises(case: Case) -> None:
    check_engine(case)


def test_engine_handles_extreme_values_for_every_measured_finding() -> None:
    for value in (0.0, -1.0, 1e308, -1e308, math.inf, -math.inf):
        check_engine(Case(values=dict.fromkeys(NUMERIC_IDS, value)))
        check_engine(
            Case(
                age=0,
                sex=Sex.FEMALE,
                findings=dict.fromkeys(NUMERIC_IDS, FindingState.ABSENT),
                values=dict.fromkeys(NUMERIC_IDS, value),
            )
        )


def test_engine_handles_every_finding_in_every_state() -> None:
    for state in FindingState:
        for age in (None, 0, 120):
            check_engine(Case(age=age, findings=dict.fromkeys(FINDING_IDS, state)))


# ---------------------------------------------------------------- (b) reader + engine


@FAST
@given(texts)
def test_reader_and_engine_never_raise(text: str) -> None:
    check_text(text)


@FAST
@given(phrase_soup)
def test_reader_on_lexicon_phrases(text: str) -> None:
    check_text(text)


@settings(FAST, max_examples=10)
@given(long_texts())
def test_reader_on_texts_at_the_limit(text: str) -> None:
    assert len(text) <= MAX_TEXT_CHARS
    check_text(text)


@settings(FAST, max_examples=10)
@given(st.integers(min_value=MAX_TEXT_CHARS + 1, max_value=MAX_TEXT_CHARS + 500))
def test_reader_refuses_text_over_the_limit(length: int) -> None:
    with pytest.raises(TextTooLongError):
        default_pipeline().check_text("x" * length)


@settings(FAST, max_examples=15)
@given(st.lists(phrase_soup, min_size=1, max_size=6))
def test_batch_reading_matches_one_at_a_time(batch: list[str]) -> None:
    pipeline = default_pipeline()
    together = pipeline.check_texts([(t, None, None) for t in batch])
    for text, result in zip(batch, together, strict=True):
        alone = pipeline.check_text(text)
        assert result.reading == alone.reading
        assert result.assessment == alone.assessment


# ---------------------------------------------------------------- (c) monotonicity


@FAST
@given(cases(min_present=1), st.sampled_from(WARNING_FINDINGS))
def test_a_warning_sign_never_lowers_the_urgency(case: Case, finding_id: str) -> None:
    check_monotone(case, finding_id)


# ---------------------------------------------------------------- (d) sources


@FAST
@given(cases())
def test_every_citation_resolves(case: Case) -> None:
    check_sources(assess(case, KB))


def test_every_rule_and_advice_item_cites_a_known_source() -> None:
    for rule in KB.rules:
        assert rule.spec.sources, rule.id
        check_cited(rule.spec.sources, f"rule {rule.id}")
    for item in KB.advice:
        assert item.spec.sources, item.spec.id
        check_cited(item.spec.sources, f"advice {item.spec.id}")
        if item.spec.evidence is not None:
            check_cited(item.spec.evidence.sources, f"advice {item.spec.id} evidence")
        for caution in item.spec.cautions:
            check_cited(caution.sources, f"advice {item.spec.id} caution")
    for condition in KB.conditions.values():
        check_cited(condition.sources, f"condition {condition.id}")
    check_cited(KB.policy.sources, "policy")


# ---------------------------------------------------------------- the larger run

# Engine: 6,000 + 1,500 + 1,000 examples; reader and engine: 1,000 + 1,000. 10,500 in all.


@pytest.mark.slow
@slow(6_000)
@given(cases())
def test_engine_never_raises_many(case: Case) -> None:
    check_engine(case)


@pytest.mark.slow
@slow(1_500)
@given(cases(min_present=1), st.sampled_from(WARNING_FINDINGS))
def test_a_warning_sign_never_lowers_the_urgency_many(case: Case, finding_id: str) -> None:
    check_monotone(case, finding_id)


@pytest.mark.slow
@slow(1_000)
@given(cases())
def test_every_citation_resolves_many(case: Case) -> None:
    check_sources(assess(case, KB))


@pytest.mark.slow
@slow(1_000)
@given(texts)
def test_reader_and_engine_never_raise_many(text: str) -> None:
    check_text(text)


@pytest.mark.slow
@slow(1_000)
@given(phrase_soup)
def test_reader_on_lexicon_phrases_many(text: str) -> None:
    check_text(text)
