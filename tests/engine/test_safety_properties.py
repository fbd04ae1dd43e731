"""Safety properties of the knowledge base, for any combination of findings.

- every sign on the emergency list makes the answer an emergency, alone or with anything
  else (Hypothesis draws the rest of the case);
- an emergency answer offers no home care and asks no further questions, and its first
  aid never says both "do not drink" and "sip water";
- an advice item is never offered while one of its contraindications holds;
- the one list of emergency signs is what the emergency screen asks and what the safety
  net lists;
- kb check reports an emergency sign that no rule makes an emergency on its own.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampcheck.domain.types import Case, FindingState, Sex, Urgency
from crampcheck.engine import assess
from crampcheck.engine.rules import to_bits, with_implications
from crampcheck.knowledge import default_knowledge
from crampcheck.services.rule_cases import unexplained_emergency_signs

KB = default_knowledge()
SIGNS = [sign.finding for sign in KB.emergency_signs]
FINDING_IDS = sorted(KB.findings)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def other_findings(draw: st.DrawFn) -> Case:
    """Any other findings, in any state, at any age and sex."""
    states = draw(
        st.dictionaries(
            st.sampled_from(FINDING_IDS),
            st.sampled_from([FindingState.PRESENT, FindingState.ABSENT]),
            max_size=25,
        )
    )
    age = draw(st.one_of(st.none(), st.integers(0, 120)))
    sex = draw(st.one_of(st.none(), st.sampled_from(list(Sex))))
    return Case(age=age, sex=sex, findings=states)


@SETTINGS
@given(sign=st.sampled_from(SIGNS), rest=other_findings())
def test_an_emergency_sign_is_an_emergency_whatever_else_is_said(sign: str, rest: Case) -> None:
    case = replace(rest, findings={**rest.findings, sign: FindingState.PRESENT})
    result = assess(case, KB)
    assert result.urgency is Urgency.EMERGENCY, (sign, dict(rest.findings))
    assert not [a.id for a in result.advice if a.kind in ("home", "professional")]
    assert result.open_questions == ()
    first_aid = " ".join(a.text for a in result.advice if a.kind == "first_aid").lower()
    assert not ("do not eat or drink" in first_aid and "sip" in first_aid)


@pytest.mark.parametrize("sign", SIGNS)
def test_each_emergency_sign_alone_is_explained_by_an_emergency_rule(sign: str) -> None:
    result = assess(Case(findings={sign: FindingState.PRESENT}), KB)
    assert result.urgency is Urgency.EMERGENCY
    assert any(r.rule_id != "emergency-sign" for r in result.reasons), result.reasons


def test_kb_check_names_an_emergency_sign_no_rule_explains() -> None:
    assert unexplained_emergency_signs(KB) == ()
    without_rules = replace(KB, rules=tuple(r for r in KB.rules if r.spec.level != "emergency"))
    assert set(unexplained_emergency_signs(without_rules)) == set(SIGNS)


@SETTINGS
@given(case=other_findings())
def test_no_advice_is_offered_against_its_contraindications(case: Case) -> None:
    result = assess(case, KB)
    bits = to_bits(with_implications(case, KB), KB)[0]
    offered = {a.id for a in result.advice}
    for advice in KB.advice:
        if advice.spec.id not in offered:
            continue
        for condition in advice.contraindications:
            assert condition.bits(bits)[0] is not True, (advice.spec.id, dict(case.findings))


def test_the_emergency_screen_and_safety_net_show_the_one_list() -> None:
    # The red-flag screens (split into screens of at most eight, issue 14) list every
    # sign once, between them.
    on_screens = [m for g in KB.groups if g.screen for m in g.members]
    assert sorted(on_screens) == sorted(SIGNS) and len(on_screens) == len(SIGNS)
    net = next(a for a in KB.advice if a.spec.id == "safety-net-emergency-signs")
    assert list(net.spec.steps) == [sign.label for sign in KB.emergency_signs]


@pytest.mark.parametrize("age", [3, 7, 15])
def test_no_adult_painkiller_doses_for_children(age: int) -> None:
    case = Case(age=age, findings={"sustained_contraction": FindingState.PRESENT})
    result = assess(case, KB)
    shown = " ".join(a.text + " ".join(a.steps) for a in result.advice)
    assert not re.search(r"ibuprofen|acetaminophen|naproxen", shown, re.I)
    assert any("child" in w.instead.lower() for w in result.withheld if w.instead)
