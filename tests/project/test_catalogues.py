"""The translation catalogues keep up with the code: every message of the Python code and
the templates (extracted now, by Babel, as ``python3 dev.py catalogues`` does) is in the
Spanish catalogue, translated and not fuzzy, with the same placeholders; a new English
string without its Spanish fails here."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from crampcheck.domain.i18n import _, ngettext, pgettext, using_language

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "catalogues.py"


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogues", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def extracted(tool: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    template: Catalog = tool.extract(tmp_path_factory.mktemp("pot") / "crampcheck.pot")
    return template


def test_extraction_finds_the_messages_of_code_and_templates(extracted: Catalog) -> None:
    ids = {m.id for m in extracted if m.id}
    assert "Skip to main content" in ids  # base.html
    assert "Please describe what is happening, in a few words." in ids  # check.py
    assert ("%(num)d episode", "%(num)d episodes") in ids  # ngettext in a template
    assert len(ids) > 700


def test_every_message_has_its_spanish(tool: ModuleType, extracted: Catalog) -> None:
    gaps = tool.gaps(extracted, "es")
    assert not gaps, (
        f"{len(gaps)} messages lack Spanish (run `python3 dev.py catalogues` and translate "
        "them in src/crampcheck/locale/es/LC_MESSAGES/crampcheck.po): "
        + "; ".join(f"{g.why}: {g.msgid}" for g in gaps[:20])
    )


def test_a_new_message_is_reported(tool: ModuleType, extracted: Catalog) -> None:
    extracted.add("A sentence nobody has translated yet")
    try:
        gaps = tool.gaps(extracted, "es")
    finally:
        extracted.delete("A sentence nobody has translated yet")
    assert [(g.why, g.msgid) for g in gaps] == [("missing", "A sentence nobody has translated yet")]


def test_translations_keep_the_placeholders(tool: ModuleType) -> None:
    with tool.catalogue_file("es").open("rb") as source:
        spanish = read_po(source, locale="es")
    problems = [(m.id, errors) for m, errors in spanish.check()]
    assert not problems
    placeholder = re.compile(r"%\((\w+)\)")
    for message in spanish:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(placeholder.findall(" ".join(ids)))
        for string in strings:
            assert set(placeholder.findall(string)) == wanted, message.id


def test_the_catalogue_is_used_at_run_time() -> None:
    with using_language("es"):
        assert _("Skip to main content") == "Saltar al contenido principal"
        assert ngettext("%(num)d episode", "%(num)d episodes", 1) == "%(num)d episodio"
        assert ngettext("%(num)d episode", "%(num)d episodes", 3) == "%(num)d episodios"
        assert pgettext("body part", "Back") == "Espalda"
        assert _("Back") == "Volver"
    assert _("Skip to main content") == "Skip to main content"
