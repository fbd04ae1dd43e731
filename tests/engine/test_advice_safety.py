"""Advice safety on written cases: nothing offered to a person it could harm, every
warning they need shown, never under-triaged.

The development sets (written independently of the code, then used to fix mechanisms)
and the clinical review's probe texts are regression tests here; the held-out set is
scored separately:

    python -m tests.advice_safety tests/advice_cases/advice_safety_heldout.jsonl
"""

from __future__ import annotations

import pytest

from crampcheck.services.pipeline import default_pipeline
from tests.advice_safety import VIGNETTES, judge, load_cases

CASES = load_cases(
    VIGNETTES / name
    for name in ("advice_safety_a.jsonl", "advice_safety_b.jsonl", "audit_probes.jsonl")
)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_advice_is_safe_for_the_person_reading_it(case: dict[str, object]) -> None:
    verdict = judge(case, default_pipeline())
    assert verdict.safe, (
        f"{case['text']!r}: {verdict.urgency.value}, offered {verdict.wrongly_offered}, "
        f"missing {verdict.missing_warnings}, under-triaged {verdict.under_triaged}"
    )
