"""The small language of conditions, parsed: a rule's YAML ``when`` compiled into the
condition objects of :mod:`.conditions` (see there for the language), with the path of
any mistake named."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crampcheck.domain.types import Sex
from crampcheck.knowledge.conditions import (
    COMPARATORS,
    AgeCompare,
    All,
    AtLeast,
    Condition,
    Not,
    Present,
    SexIs,
    ValueCompare,
)


class ConditionSyntaxError(ValueError):
    """A condition in the knowledge base is not written in the condition language."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def compile_condition(
    spec: Any, path: str = "when", index: Mapping[str, int] | None = None
) -> Condition:
    """Compile a YAML condition into evaluable nodes, naming ``path`` in any error.

    ``index`` maps finding ids to bit positions (the knowledge base's finding order);
    without it, :meth:`Condition.bits` is meaningless but :meth:`evaluate` still works.
    """
    bits = index or {}

    def build(node: Any, where: str) -> Condition:
        if isinstance(node, str):
            if not node.strip():
                raise ConditionSyntaxError(where, "empty finding id")
            return Present(node, 1 << bits[node] if node in bits else 0)
        if isinstance(node, list):
            return All(tuple(build(s, f"{where}[{i}]") for i, s in enumerate(node)))
        if not isinstance(node, dict) or len(node) == 0:
            raise ConditionSyntaxError(where, f"expected a finding id or a mapping, got {node!r}")
        keys = set(node)
        if keys == {"all"}:
            return All(build_list(node["all"], f"{where}.all"))
        if keys == {"any"}:
            return AtLeast(1, build_list(node["any"], f"{where}.any"))
        if keys == {"not"}:
            return Not(build(node["not"], f"{where}.not"))
        if keys == {"at_least", "of"}:
            count = node["at_least"]
            parts = build_list(node["of"], f"{where}.of")
            if (
                not isinstance(count, int)
                or isinstance(count, bool)
                or not 1 <= count <= len(parts)
            ):
                raise ConditionSyntaxError(
                    f"{where}.at_least", f"must be a whole number from 1 to {len(parts)}"
                )
            return AtLeast(count, parts)
        if "value" in keys:
            comparators = keys - {"value"}
            if len(comparators) != 1 or not comparators <= set(COMPARATORS):
                raise ConditionSyntaxError(
                    where,
                    f"a value condition takes one of {sorted(COMPARATORS)}, got {sorted(keys)}",
                )
            (comparator,) = comparators
            return ValueCompare(
                str(node["value"]), comparator, _number(node[comparator], f"{where}.{comparator}")
            )
        if keys == {"age"}:
            inner = node["age"]
            if not isinstance(inner, dict) or len(inner) != 1 or not set(inner) <= set(COMPARATORS):
                raise ConditionSyntaxError(f"{where}.age", f"takes one of {sorted(COMPARATORS)}")
            ((comparator, threshold),) = inner.items()
            return AgeCompare(comparator, _number(threshold, f"{where}.age.{comparator}"))
        if keys == {"sex"}:
            try:
                return SexIs(Sex(node["sex"]))
            except ValueError:
                raise ConditionSyntaxError(f"{where}.sex", "must be female or male") from None
        valid = "all, any, not, at_least+of, value+gte/gt/lte/lt, age, sex"
        raise ConditionSyntaxError(where, f"unknown keys {sorted(keys)}; valid forms: {valid}")

    def build_list(node: Any, where: str) -> tuple[Condition, ...]:
        if not isinstance(node, list) or not node:
            raise ConditionSyntaxError(where, "expected a non-empty list")
        return tuple(build(s, f"{where}[{i}]") for i, s in enumerate(node))

    return build(spec, path)


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConditionSyntaxError(path, f"expected a number, got {value!r}")
    return float(value)
