"""The knowledge base's texts in other languages: overlays keyed by the English items' ids.

The English YAML files stay as they are. Beside them, ``data/<language>/<same name>.yaml``
holds the translation of the texts a person reads, in the English file's shape, with
each list of records turned into a mapping keyed by the record's ``id`` (``slug`` for a
Learn page, ``finding`` for an emergency sign or a kind signal), for instance::

    findings:
      sustained_contraction:
        label: un calambre que no se suelta
        question: ¿El músculo se aprieta en un nudo duro y doloroso?
        why: Un apretón sostenido y doloroso es un calambre.

A list without ids (an advice item's ``steps`` or ``contraindications``, a Learn
section's statements) is given in full, item by item, ``null`` keeping the English of an
item. Top-level keys starting with ``x-`` hold an overlay's own YAML anchors (a text
shared by several items, as in the English file) and are not put in. Before the files are
validated by their schemas, the translated texts replace the English ones, so a
translated knowledge base is the same knowledge (ids, rules, lexicon, sources) with
other words shown, and it is validated exactly as the English one is.

Only texts are translated (:data:`TEXT_KEYS`); the words the reader looks for
(``lexicon``, ``lay``, ``denials``) and a rule's test cases are never: an overlay that
names an unknown id, a key that is not a text, or drops a ``{placeholder}`` is refused
with the file and the key. :func:`coverage` counts how many of the texts a person can
see have a translation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from crampcheck.knowledge.compiled import KnowledgeError

TEXT_KEYS = frozenset(
    {
        "label",
        "also_text",
        "denied_label",
        "question",
        "why",
        "unit",
        "name",
        "summary",
        "clinician",
        "reason",
        "action",
        "because",
        "instead",
        "text",
        "title",
        "steps",
        "stop",
        "heading",
        "by_when",
        "topic",
        "note",
        "alt",
        "disclaimer",
        "default_reason",
        "no_findings_reason",
        "emergency_sign_reason",
        "unexplained_warning_sign_reason",
        "level_actions",
        "request_next_steps",
        "terms",
        "statements",
        "sections",
        "cautions",
        "contraindications",
        "evidence",
        "kind_signals",
    }
)
"""Keys whose strings (or whose strings below them) are words a person reads."""

NEVER_KEYS = frozenset(
    {
        "id",
        "slug",
        "finding",
        "lexicon",
        "lay",
        "denials",
        "nearby",
        "cases",
        "sources",
        "codes",
        "url",
        "emergency_number",
        "kind",
        "level",
        "strength",
        "advice",
        "include",
        "when",
        "unless",
        "taken_as",
    }
)
"""Keys that are never translated: ids, the reader's words, test cases, logic."""

TRANSLATED_FILES = (
    "findings_*.yaml",
    "conditions.yaml",
    "rules_*.yaml",
    "advice.yaml",
    "questions.yaml",
    "care_pathways.yaml",
    "emergency_signs.yaml",
    "policy.yaml",
    "learn.yaml",
)
"""The files whose texts a person sees (the sources, the lexicon and the diary mapping
are not shown as prose)."""

IDENTITY_KEYS = ("id", "slug", "finding")

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _identity(items: list[Any]) -> str | None:
    """The key that names each record of a list, when every record has it."""
    for key in IDENTITY_KEYS:
        if items and all(isinstance(item, dict) and key in item for item in items):
            return key
    return None


def _translatable(path: tuple[str, ...]) -> bool:
    """Whether the string at ``path`` (from the file's top) is a text to translate. The
    first key names the file's list of records, not a field of one: advice.yaml's
    ``advice`` holds the texts a person reads, where a rule's ``advice`` lists ids."""
    return any(k in TEXT_KEYS for k in path) and not any(k in NEVER_KEYS for k in path[1:])


