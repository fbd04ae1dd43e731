"""A finding the person said no to reads the same everywhere, never as a double negative."""

from __future__ import annotations

import re

from crampcheck.domain.denials import Denial, denial, said_no
from crampcheck.knowledge import KnowledgeBase


def test_a_plainly_worded_finding_is_read_after_a_no() -> None:
    assert denial("a fever", None) == Denial("a fever", plain=True)
    assert said_no("a fever", None) == "you said no to “a fever”"
    assert said_no("a fever", None, you=False) == "said no to “a fever”"


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
