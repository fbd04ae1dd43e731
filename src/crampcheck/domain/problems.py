"""How the problems found in a data file (the knowledge base's YAML, a clinic file) are
told to the person who wrote it: each problem's place in the file, then what is wrong."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def listed(problems: Iterable[Mapping[str, object]]) -> str:
    """One line for validation problems (each with a ``loc`` path and a ``msg``), such as
    ``hours.0.opens: Input should be a valid time; name: Field required``; a problem of
    the whole document is placed at ``(top)``."""
    return "; ".join(f"{_place(problem.get('loc'))}: {problem.get('msg')}" for problem in problems)


def _place(loc: object) -> str:
    parts: Sequence[object] = loc if isinstance(loc, Sequence) and not isinstance(loc, str) else ()
    return ".".join(str(part) for part in parts) or "(top)"
