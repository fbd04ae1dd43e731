"""Score free-text case sets written by people who never saw the code.

    python -m tests.reading_eval FILE [FILE ...]            triage and kind figures
    python -m tests.reading_eval --shown FILE > shown.jsonl  what the person is shown

The first form prints, per file, exact urgency, under-triage (and by two levels),
emergencies caught and kind accuracy. The second writes, for every case, the findings
crampcheck would show on the confirm step (label, yes/no, and the person's words they
were read from), which a clinician then marks as said or not said: that is how reading
precision is measured. Cases carry ``expected_urgency`` and ``expected_kind``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crampcheck.domain.types import Sex, Urgency
from crampcheck.services.pipeline import default_pipeline


def _cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _check(case: dict[str, Any]) -> Any:
    sex = Sex(case["sex"]) if case.get("sex") else None
    return default_pipeline().check_text(case["text"], case.get("age"), sex)


def score(path: Path) -> dict[str, Any]:
    """Triage and kind figures for one file, with the misses."""
    cases = _cases(path)
    figures: dict[str, Any] = {
        "file": path.name,
        "total": len(cases),
        "exact_urgency": 0,
        "under_triage": 0,
        "under_two_levels": 0,
        "emergencies": 0,
        "emergencies_caught": 0,
        "kind_correct": 0,
        "misses": [],
    }
    for case in cases:
        result = _check(case)
        got, want = result.assessment.urgency.value, case["expected_urgency"]
        kind = result.assessment.kind.value
        gap = Urgency(want).rank - Urgency(got).rank
        figures["exact_urgency"] += got == want
        figures["under_triage"] += gap > 0
        figures["under_two_levels"] += gap > 1
        figures["emergencies"] += want == "emergency"
        figures["emergencies_caught"] += want == "emergency" and got == "emergency"
        figures["kind_correct"] += kind == case["expected_kind"]
        if got != want or kind != case["expected_kind"]:
            figures["misses"].append(
                {
                    "id": case["id"],
                    "urgency": f"{want} -> {got}",
                    "kind": f"{case['expected_kind']} -> {kind}",
                    "rules": [r.rule_id for r in result.assessment.reasons],
                }
            )
    return figures


def shown(path: Path) -> list[dict[str, Any]]:
    """For each case, the findings a person would be shown, with the words behind them."""
    kb = default_pipeline().kb
    rows = []
    for case in _cases(path):
        result = _check(case)
        assert result.reading is not None
        states = result.reading.states()
        words: dict[str, list[str]] = {}
        for item in result.reading.findings:
            if item.state is states[item.finding_id]:
                words.setdefault(item.finding_id, []).append(item.text)
        rows.append(
            {
                "id": case["id"],
                "text": case["text"],
                "shown": [
                    {
                        "finding": kb.findings[fid].label if fid in kb.findings else fid,
                        "said": "yes" if state.value == "present" else "no",
                        "words": words.get(fid, []),
                    }
                    for fid, state in states.items()
                ],
                "danger_signs_expected": case.get("danger_signs", []),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--shown", action="store_true", help="print what each case shows")
    parser.add_argument("--misses", action="store_true", help="list the misses too")
    args = parser.parse_args(argv)
    for path in args.files:
        if args.shown:
            for row in shown(path):
                sys.stdout.write(json.dumps(row) + "\n")
            continue
        figures = score(path)
        n = figures["total"]
        print(
            f"{figures['file']}: exact urgency {figures['exact_urgency']}/{n}, "
            f"under-triage {figures['under_triage']} (two levels {figures['under_two_levels']}), "
            f"emergencies {figures['emergencies_caught']}/{figures['emergencies']}, "
            f"kind {figures['kind_correct']}/{n}"
        )
        if args.misses:
            for miss in figures["misses"]:
                print("   ", json.dumps(miss))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
