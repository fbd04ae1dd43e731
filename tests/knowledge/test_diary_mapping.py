"""The diary mapping (diary_mapping.yaml): what a diary episode's answers, and the
diary's escalations, mean as the knowledge base's findings.

It loads and is checked like every other knowledge file (a finding, rule or source it
names must exist), its answers are the diary's own choices, its thresholds agree with the
rules and findings that draw the same line, and the diary pages read it: an episode, a
saved check and the diary's appointment request give the findings they gave when the
mapping was constants in web/pages/diary.py (the expected values below were recorded
from that code before it moved).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from crampcheck.clinic import load_clinic
from crampcheck.domain.diary import EpisodeRecord, Escalation, Patterns
from crampcheck.domain.diary_charts import Counts
from crampcheck.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from crampcheck.knowledge.loader import DATA_PACKAGE
from crampcheck.knowledge.references import DIARY_MAPPING_FILE
from crampcheck.services import diary
from crampcheck.services.diary_checks import episode_check, episode_from_check, patterns_check
from crampcheck.services.pipeline import Pipeline
from crampcheck.web.checking import assessment_payload, run_check
from crampcheck.web.pages.flow import FlowState
from crampcheck.web.state import AppState

NOW = datetime(2025, 1, 30, 12, 0, tzinfo=UTC)


def _data_copy(tmp_path: Path) -> Path:
    from importlib import resources

    target = tmp_path / "data"
    shutil.copytree(Path(str(resources.files(DATA_PACKAGE))), target)
    return target


def _edit(tmp_path: Path, old: str, new: str) -> Path:
    data = _data_copy(tmp_path)
    path = data / DIARY_MAPPING_FILE
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return data


# ---------------------------------------------------------------- loading and checking


def test_the_mapping_loads_with_the_knowledge_base(kb: KnowledgeBase) -> None:
    episode, request = kb.diary_mapping.episode, kb.diary_mapping.request
    assert episode.severe_pain.finding == "pain_severe"
    assert episode.severe_pain.at_least == 7
    assert episode.not_helped.finding == "cramp_not_easing"
    assert episode.activity["sleeping"] == "at_night"
    assert request.frequent.at_least == 3
    assert request.escalations["diary-severe-episodes"] == ("pain_severe",)
    for threshold in (episode.severe_pain, request.frequent, request.recurrent):
        assert threshold.why and threshold.sources
        assert set(threshold.sources) <= set(kb.sources)


def test_the_answers_are_the_diarys_own_choices(kb: KnowledgeBase) -> None:
    episode = kb.diary_mapping.episode
    assert set(episode.feel) <= set(diary.FEELS)
    assert set(episode.feel_of_kind.values()) <= set(diary.FEELS)
    assert set(episode.not_helped.feels) <= set(diary.FEELS)
    assert set(episode.side) <= set(diary.ONE_OF["side"])
    assert set(episode.activity) <= set(diary.ONE_OF["activity"])
    assert set(episode.tried) <= set(diary.SOME_OF["tried"])


def test_every_diary_escalation_says_something_in_a_requests_terms(kb: KnowledgeBase) -> None:
    """Every rule named is a diary rule; the rules left out say nothing a check reads."""
    escalations = kb.diary_mapping.request.escalations
    diary_rules = {r.id for r in kb.diary_rules}
    assert set(escalations) <= diary_rules
    assert diary_rules - set(escalations) == {"diary-more-painful"}


def test_thresholds_agree_with_the_rules_and_findings_that_draw_the_same_line(
    kb: KnowledgeBase,
) -> None:
    severe = kb.diary_mapping.episode.severe_pain
    assert kb.findings[severe.finding].present_when == {
        "value": "pain_score",
        "gte": severe.at_least,
    }
    frequent = kb.diary_mapping.request.frequent
    rule = next(r for r in kb.diary_rules if r.id == "diary-frequent")
    assert {"value": frequent.metric, "gte": frequent.at_least} in rule.spec.when["all"]


def test_an_unknown_finding_is_refused_with_its_name(tmp_path: Path) -> None:
    data = _edit(tmp_path, "both: both_sides", "both: both_side")
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(data)
    message = str(error.value)
    assert DIARY_MAPPING_FILE in message
    assert "episode.side.both" in message
    assert "unknown finding 'both_side'" in message


def test_an_unknown_finding_in_an_escalation_is_refused(tmp_path: Path) -> None:
    data = _edit(
        tmp_path, "diary-severe-episodes: [pain_severe]", "diary-severe-episodes: [pain_sever]"
    )
    with pytest.raises(
        KnowledgeError,
        match=r"diary_mapping.yaml: request.escalations.diary-severe-episodes: "
        r"unknown finding 'pain_sever'",
    ):
        load_knowledge(data)


def test_an_unknown_escalation_rule_is_refused(tmp_path: Path) -> None:
    data = _edit(tmp_path, "diary-more-frequent: [recurrent]", "diary-more-frequnt: [recurrent]")
    with pytest.raises(
        KnowledgeError,
        match=r"diary_mapping.yaml: request.escalations: unknown diary rule 'diary-more-frequnt'",
    ):
        load_knowledge(data)


def test_a_check_rule_is_not_a_diary_escalation(tmp_path: Path, kb: KnowledgeBase) -> None:
    check_rule = kb.rules[0].id
    data = _edit(tmp_path, "diary-more-frequent:", f"{check_rule}:")
    with pytest.raises(KnowledgeError, match=f"unknown diary rule '{check_rule}'"):
        load_knowledge(data)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "sources: [seed-article]\n",
            "sources: [nowhere]\n",
            r"severe_pain.sources: unknown source 'nowhere'",
        ),
        (
            "metric: weeks_with_episodes",
            "metric: weeks_with_episode",
            r"recurrent.metric: unknown finding",
        ),
        (
            "metric: episodes_per_week",
            "metric: frequent",
            r"request.frequent.metric: 'frequent' is not a number",
        ),
        ("spasm: twitch", "spasm: twitches", r"feel_of_kind.spasm: unknown feel answer 'twitches'"),
        (
            "at_least: 7\n",
            "at_least: 7\n    at_mots: 9\n",
            r"diary_mapping.yaml: episode.severe_pain.at_mots",
        ),
    ],
    ids=["source", "metric", "not-a-number", "feel-answer", "unknown-key"],
)
def test_other_mistakes_are_refused_with_the_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    data = _edit(tmp_path, old, new)
    with pytest.raises(KnowledgeError, match=expected):
        load_knowledge(data)


# ---------------------------------------------------------------- the diary pages read it


EPISODES: list[tuple[dict[str, Any], list[tuple[str, str]], dict[str, float]]] = [
    (
        {
            "site": "site_calf",
            "side": "left",
            "feel": "cramp",
            "duration_minutes": 12.0,
            "pain": 8,
            "activity": "sleeping",
            "at_night": True,
            "context": ["low_fluid", "new_medicine"],
            "tried": ["stretching", "cold", "fluids", "nsaid"],
            "helped": False,
        },
        [
            ("site_calf", "present"),
            ("side_left", "present"),
            ("sustained_contraction", "present"),
            ("episode_minutes", "present"),
            ("pain_score", "present"),
            ("pain", "present"),
            ("pain_severe", "present"),
            ("at_night", "present"),
            ("low_fluid", "present"),
            ("new_medicine", "present"),
            ("stretching_tried", "present"),
            ("heat_tried", "present"),
            ("fluids_tried", "present"),
            ("cramp_not_easing", "present"),
        ],
        {"episode_minutes": 12.0, "pain_score": 8.0},
    ),
    (
        {
            "site": "site_eyelid",
            "side": "both",
            "feel": "twitch",
            "pain": 0,
            "activity": "exercise",
            "context": [],
            "tried": ["massage", "heat"],
            "helped": True,
        },
        [
            ("site_eyelid", "present"),
            ("both_sides", "present"),
            ("twitching", "present"),
            ("pain_score", "present"),
            ("pain", "absent"),
            ("exertion", "present"),
            ("massage_tried", "present"),
            ("heat_tried", "present"),
            ("resolved", "present"),
        ],
        {"pain_score": 0.0},
    ),
    (
        # Pain just under the line; what was tried did not help a cramp.
        {"feel": "cramp", "pain": 6, "activity": "walking", "tried": ["heat"], "helped": False},
        [
            ("sustained_contraction", "present"),
            ("pain_score", "present"),
            ("pain", "present"),
            ("heat_tried", "present"),
            ("cramp_not_easing", "present"),
        ],
        {"pain_score": 6.0},
    ),
    (
        # Pain on the line; nothing tried, so "did not help" means nothing.
        {"feel": "other", "pain": 7, "activity": "resting", "tried": [], "helped": False},
        [
            ("pain_score", "present"),
            ("pain", "present"),
            ("pain_severe", "present"),
            ("at_rest", "present"),
        ],
        {"pain_score": 7.0},
    ),
]


@pytest.mark.parametrize(("answers", "findings", "values"), EPISODES)
def test_an_episode_gives_the_findings_it_gave_before(
    kb: KnowledgeBase,
    answers: dict[str, Any],
    findings: list[tuple[str, str]],
    values: dict[str, float],
) -> None:
    logged = {"id": "e", "started_at": NOW, "created_at": NOW, **answers}
    logged.update({k: tuple(logged.get(k, ())) for k in ("context", "tried")})
    check = episode_check(EpisodeRecord(**logged), kb)
    assert list(check.answers.items()) == findings  # the order too: it is the flow's
    assert check.values == values


def test_a_saved_check_gives_the_episode_it_gave_before(pipeline: Pipeline) -> None:
    state = cast(AppState, SimpleNamespace(pipeline=pipeline, clinic=load_clinic()))
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (
            {
                "findings": {
                    "site_calf": "present",
                    "side_right": "present",
                    "sustained_contraction": "present",
                    "episode_minutes": "present",
                    "pain_score": "present",
                    "at_night": "present",
                    "stretching_tried": "present",
                    "heat_tried": "present",
                    "cramp_not_easing": "present",
                },
                "values": {"episode_minutes": 4.0, "pain_score": 6.0},
            },
            {
                "feel": "cramp",
                "site": "site_calf",
                "side": "right",
                "duration_minutes": 4.0,
                "pain": 6,
                "activity": None,
                "at_night": True,
                "context": (),
                "tried": ("stretching", "heat"),
                "helped": False,
            },
        ),
        (
            {
                "findings": {
                    "site_eyelid": "present",
                    "twitching": "present",
                    "at_rest": "present",
                    "massage_tried": "present",
                    "resolved": "present",
                    "both_sides": "present",
                }
            },
            {
                "feel": "twitch",
                "site": "site_eyelid",
                "side": "both",
                "duration_minutes": None,
                "pain": None,
                "activity": "resting",
                "at_night": False,
                "context": (),
                "tried": ("massage",),
                "helped": True,
            },
        ),
    ]
    for check, expected in cases:
        flow = FlowState.model_validate(check)
        result = run_check(state, flow.check())
        assessment = assessment_payload(state, result)
        episode = episode_from_check(flow.text, result, assessment, NOW, pipeline.kb)
        assert {key: getattr(episode, key) for key in expected} == expected


def _patterns(
    diary_days: int, metrics: dict[str, float], *rule_ids: str, site: str = ""
) -> Patterns:
    return Patterns(
        total=10,
        diary_days=diary_days,
        weekly_counts=(0,) * 12,
        trend="more",
        night_share=None,
        sites=((site, 12),) if site else (),
        median_duration=None,
        median_pain=None,
        hours=(0,) * 24,
        pain_by_week=(None,) * 12,
        home_care=(),
        factors=(),
        enough_for_factors=False,
        metrics=metrics,
        escalations=tuple(Escalation(r, "doctor", "why", ()) for r in rule_ids),
    )


def test_the_diarys_request_gives_the_findings_it_gave_before(kb: KnowledgeBase) -> None:
    found = _patterns(
        30,
        {"episodes_per_week": 3.0, "weeks_with_episodes": 2.0, "night_share": 0.8},
        "diary-disturbing-sleep",
        "diary-home-care-not-helping",
        site="site_calf",
    )
    counts = Counts(night=16, with_duration=0, with_pain=0, recent=20)
    flow = FlowState.from_given(patterns_check(found, counts, "s", kb))
    assert list(flow.findings.items()) == [
        ("episodes_per_week", "present"),
        ("weeks_with_episodes", "present"),
        ("night_share", "present"),
        ("history_days", "present"),
        ("at_night", "present"),
        ("frequent", "present"),
        ("recurrent", "present"),
        ("sleep_disrupted", "present"),
        ("home_care_failed", "present"),
        ("site_calf", "present"),
    ]
    assert flow.values == {
        "episodes_per_week": 3.0,
        "weeks_with_episodes": 2.0,
        "night_share": 0.8,
        "history_days": 30.0,
    }

    # Just under both lines: not frequent (said outright), recurrent left unset.
    found = _patterns(
        12, {"episodes_per_week": 2.9, "weeks_with_episodes": 1.0}, "diary-severe-episodes"
    )
    counts = Counts(night=0, with_duration=0, with_pain=0, recent=3)
    flow = FlowState.from_given(patterns_check(found, counts, "s", kb))
    assert list(flow.findings.items()) == [
        ("episodes_per_week", "present"),
        ("weeks_with_episodes", "present"),
        ("history_days", "present"),
        ("at_night", "absent"),
        ("frequent", "absent"),
        ("pain_severe", "present"),
    ]
    assert flow.values == {
        "episodes_per_week": 2.9,
        "weeks_with_episodes": 1.0,
        "history_days": 12.0,
    }
