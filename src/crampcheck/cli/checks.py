"""The checking commands of the ``crampcheck`` command line: ``assess`` (one description,
or a JSONL file of them in batches), ``interview``, ``eval`` (a vignette file's scores)
and ``kb check``. The slow imports (the reader, spaCy) happen only when one runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from crampcheck.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_UNREADABLE,
    MAX_AGE,
    MIN_AGE,
    InputError,
)
from crampcheck.cli.kb import report_knowledge_check
from crampcheck.domain.types import Case, Sex

BATCH_SIZE = 256


def _pipeline() -> Any:
    from crampcheck.services.pipeline import default_pipeline

    return default_pipeline()


def _checked_text(text: str) -> str:
    from crampcheck.domain.limits import MAX_TEXT_CHARS

    if not text or not text.strip():
        raise InputError("the description is empty: say what happened in a few words")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"the description is {len(text)} characters long; the limit is {MAX_TEXT_CHARS}"
        )
    return text


def assess(args: argparse.Namespace, out: Console, err: Console) -> int:
    from crampcheck.services.serialize import result_to_dict

    if args.jsonl is not None:
        return _assess_batch(args.jsonl, out, err)
    text = _checked_text(args.text)
    pipeline = _pipeline()
    result = pipeline.check_text(text, args.age, Sex(args.sex) if args.sex else None)
    data = result_to_dict(result, pipeline.kb)
    if args.json:
        out.print_json(data=data) if out.is_terminal else print(json.dumps(data))
    else:
        from crampcheck.cli.terminal import render_result

        render_result(out, data)
    return EXIT_OK


def _batch_item(number: int, line: str) -> tuple[Any, str, int | None, Sex | None]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"line {number}: not valid JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise InputError(f"line {number}: expected a JSON object")
    item_id = data.get("id")
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError(f"line {number}: 'text' must be a string")
    try:
        _checked_text(text)
    except InputError as error:
        raise InputError(f"line {number}: {error}") from None
    age = data.get("age")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not MIN_AGE <= age <= MAX_AGE
    ):
        raise InputError(f"line {number}: 'age' must be a whole number from {MIN_AGE} to {MAX_AGE}")
    sex = data.get("sex")
    if sex is not None and sex not in ("female", "male"):
        raise InputError(f"line {number}: 'sex' must be female or male")
    return item_id, text, age, Sex(sex) if sex else None


def _assess_batch(path: Path, out: Console, err: Console) -> int:
    from crampcheck.services.evaluation import iter_jsonl
    from crampcheck.services.serialize import result_to_dict

    if not path.is_file():
        err.print(f"crampcheck: cannot read {path}: no such file", markup=False)
        return EXIT_UNREADABLE
    pipeline = _pipeline()
    failed = 0
    pending: list[tuple[Any, str, int | None, Sex | None]] = []

    def flush() -> None:
        results = pipeline.check_texts([(t, a, s) for _, t, a, s in pending])
        for (item_id, _, _, _), result in zip(pending, results, strict=True):
            print(json.dumps({"id": item_id, **result_to_dict(result, pipeline.kb)}))
        pending.clear()

    try:
        for number, line in iter_jsonl(path):
            try:
                pending.append(_batch_item(number, line))
            except InputError as error:
                failed += 1
                err.print(f"crampcheck: {error}", markup=False)
                flush()
                print(json.dumps({"id": _loose_id(line), "line": number, "error": str(error)}))
                continue
            if len(pending) >= BATCH_SIZE:
                flush()
        flush()
    except OSError as error:
        err.print(f"crampcheck: cannot read {path}: {error.strerror}", markup=False)
        return EXIT_UNREADABLE
    return EXIT_PARTIAL if failed else EXIT_OK


def _loose_id(line: str) -> Any:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    return data.get("id") if isinstance(data, dict) else None


def interview(args: argparse.Namespace, out: Console) -> int:
    from crampcheck.cli.interview import run_interview

    case = Case(age=args.age, sex=Sex(args.sex) if args.sex else None)
    return run_interview(_pipeline(), case, out, as_json=args.json)


def evaluate(args: argparse.Namespace, out: Console, err: Console) -> int:
    from crampcheck.services.evaluation import (
        interview_summary,
        read_vignettes,
        score_free_text,
        simulate_interview,
    )

    files: list[Path] = args.file
    missing = next((f for f in files if not f.is_file()), None)
    if missing is not None:
        err.print(f"crampcheck: cannot read {missing}: no such file", markup=False)
        return EXIT_UNREADABLE
    pipeline = _pipeline()
    reports: dict[str, dict[str, Any]] = {}
    partial = False
    for path in files:
        try:
            vignettes, problems = read_vignettes(path)
        except OSError as error:
            err.print(f"crampcheck: cannot read {path}: {error.strerror}", markup=False)
            return EXIT_UNREADABLE
        for problem in problems:
            err.print(f"crampcheck: {path}: {problem}", markup=False)
        partial = partial or bool(problems)
        report: dict[str, Any] = score_free_text(pipeline, vignettes).as_dict()
        if args.interview:
            runs = [simulate_interview(pipeline, v) for v in vignettes]
            report["interview"] = interview_summary(runs, vignettes)
        reports[str(path)] = report
    if args.json:
        # One file: its report, as before; several: one report per file, by its path.
        print(json.dumps(reports if len(files) > 1 else reports[str(files[0])], indent=2))
    else:
        from crampcheck.cli.evaluation import render_eval

        for name, report in reports.items():
            if len(files) > 1:
                out.print(f"\n== {name}", markup=False)
            render_eval(out, report)
        if args.interview and len(files) > 1:
            from crampcheck.cli.evaluation import render_interview_sets

            out.print()
            render_interview_sets(out, reports)
    return EXIT_PARTIAL if partial else EXIT_OK


def kb_check(out: Console) -> int:
    return EXIT_OK if report_knowledge_check(out, _pipeline()) else EXIT_FAILED
