"""A finding the person said no to reads the same everywhere, never as a double negative."""

from __future__ import annotations

import re

import pytest

from crampcheck.domain.denials import Denial, denial, said_no
from crampcheck.knowledge import KnowledgeBase
from crampcheck.knowledge.loader import in_language


def test_a_plainly_worded_finding_is_read_after_a_no() -> None:
    assert denial("swelling", None) == Denial("swelling", plain=True)
    assert denial("swelling", None).sentence == "No swelling"
    assert said_no("a fever", None) == "you said no to “a fever”"
    assert said_no("a fever", None, you=False) == "said no to “a fever”"


def test_an_article_is_turned_into_the_no() -> None:
    """Issue 14: an adult's answers read "No a baby or child losing skills ..."."""
    assert denial("a fever", None) == Denial("a fever", True, "No", "fever")
    assert denial("an underactive thyroid", None).sentence == "No underactive thyroid"
    assert denial("the calf", None).sentence == "Not the calf"
    assert denial("un viaje largo", None, "es").sentence == "Ningún viaje largo"
    assert denial("una picadura de araña", None, "es").sentence == "Ninguna picadura de araña"
    # The clinic's "said no to" keeps the label as it is.
    assert said_no("the calf", None, you=False) == "said no to “the calf”"


BAD_OPENINGS = {
    "en": re.compile(r"^No (a|an|the) ", re.IGNORECASE),
    "es": re.compile(r"^No (un|una|unos|unas) ", re.IGNORECASE),
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_findings_no_reads_as_a_sentence(kb: KnowledgeBase, language: str) -> None:
    """Over every finding of the knowledge base, in each language: a "no" never reads
    "No a ...", "No an ...", "No the ..." (or "No un ...", "No una ...")."""
    findings = in_language(kb, language).findings
    bad = [
        (f.id, words)
        for f in findings.values()
        if BAD_OPENINGS[language].search(
            words := denial(f.label, f.denied_label, language).sentence
        )
    ]
    assert bad == [], bad


def test_a_negatively_worded_finding_is_said_in_its_positive_words() -> None:
    assert denial("home care has not helped", "home care has helped") == Denial(
        "home care has helped", plain=False
    )
    assert said_no("home care has not helped", "home care has helped") == "home care has helped"


def test_every_negative_label_in_the_knowledge_base_has_positive_words(kb: KnowledgeBase) -> None:
    """A label worded as a lack ("not", "no ") needs a ``denied_label``, or a "no" to
    it would read as a double negative on the pages and the summary."""
    lacking = [
        f.id
        for f in kb.findings.values()
        if re.search(r"\b(not|no|never|cannot|can't)\b", f.label) and not f.denied_label
    ]
    assert lacking == [], lacking


def test_a_label_that_would_not_read_after_a_no_is_named() -> None:
    from crampcheck.domain.denials import denial_problem

    assert denial_problem("swelling", "en") is None
    assert denial_problem("a baby or child losing skills they had", "en") is None
    assert "clause" in (denial_problem("it started suddenly", "en") or "")
    assert "lack" in (denial_problem("painkillers are not helping", "en") or "")
    assert "lack" in (denial_problem("no lo deja trabajar ni hacer sus tareas", "es") or "")
    assert denial_problem("empezó de repente", "es") is None  # "No: empezó de repente"
