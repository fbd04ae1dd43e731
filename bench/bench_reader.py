"""Time free text end to end: the reader plus the engine, in batches, on one core.

The texts are the dev vignettes, repeated. ``Pipeline.check_texts`` reads them in
batches (as ``crampcheck assess --jsonl`` does) and assesses each. In the same run,
spaCy's blank English tokenizer alone on the same texts gives a baseline, and
``Reader.read_many`` alone shows how much of the time is reading.

    .venv/bin/python bench/bench_reader.py [--texts N] [--batch B] [--repeats K]
                                           [--vignettes FILE] [--spanish FILE] [--profile]

Spanish descriptions (``--spanish``, the Spanish development cases by default) are timed
the same way beside them, against spaCy's blank Spanish tokenizer.

Target: at least 2,000 texts per second on one core.
"""

from __future__ import annotations

import os

# One core means one thread too, for any numeric library spaCy pulls in.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    DEFAULT_VIGNETTES,
    cpu_timed,
    machine_info,
    pin_to_one_core,
    summary,
    timed,
    vignette_texts,
)

TARGET_PER_SECOND = 2000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vignettes", type=Path, default=DEFAULT_VIGNETTES)
    parser.add_argument(
        "--spanish",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "tests/reading_cases/es/es_a.jsonl",
        help="Spanish descriptions to time beside the English ones",
    )
    parser.add_argument("--texts", type=int, default=2000, help="texts per timing")
    parser.add_argument("--batch", type=int, default=256, help="texts per check_texts call")
    parser.add_argument("--repeats", type=int, default=5, help="timings taken (best and median)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    parser.add_argument(
        "--profile", action="store_true", help="also profile one pass and print the top functions"
    )
    args = parser.parse_args(argv)

    pinning = "not pinned" if args.no_pin else pin_to_one_core()

    import spacy

    from crampcheck.domain.types import Sex
    from crampcheck.services.pipeline import default_pipeline

    base = [(t, a, Sex(s) if s else None) for t, a, s in vignette_texts(args.vignettes)]
    items = (base * (args.texts // len(base) + 1))[: args.texts]
    texts = [text for text, _, _ in items]
    batches = [items[i : i + args.batch] for i in range(0, len(items), args.batch)]
    text_batches = [[text for text, _, _ in batch] for batch in batches]
    chars = sum(len(t) for t in texts)

    pipeline = default_pipeline()
    reader = pipeline.reader
    tokenizer = spacy.blank("en").tokenizer

    def run_pipeline() -> None:
        for batch in batches:
            pipeline.check_texts(batch)

    def run_reader() -> None:
        for batch in text_batches:
            reader.read_many(batch)

    def run_tokenizer() -> None:
        for batch in text_batches:
            for _doc in tokenizer.pipe(batch):
                pass

    readings = [reading for batch in text_batches for reading in reader.read_many(batch)]
    cases = [
        reading.to_case(age, sex) for reading, (_, age, sex) in zip(readings, items, strict=True)
    ]

    def run_engine() -> None:
        for case, reading in zip(cases, readings, strict=True):
            pipeline.assess_read(case, reading)

    full_best, full_median = summary(timed(run_pipeline, args.repeats))
    read_best, read_median = summary(timed(run_reader, args.repeats))
    token_best, token_median = summary(timed(run_tokenizer, args.repeats))

    count = len(texts)
    print("crampcheck reader benchmark: Pipeline.check_texts (reader + engine)")
    for line in machine_info(pinning):
        print(line)
    print(
        f"texts:     {len(base)} vignettes from {args.vignettes.name} repeated to {count} texts "
        f"({chars / count:.0f} characters on average), batches of {args.batch}; "
        f"{args.repeats} timings"
    )
    print()
    print(f"{'':36}{'best texts/s':>14}{'median texts/s':>16}{'ms/text':>10}{'vs tokenizer':>16}")
    rows = [
        ("check_texts (reader + engine)", full_best, full_median),
        ("Reader.read_many (reader only)", read_best, read_median),
        ("baseline: spaCy blank tokenizer", token_best, token_median),
    ]
    for label, best, median in rows:
        slower = f"{median / token_median:,.0f}x slower" if median != token_median else "-"
        print(
            f"{label:36}{count / best:14,.0f}{count / median:16,.0f}"
            f"{median / count * 1e3:10.3f}{slower:>16}"
        )
    print()
    rate = count / full_median
    verdict = "met" if rate >= TARGET_PER_SECOND else "NOT met"
    engine_share = max(0.0, full_median - read_median) / full_median
    print(
        f"check_texts: {rate:,.0f} texts/s (median); "
        f"target >= {TARGET_PER_SECOND:,.0f}: {verdict}. "
        f"Reading is {1 - engine_share:.0%} of the time, the engine {engine_share:.0%}."
    )

    # CPU time is less disturbed than wall-clock time on a shared, busy machine.
    cpu = {
        label: min(cpu_timed(function, args.repeats)) / count * 1e3
        for label, function in (
            ("check_texts", run_pipeline),
            ("read_many", run_reader),
            ("engine (assess_read)", run_engine),
            ("tokenizer", run_tokenizer),
        )
    }
    print(
        "CPU ms/text (best): "
        + ", ".join(f"{label} {ms:.3f}" for label, ms in cpu.items())
        + f"; check_texts {cpu['check_texts'] / cpu['tokenizer']:.1f}x the tokenizer"
    )

    spanish = _spanish_rows(args, pipeline, count)
    if spanish:
        print()
        print(f"Spanish ({args.spanish.name}, repeated to {count} texts):")
        for label, best, median, baseline in spanish:
            print(
                f"{label:36}{count / best:14,.0f}{count / median:16,.0f}"
                f"{median / count * 1e3:10.3f}{median / baseline:>15,.0f}x"
            )

    if args.profile:
        print()
        print("profile of one pass of check_texts (top 30 by internal time):")
        profiler = cProfile.Profile()
        profiler.enable()
        run_pipeline()
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(30)
        print("top 30 by cumulative time:")
        stats.sort_stats("cumulative").print_stats(30)
    return 0


def _spanish_rows(
    args: argparse.Namespace, pipeline: object, count: int
) -> list[tuple[str, float, float, float]]:
    """check_texts and the Spanish reader alone on Spanish texts, with spaCy's blank
    Spanish tokenizer as their baseline (the last figure of each row: times slower)."""
    import spacy

    from crampcheck.domain.types import Sex

    if not args.spanish.is_file():
        return []
    base = [(t, a, Sex(s) if s else None) for t, a, s in vignette_texts(args.spanish)]
    items = (base * (count // len(base) + 1))[:count]
    batches = [items[i : i + args.batch] for i in range(0, len(items), args.batch)]
    text_batches = [[text for text, _, _ in batch] for batch in batches]
    reader = pipeline.reader_in("es")  # type: ignore[attr-defined]
    tokenizer = spacy.blank("es").tokenizer

    def run_pipeline() -> None:
        for batch in batches:
            pipeline.check_texts(batch)  # type: ignore[attr-defined]

    def run_reader() -> None:
        for batch in text_batches:
            reader.read_many(batch)

    def run_tokenizer() -> None:
        for batch in text_batches:
            for _doc in tokenizer.pipe(batch):
                pass

    run_pipeline()  # the language detector and the Spanish reader load on first use
    full = summary(timed(run_pipeline, args.repeats))
    read = summary(timed(run_reader, args.repeats))
    token = summary(timed(run_tokenizer, args.repeats))
    return [
        ("check_texts, Spanish (with detection)", *full, token[1]),
        ("Spanish Reader.read_many", *read, token[1]),
        ("baseline: spaCy blank es tokenizer", *token, token[1]),
    ]


if __name__ == "__main__":
    raise SystemExit(main())
