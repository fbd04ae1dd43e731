"""The target matcher's token patterns, looked for where their first word is: the same
matches as spaCy's ``Matcher`` on every Spanish case text, the Matcher's own answer where
its order decides, and a clear refusal of a pattern of another shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.matcher import Matcher

from crampcheck.nlp.first_word_matcher import FirstWordMatcher
from crampcheck.services.pipeline import Pipeline

CASES = Path(__file__).parents[1] / "reading_cases" / "es"
FILLER = {"NORM": {"IN": ["me", "se"]}, "OP": "{0,2}"}


def _both(patterns: dict[str, list[dict[str, Any]]]) -> tuple[Any, FirstWordMatcher, Matcher]:
    nlp = spacy.blank("es")
    fast = FirstWordMatcher(nlp.vocab, lambda key: key.rsplit("_", 1)[0])
    slow = Matcher(nlp.vocab)
    for key, pattern in patterns.items():
        fast.add(key, [pattern])
        slow.add(key, [pattern])
    return nlp, fast, slow


def test_the_spanish_reader_matches_as_spacys_matcher_on_every_case_text(
    pipeline: Pipeline,
) -> None:
    reader = pipeline.reader_in("es")
    inner = reader._nlp.get_pipe("medspacy_target_matcher")._TargetMatcher__matcher
    fast = inner._MedspacyMatcher__matcher
    assert isinstance(fast, FirstWordMatcher)
    slow = Matcher(reader._nlp.vocab)
    for rule_id, rule in inner.rule_map.items():
        if isinstance(rule.pattern, list):
            slow.add(rule_id, [rule.pattern])
    assert len(slow) == len(fast) > 1000
    texts = [
        json.loads(line)["text"]
        for path in sorted(CASES.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    matched = 0
    for text in texts:
        doc = reader._nlp.make_doc(reader._checked(text).text)
        expected, found = slow(doc), fast(doc)
        assert sorted(found, key=lambda m: (m[1], m[2], m[0])) == sorted(
            expected, key=lambda m: (m[1], m[2], m[0])
        ), text
        matched += bool(found)
    assert matched > len(texts) // 2


def test_fillers_between_words_up_to_the_count_and_never_elsewhere() -> None:
    nlp, fast, slow = _both(
        {"A_0": [{"NORM": "no"}, FILLER, {"NORM": "quita"}], "A_1": [{"NORM": "quita"}]}
    )
    for text in ("no quita", "no se quita", "no se me quita", "no se me se quita", "se no quita"):
        doc = nlp.make_doc(text)
        assert sorted(fast(doc)) == sorted(slow(doc)), text
    assert [(s, e) for _, s, e in fast(nlp.make_doc("no se me quita"))] in (
        [(0, 4), (3, 4)],
        [(3, 4), (0, 4)],
    )
    assert [(s, e) for _, s, e in fast(nlp.make_doc("no se me se quita"))] == [(4, 5)]


def test_two_labels_on_the_same_words_take_the_matchers_order() -> None:
    nlp, fast, slow = _both(
        {
            "A_0": [{"NORM": "no"}, FILLER, {"NORM": "se"}, {"NORM": "quita"}],
            "B_1": [{"NORM": "no"}, {"NORM": "se"}, FILLER, {"NORM": "quita"}],
        }
    )
    doc = nlp.make_doc("no se quita")
    assert fast(doc) == list(slow(doc))
    assert len(fast(doc)) == 2


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LOWER": "no"}],
        [FILLER, {"NORM": "quita"}],
        [{"NORM": "no"}, FILLER],
        [{"NORM": "no"}, {"NORM": {"IN": ["se"]}, "OP": "*"}, {"NORM": "quita"}],
        [{"NORM": "no"}, {"NORM": {"IN": ["se"]}, "OP": "{1,}"}, {"NORM": "quita"}],
    ],
)
def test_a_pattern_of_another_shape_is_refused(pattern: list[dict[str, Any]]) -> None:
    fast = FirstWordMatcher(spacy.blank("es").vocab, lambda key: key)
    with pytest.raises(ValueError):
        fast.add("A_0", [pattern])
