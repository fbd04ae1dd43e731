"""Keep the translation catalogues in step with the code and the templates.

    python3 dev.py catalogues            extract every message into
                                         src/crampcheck/locale/crampcheck.pot and merge it
                                         into each language's .po (new ones empty, changed
                                         ones marked fuzzy, gone ones dropped)
    python3 dev.py catalogues --check    change nothing; list every message of the code and
                                         the templates that a catalogue lacks, leaves empty
                                         or marks fuzzy (exit 1 when there is one)

The messages are found by Babel, as the ``[tool.babel]`` mappings in pyproject.toml say
(``_``/``ngettext`` in the package's Python, ``{{ _() }}``/``ngettext`` in its Jinja2
templates). The same as ``pybabel extract -F pyproject.toml`` and ``pybabel update``.
Only the .po files are kept: crampcheck compiles them in memory when it starts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "crampcheck" / "locale"
DOMAIN = "crampcheck"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
LANGUAGES = ("es",)
"""The languages with a catalogue (English is the source and needs none)."""


def _pybabel(*args: str) -> None:
    # From the project's folder, so that the catalogues name files by relative paths.
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", *args])
    finally:
        os.chdir(here)


def extract(into: Path) -> Catalog:
    """Every message of the code and the templates, written to ``into`` as a .pot file."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "pyproject.toml"),
        "-o",
        str(into),
        "--add-location=file",
        "--sort-output",
        "--project=crampcheck",
        "--no-wrap",
        "src/crampcheck",
    )
    with into.open("rb") as source:
        return read_po(source)


def catalogue_file(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Gap:
    """A message that a language's catalogue does not translate (yet)."""

    language: str
    msgid: str
    why: str  # "missing", "empty" or "fuzzy"


def gaps(template: Catalog, language: str) -> list[Gap]:
    """The messages of ``template`` that ``language``'s catalogue lacks, leaves empty or
    marks fuzzy (fuzzy translations are not shown: the English is)."""
    path = catalogue_file(language)
    if not path.is_file():
        return [Gap(language, str(m.id), "missing") for m in template if m.id]
    with path.open("rb") as source:
        translated = read_po(source, locale=language)
    found: list[Gap] = []
    for message in template:
        if not message.id:
            continue
        have = translated.get(message.id, message.context)
        text = str(message.id if isinstance(message.id, str) else message.id[0])
        if have is None:
            found.append(Gap(language, text, "missing"))
        elif have.fuzzy:
            found.append(Gap(language, text, "fuzzy"))
        elif not (all(have.string) if isinstance(have.string, tuple) else have.string):
            found.append(Gap(language, text, "empty"))
    return found


def update() -> None:
    """Write the .pot anew (when its messages changed) and merge it into each .po."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh_path = Path(scratch) / f"{DOMAIN}.pot"
        fresh = extract(fresh_path)
        old_ids: set[object] = set()
        if TEMPLATE.is_file():
            with TEMPLATE.open("rb") as source:
                old_ids = {(m.id, m.context) for m in read_po(source) if m.id}
        if old_ids != {(m.id, m.context) for m in fresh if m.id}:
            TEMPLATE.write_bytes(fresh_path.read_bytes())
            print(f"wrote {TEMPLATE.relative_to(ROOT)}")
    for language in LANGUAGES:
        path = catalogue_file(language)
        command = "update" if path.is_file() else "init"
        extra = ["--ignore-obsolete", "--no-wrap"] if command == "update" else ["--no-wrap"]
        _pybabel(
            command, "-i", str(TEMPLATE), "-d", str(LOCALE), "-D", DOMAIN, "-l", language, *extra
        )
        print(f"updated {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 dev.py catalogues", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; list untranslated messages"
    )
    args = parser.parse_args(argv)
    if not args.check:
        update()
    with tempfile.TemporaryDirectory() as scratch:
        template = extract(Path(scratch) / f"{DOMAIN}.pot")
    found = [gap for language in LANGUAGES for gap in gaps(template, language)]
    for gap in found:
        print(f"{gap.language}: {gap.why}: {gap.msgid}")
    total = sum(1 for m in template if m.id)
    print(f"{total} messages; {len(found)} not translated in {', '.join(LANGUAGES)}")
    return 1 if found and args.check else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
