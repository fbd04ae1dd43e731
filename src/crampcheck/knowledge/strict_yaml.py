"""YAML that refuses a key given twice in one mapping.

PyYAML keeps the last of two equal keys without a word, so a rule pasted over another
("reason:" twice) would silently take the second one's meaning. Knowledge-base and clinic
files are read with this loader instead, and such a file is refused with its line.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that raises on a duplicate key in any mapping."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key!r} is given twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load(text: str) -> Any:
    """Parse YAML text like ``yaml.safe_load``, refusing duplicate keys."""
    # a SafeLoader subclass: only plain YAML types are built
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506  # nosec B506
