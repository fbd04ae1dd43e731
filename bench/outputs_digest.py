"""Guard the pipeline's outputs while it is made faster: every case's full result, hashed.

Every description of the reading case sets (English and Spanish) and the development
vignettes goes through the pipeline with its case's age and sex, as the reading
evaluation checks it: one at a time (``Pipeline.check_text``) and in batches
(``Pipeline.check_texts``, what ``assess --jsonl`` and the reader benchmark use), in
English and, for the Spanish cases, in Spanish too. Everything a result carries (the
case, the reading's findings with their states and spans, what was set aside, the
urgency, kind, reasons and their rules, causes, advice, withheld advice and open
questions, with every text shown) is written out canonically and hashed, one line per
case and path.

    .venv/bin/python bench/outputs_digest.py --write FILE    record the digests
    .venv/bin/python bench/outputs_digest.py --check FILE    compare; exit 1 on a difference

A speed-up must leave every line the same: a difference names the case and the path.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CASE_FILES = (
    sorted((REPO / "tests/reading_cases").glob("*.jsonl"))
    + sorted((REPO / "tests/reading_cases/es").glob("*.jsonl"))
    + [REPO.parent / "shared" / "vignettes" / "dev.jsonl"]
)


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: dataclasses field by field, enums by value, mappings
    and sequences in their own order (an order shown to a person is part of the output)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "__type__": type(value).__name__,
            **{f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return [[plain(k), plain(v)] for k, v in value.items()]
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    if isinstance(value, (frozenset, set)):
        return sorted(plain(item) for item in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"no canonical form for {type(value).__name__}: {value!r}")


def _cases() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in CASE_FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if line.strip():
                case = json.loads(line)
                name = f"{path.parent.name}/{path.name}" if path.parent.name == "es" else path.name
                yield f"{name}:{case.get('id', number)}", case


def digests(full: dict[str, str] | None = None) -> dict[str, str]:
    """Key ``path/language/file:case`` -> SHA-256 of that result's canonical JSON (kept
    whole in ``full`` too when it is given, to show what differs)."""
    from crampcheck.domain.i18n import using_language
    from crampcheck.domain.types import Sex
    from crampcheck.services.pipeline import default_pipeline

    pipeline = default_pipeline()
    cases = list(_cases())
    items = [
        (case["text"], case.get("age"), Sex(case["sex"]) if case.get("sex") else None)
        for _, case in cases
    ]
    out: dict[str, str] = {}

    def record(key: str, result: Any) -> None:
        canonical = json.dumps(plain(result), ensure_ascii=False, sort_keys=False)
        out[key] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        if full is not None:
            full[key] = canonical

    for language in ("en", "es"):
        with using_language(language):
            chosen = [
                i for i, (name, _) in enumerate(cases) if language == "en" or name.startswith("es/")
            ]
            for i in chosen:
                record(f"one/{language}/{cases[i][0]}", pipeline.check_text(*items[i]))
            batch = [items[i] for i in chosen]
            for start in range(0, len(batch), 256):
                results = pipeline.check_texts(batch[start : start + 256])
                for i, result in zip(chosen[start : start + 256], results, strict=True):
                    record(f"batch/{language}/{cases[i][0]}", result)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", type=Path, help="record the digests in this file")
    mode.add_argument("--check", type=Path, help="compare with the digests in this file")
    parser.add_argument("--full", type=Path, help="also write every result's JSON here")
    args = parser.parse_args(argv)
    whole: dict[str, str] | None = {} if args.full else None
    found = digests(whole)
    if args.full and whole is not None:
        args.full.write_text("".join(f"{k}\t{v}\n" for k, v in whole.items()), encoding="utf-8")
    if args.write:
        args.write.write_text(
            "".join(f"{key}\t{value}\n" for key, value in found.items()), encoding="utf-8"
        )
        print(f"{len(found)} results recorded in {args.write}")
        return 0
    recorded = dict(
        line.split("\t", 1) for line in args.check.read_text(encoding="utf-8").splitlines()
    )
    differ = [key for key in recorded.keys() | found.keys() if recorded.get(key) != found.get(key)]
    for key in sorted(differ):
        print(f"DIFFERS: {key}")
    print(f"{len(found)} results, {len(differ)} differ from {args.check}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