def overlay(english: Any, translated: Any, where: str, path: tuple[str, ...] = ()) -> Any:
    """``english`` with the texts of ``translated`` put in (see the module's docstring)."""
    if translated is None:
        return english
    if isinstance(translated, str):
        if not isinstance(english, str):
            raise KnowledgeError(f"{where}: the English here is not a text")
        if not _translatable(path):
            raise KnowledgeError(f"{where}: '{'.'.join(path)}' is not a text to translate")
        if not translated.strip():
            raise KnowledgeError(f"{where}: the translation is empty")
        missing = set(_PLACEHOLDER.findall(english)) - set(_PLACEHOLDER.findall(translated))
        if missing:
            raise KnowledgeError(f"{where}: the translation drops {sorted(missing)}")
        return translated
    if isinstance(translated, dict) and isinstance(english, list):
        key = _identity(english)
        if key is None:
            raise KnowledgeError(f"{where}: this list has no ids; give it as a list")
        position = {str(item[key]): i for i, item in enumerate(english)}
        merged = list(english)
        for item_id, text in translated.items():
            if str(item_id) not in position:
                raise KnowledgeError(f"{where}: no item '{item_id}' in the English")
            i = position[str(item_id)]
            merged[i] = overlay(english[i], text, f"{where}[{item_id}]", path)
        return merged
    if isinstance(translated, dict):
        if not isinstance(english, dict):
            raise KnowledgeError(f"{where}: the English here is not a mapping")
        merged_map = dict(english)
        for key, text in translated.items():
            if str(key).startswith("x-"):
                continue  # the overlay's own shared YAML anchors, not texts to put in
            if key not in english:
                raise KnowledgeError(f"{where}: no key '{key}' in the English")
            merged_map[key] = overlay(english[key], text, f"{where}.{key}", (*path, str(key)))
        return merged_map
    if isinstance(translated, list):
        if not isinstance(english, list) or len(english) != len(translated):
            raise KnowledgeError(f"{where}: give one entry for each of the English list's")
        return [
            overlay(e, t, f"{where}[{i}]", path)
            for i, (e, t) in enumerate(zip(english, translated, strict=True))
        ]
    raise KnowledgeError(f"{where}: a translation is text, a list or a mapping")


def texts(english: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every text a person can read in an English file: (its address, the text), the
    address naming records by their id as the overlay does."""
    if isinstance(english, str):
        if _translatable(path) and english.strip():
            yield path, english
    elif isinstance(english, dict):
        for key, value in english.items():
            if not str(key).startswith("x-"):
                yield from texts(value, (*path, str(key)))
    elif isinstance(english, list):
        key = _identity(english)
        for i, item in enumerate(english):
            label = f"[{item[key]}]" if key else f"[{i}]"
            yield from texts(item, (*path, label))


@dataclass(frozen=True)
class Coverage:
    """How much of one language's knowledge base is translated."""

    language: str
    translated: int
    total: int
    missing: tuple[str, ...]
    """The address of each text still in English only (``file: path``)."""

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


SAME_WORDS_AT_MOST = 3
"""A text an overlay gives equal to its English counts as translated only up to this many
words: a name or a word both languages share ('diabetes', 'NHS 111'); a sentence left
in English is a copy, not a translation."""


def given(english: Any, translated: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The address (as :func:`texts` names it) of every text ``translated`` gives for
    ``english``; both are walked as :func:`overlay` does, which has checked them."""
    if translated is None:
        return
    if isinstance(translated, str):
        yield path
    elif isinstance(translated, dict) and isinstance(english, list):
        key = _identity(english)
        for item_id, text in translated.items():
            match = [item for item in english if str(item[key]) == str(item_id)]
            yield from given(match[0], text, (*path, f"[{item_id}]"))
    elif isinstance(translated, dict) and isinstance(english, dict):
        for key, text in translated.items():
            if not str(key).startswith("x-"):
                yield from given(english[key], text, (*path, str(key)))
    elif isinstance(translated, list) and isinstance(english, list):
        key = _identity(english)
        for i, (item, text) in enumerate(zip(english, translated, strict=True)):
            yield from given(item, text, (*path, f"[{item[key]}]" if key else f"[{i}]"))


def coverage(english_files: dict[str, Any], overlays: dict[str, Any], language: str) -> Coverage:
    """Count the texts of ``english_files`` (name -> parsed YAML) that the ``overlays``
    (name -> the parsed ``<language>/<name>``, where there is one) put in another
    language: a text the overlay does not give, or gives equal to its English in more
    than :data:`SAME_WORDS_AT_MOST` words, counts as untranslated."""
    total = 0
    done = 0
    missing: list[str] = []
    for name, english in english_files.items():
        raw = overlays.get(name)
        merged = dict(texts(overlay(english, raw, f"{language}/{name}")))
        provided = set(given(english, raw))
        for address, text in texts(english):
            total += 1
            shown = merged.get(address, text)
            same_word = address in provided and len(text.split()) <= SAME_WORDS_AT_MOST
            if shown != text or same_word:
                done += 1
            else:
                missing.append(f"{name}: {'.'.join(address)}")
    return Coverage(language, done, total, tuple(missing))
