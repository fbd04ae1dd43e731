"""Time the triage engine: ``assess`` per structured case.

The cases are what the reader makes of the dev vignettes, repeated. A baseline
measured in the same process (building the same Case from its parts) puts the
figure in proportion to the machine's speed at that moment.

    .venv/bin/python bench/bench_engine.py [--rounds N] [--repeats K] [--vignettes FILE]

Target: at most 0.2 ms (200 µs) per case.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    DEFAULT_VIGNETTES,
    machine_info,
    pin_to_one_core,
    summary,
    timed,
    vignette_texts,
)

TARGET_US = 200.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vignettes", type=Path, default=DEFAULT_VIGNETTES)
    parser.add_argument("--rounds", type=int, default=50, help="passes over the cases per timing")
    parser.add_argument("--repeats", type=int, default=7, help="timings taken (best and median)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    args = parser.parse_args(argv)

    pinning = "not pinned" if args.no_pin else pin_to_one_core()

    from crampcheck.domain.types import Case, Sex
    from crampcheck.engine import assess
    from crampcheck.services.pipeline import default_pipeline

    pipeline = default_pipeline()
    kb = pipeline.kb
    items = [(t, a, Sex(s) if s else None) for t, a, s in vignette_texts(args.vignettes)]
    cases = [result.case for result in pipeline.check_texts(items)]
    parts = [(c.age, c.sex, dict(c.findings), dict(c.values)) for c in cases]
    workload = cases * args.rounds
    count = len(workload)

    def run_assess() -> None:
        for case in workload:
            assess(case, kb)

    def run_build_case() -> None:
        for _ in range(args.rounds):
            for age, sex, findings, values in parts:
                Case(age=age, sex=sex, findings=findings, values=values)

    def run_dict_copy() -> None:
        for _ in range(args.rounds):
            for _age, _sex, findings, values in parts:
                dict(findings)
                dict(values)

    engine_best, engine_median = summary(timed(run_assess, args.repeats))
    case_best, case_median = summary(timed(run_build_case, args.repeats))
    copy_best, copy_median = summary(timed(run_dict_copy, args.repeats))

    def per_case(seconds: float) -> float:
        return seconds / count * 1e6

    findings_per_case = sum(len(c.findings) for c in cases) / len(cases)
    print("crampcheck engine benchmark: assess(case, kb)")
    for line in machine_info(pinning):
        print(line)
    print(f"knowledge: {kb.version}: {len(kb.rules)} rules, {len(kb.findings)} findings")
    print(
        f"cases:     {len(cases)} from {args.vignettes.name} "
        f"(mean {findings_per_case:.1f} findings each) x {args.rounds} rounds = {count} per timing;"
        f" {args.repeats} timings"
    )
    print()
    print(f"{'':28}{'best µs/case':>14}{'median µs/case':>16}{'assess is (median)':>20}")
    print(f"{'assess':28}{per_case(engine_best):14.1f}{per_case(engine_median):16.1f}{'-':>20}")
    for label, best, median in (
        ("baseline: build the Case", case_best, case_median),
        ("baseline: copy two dicts", copy_best, copy_median),
    ):
        ratio = f"{engine_median / median:,.0f}x slower"
        print(f"{label:28}{per_case(best):14.1f}{per_case(median):16.1f}{ratio:>20}")
    print()
    verdict = "met" if per_case(engine_median) <= TARGET_US else "NOT met"
    print(
        f"assess: {per_case(engine_median):.1f} µs per case (median), "
        f"{count / engine_median:,.0f} cases/s; target <= {TARGET_US:.0f} µs: {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
