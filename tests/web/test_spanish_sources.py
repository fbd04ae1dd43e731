"""A Spanish reader is sent to a source's Spanish page where it has one (MedlinePlus en
español): on the result page, on Learn and in the command line's answer; an English
reader to the English page."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from crampcheck import cli
from tests.cli.test_cli import flat, run
from tests.web.test_spanish_pages import SPANISH
from tests.web.test_web_pages import check_text

SCORPION = "Me picó un alacrán en la mano y ahora tengo espasmos en los músculos y babeo"
SPANISH_PAGE = 'href="https://medlineplus.gov/spanish/ency/article/002850.htm"'
ENGLISH_PAGE = 'href="https://medlineplus.gov/ency/article/002850.htm"'


def test_the_spanish_result_page_cites_the_spanish_page(client: TestClient) -> None:
    client.headers.update(SPANISH)
    html, _steps = check_text(client, SCORPION)
    assert 'lang="es"' in html
    assert SPANISH_PAGE in html and ENGLISH_PAGE not in html


def test_the_english_result_page_cites_the_english_page(client: TestClient) -> None:
    html, _steps = check_text(client, SCORPION)
    assert ENGLISH_PAGE in html and SPANISH_PAGE not in html


def test_learn_lists_the_spanish_pages_for_a_spanish_reader(client: TestClient) -> None:
    spanish = client.get("/learn/sources", headers=SPANISH)
    assert spanish.status_code == 200
    for article in ("002850", "000039", "001066", "000764"):
        assert f'href="https://medlineplus.gov/spanish/ency/article/{article}.htm"' in spanish.text
    # Drug information has no Spanish page at a known address: the English one stays.
    assert 'href="https://medlineplus.gov/druginfo/meds/a682530.html"' in spanish.text
    english = client.get("/learn/sources")
    assert ENGLISH_PAGE in english.text and "medlineplus.gov/spanish/" not in english.text


def test_the_command_line_cites_the_spanish_page(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(capsys, "assess", "--lang", "es", "--text", SCORPION)
    assert code == cli.EXIT_OK
    assert "https://medlineplus.gov/spanish/ency/article/002850.htm" in flat(out)
    code, out, _ = run(capsys, "assess", "--text", SCORPION)
    assert "https://medlineplus.gov/ency/article/002850.htm" in flat(out)
