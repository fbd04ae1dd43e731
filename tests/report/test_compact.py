"""What keeps the summary to one page: only the denials this answer rests on, the
person's words cut with a note, and a "no" that never reads as a double negative."""

from __future__ import annotations

import re

from crampcheck.domain.types import Case, FindingState
from crampcheck.knowledge import KnowledgeBase
from crampcheck.report.compact import excerpt, relevant_denials
from crampcheck.report.summary import causes_of, findings_of

NEGATIVE = re.compile(r"\b(not|no|never|cannot|without)\b|n't", re.IGNORECASE)


def everything_denied(kb: KnowledgeBase, **present: FindingState) -> Case:
    """A case where every yes/no finding was answered no (an interview's blank boxes),
    but those given."""
    states = {f.id: FindingState.ABSENT for f in kb.findings.values() if f.answer == "boolean"}
    return Case(age=50, findings={**states, **present})


def test_a_short_text_is_printed_whole_and_a_long_one_cut_at_a_word() -> None:
    assert excerpt("  My calf cramps.  ", 50).text == "My calf cramps."
    assert not excerpt("My calf cramps.", 50).cut
    long = "word " * 300
    cut = excerpt(long, 100)
    assert cut.cut and cut.text.endswith(" …") and len(cut.text) <= 102
    assert cut.text[:-2].split() == ["word"] * len(cut.text[:-2].split())
    assert cut.left_out == len(long.strip()) - len(cut.text[:-2])


def test_only_denials_whose_yes_would_fire_a_rule_at_or_above_the_level(
    kb: KnowledgeBase,
) -> None:
    case = everything_denied(kb, site_calf=FindingState.PRESENT, side_right=FindingState.PRESENT)
    denied = {f for f, s in case.findings.items() if s is FindingState.ABSENT}
    urgent = relevant_denials(case, "urgent", kb)
    assert urgent and set(urgent) <= denied & kb.red_flags
    assert len(urgent) < len(denied) / 3, "not every unticked box"
    # A swollen calf on one side is a possible clot (an urgent rule): its denial counts.
    assert "swelling" in urgent
    # A denial that could only have added a lower-level rule does not.
    assert set(relevant_denials(case, "emergency", kb)) < set(urgent)
    assert "swelling" not in relevant_denials(case, "emergency", kb)


def test_nothing_denied_nothing_listed(kb: KnowledgeBase) -> None:
    case = Case(age=50, findings={"site_calf": FindingState.PRESENT})
    assert relevant_denials(case, "self_care", kb) == ()


def test_every_negatively_worded_finding_says_what_its_no_means(kb: KnowledgeBase) -> None:
    negative = [f for f in kb.findings.values() if NEGATIVE.search(f.label)]
    assert negative
    missing = [f.id for f in negative if not f.denied_label]
    assert missing == [], "give these a denied_label in the findings file"
    for finding in negative:
        assert finding.denied_label and not re.search(r"\bnot\b|n't", finding.denied_label)


def test_a_denied_negative_key_finding_reads_in_positive_words(kb: KnowledgeBase) -> None:
    condition = next(
        c
        for c in kb.conditions.values()
        if any(kb.findings[f].denied_label for f in c.key if f in kb.findings)
    )
    key = next(f for f in condition.key if kb.findings[f].denied_label)
    finding = kb.findings[key]
    rows = [{"id": key, "label": finding.label, "state": "absent", "text": None}]
    causes = [{"id": condition.id, "name": condition.name, "against": [finding.label]}]
    (cause,) = causes_of({"findings": rows, "causes": causes}, findings_of(rows, kb), kb)
    assert cause.against == (finding.denied_label,)
    assert "said no" not in cause.against[0]
