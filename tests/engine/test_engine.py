"""The engine: highest rule wins, unknown red flags stay open, advice fits the case."""

from __future__ import annotations

from crampcheck.domain.types import Case, FindingState, Kind, Sex, Urgency
from crampcheck.engine import assess
from crampcheck.knowledge import KnowledgeBase

P, A, U = FindingState.PRESENT, FindingState.ABSENT, FindingState.UNKNOWN


def case(**findings: FindingState) -> Case:
    return Case(age=50, sex=Sex.FEMALE, findings=findings)


def test_levels_are_ordered() -> None:
    assert Urgency.SELF_CARE < Urgency.DOCTOR < Urgency.URGENT < Urgency.EMERGENCY
    assert max(Urgency) is Urgency.EMERGENCY


def test_the_highest_fired_rule_wins(kb: KnowledgeBase) -> None:
    result = assess(case(sustained_contraction=P, exertion=P, chest_pain=P), kb)
    assert result.urgency is Urgency.EMERGENCY
    assert result.reasons[0].rule_id == "chest-pain"
    assert {r.rule_id for r in result.reasons} >= {"chest-pain", "exercise-associated-cramp"}


def test_a_common_cramp_is_self_care(kb: KnowledgeBase) -> None:
    result = assess(case(sustained_contraction=P, at_night=P, site_calf=P, resolved=P), kb)
    assert result.urgency is Urgency.SELF_CARE
    assert result.kind is Kind.CRAMP
    assert any(a.kind == "home" for a in result.advice)


def test_unknown_emergency_flags_are_open_questions_not_absent(kb: KnowledgeBase) -> None:
    result = assess(case(sustained_contraction=P, site_calf=P), kb)
    emergency_questions = [
        q for q in result.open_questions if q.could_raise_to is Urgency.EMERGENCY
    ]
    assert emergency_questions
    asked_absent = assess(
        case(
            sustained_contraction=P, site_calf=P, **{q.finding_id: A for q in result.open_questions}
        ),
        kb,
    )
    assert all(
        q.finding_id not in {o.finding_id for o in asked_absent.open_questions}
        for q in result.open_questions
    )


def test_a_mimic_sets_the_kind_to_other(kb: KnowledgeBase) -> None:
    result = assess(case(sustained_contraction=P, site_calf=P, swelling=P, pain=P), kb)
    assert result.urgency is Urgency.URGENT
    assert result.kind is Kind.OTHER
    assert result.causes[0].id == "dvt"
    assert "swelling" in {e.finding_id for e in result.causes[0].supporting}


def test_twitching_is_a_spasm(kb: KnowledgeBase) -> None:
    result = assess(case(twitching=P, caffeine=P, site_eyelid=P), kb)
    assert result.kind is Kind.SPASM
    assert result.urgency is Urgency.SELF_CARE


def test_causes_list_evidence_both_ways(kb: KnowledgeBase) -> None:
    result = assess(case(sustained_contraction=P, at_night=P, site_calf=P, swelling=A), kb)
    night = next(c for c in result.causes if c.id == "nocturnal_cramps")
    assert night.supporting
    dvt_absent = assess(case(sustained_contraction=P, site_calf=P, swelling=A, pain=P), kb)
    assert all(c.id != "dvt" or c.against for c in dvt_absent.causes)


def test_nsaid_advice_is_withheld_with_kidney_disease(kb: KnowledgeBase) -> None:
    plain = assess(case(sustained_contraction=P, exertion=P), kb)
    kidney = assess(case(sustained_contraction=P, exertion=P, kidney_disease=P), kb)
    assert "nsaid-last-resort" in {a.id for a in plain.advice}
    assert "nsaid-last-resort" not in {a.id for a in kidney.advice}


def test_massage_is_withheld_for_a_possible_clot(kb: KnowledgeBase) -> None:
    result = assess(case(sustained_contraction=P, site_calf=P, swelling=P), kb)
    ids = {a.id for a in result.advice}
    assert "massage" not in ids
    assert "no-massage-possible-clot" in ids


def test_emergency_gives_no_home_care_but_a_safety_net(kb: KnowledgeBase) -> None:
    result = assess(case(chest_pain=P), kb)
    kinds = {a.kind for a in result.advice}
    assert "home" not in kinds
    assert "safety_net" in kinds
    assert "911" in result.action


def test_emergency_number_is_configurable(kb: KnowledgeBase) -> None:
    result = assess(case(chest_pain=P), kb, emergency_number="999")
    assert "999" in result.action and "911" not in result.action
    assert "999" in result.disclaimer


def test_every_statement_has_a_source(kb: KnowledgeBase) -> None:
    result = assess(case(sustained_contraction=P, at_night=P, drug_statin=P, swelling=P), kb)
    for reason in result.reasons:
        assert reason.source_ids and all(s in kb.sources for s in reason.source_ids)
    for item in result.advice:
        assert item.source_ids and all(s in kb.sources for s in item.source_ids)
    for cause in result.causes:
        assert cause.source_ids and all(s in kb.sources for s in cause.source_ids)


def test_no_findings_is_not_called_safe(kb: KnowledgeBase) -> None:
    result = assess(Case(), kb)
    assert result.recognised_findings == 0
    assert result.urgency is kb.policy.no_findings_level
    assert result.urgency > Urgency.SELF_CARE
    assert result.open_questions


def test_derived_fever_from_a_temperature(kb: KnowledgeBase) -> None:
    hot = Case(
        findings={"drug_antipsychotic": P, "rigidity": P, "temperature_c": P},
        values={"temperature_c": 38.5},
    )
    assert assess(hot, kb).urgency is Urgency.EMERGENCY


def test_implied_findings(kb: KnowledgeBase) -> None:
    result = assess(case(drug_loop_diuretic=P, sustained_contraction=P, new_medicine=P), kb)
    assert "drug-related-cramps" in {r.rule_id for r in result.reasons}


def test_no_diagnosis_wording_anywhere(kb: KnowledgeBase) -> None:
    texts = [r.spec.reason for r in kb.rules] + [c.summary for c in kb.conditions.values()]
    texts += [a.spec.text for a in kb.advice]
    for text in texts:
        assert "you have" not in text.lower(), text


def test_assess_is_pure(kb: KnowledgeBase) -> None:
    one = case(sustained_contraction=P, exertion=P)
    assert assess(one, kb) == assess(one, kb)
    assert one.findings == {"sustained_contraction": P, "exertion": P}


def test_unknown_state_is_not_present(kb: KnowledgeBase) -> None:
    result = assess(case(chest_pain=U, sustained_contraction=P), kb)
    assert result.urgency is not Urgency.EMERGENCY


def test_a_warning_sign_no_self_care_rule_names_overturns_self_care(kb: KnowledgeBase) -> None:
    """A back that seized up is self-care; the same back with a warning sign that no
    self-care rule explains (a sore that does not heal, here) needs a doctor's look, and
    both reasons are kept."""
    simple = assess(case(site_back=P, involuntary_spasm=P), kb)
    assert simple.urgency is Urgency.SELF_CARE
    flagged = assess(case(site_back=P, involuntary_spasm=P, non_healing_sore=P), kb)
    assert flagged.urgency is Urgency.DOCTOR
    ids = [r.rule_id for r in flagged.reasons]
    assert ids[0] == "unexplained-warning-sign"
    assert "simple-back-or-neck-spasm" in ids
