"""The home page, the Learn leaflet and the clinic page (issue 14, item 7)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
import yaml
from markupsafe import escape
from starlette.testclient import TestClient

from crampcheck.clinic import load_clinic
from crampcheck.knowledge import KnowledgeBase
from crampcheck.services.pipeline import Pipeline
from crampcheck.settings import Settings


def test_the_clinic_page_shows_each_locations_address_and_opening_hours(
    web_settings: Settings, pipeline: Pipeline, tmp_path: Path
) -> None:
    from crampcheck.storage.database import upgrade
    from crampcheck.web.app import create_app

    data = load_clinic().model_dump(mode="json", exclude_none=True)
    data["locations"][1].update(
        address="100 Example Way, Suite 2",
        postal_code="84070",
        hours=[
            {"days": "Mon-Thu", "opens": "08:00", "closes": "17:00"},
            {"days": "Fri", "opens": "08:00", "closes": "12:00"},
        ],
    )
    clinic_file = tmp_path / "clinic.yaml"
    clinic_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    upgrade(web_settings.effective_database_url)
    app = create_app(web_settings.model_copy(update={"clinic_file": clinic_file}), pipeline)
    try:
        with TestClient(app) as client:
            html = client.get("/clinic").text
            api = client.get("/api/v1/clinic").json()
    finally:
        app.state.crampcheck.engine.dispose()
    sandy = html[html.index("<h3>Sandy</h3>") : html.index("<h3>West Jordan</h3>")]
    assert "<address>100 Example Way, Suite 2<br>Sandy, Utah 84070</address>" in sandy
    assert "<li>Mon\u2013Thu 8:00 AM \u2013 5:00 PM</li>" in sandy
    assert "<li>Fri 8:00 AM \u2013 12:00 PM</li>" in sandy
    assert "<li>Closed Sat, Sun</li>" in sandy
    salt_lake = html[html.index("<h3>Salt Lake City</h3>") : html.index("<h3>Sandy</h3>")]
    assert "Street address not published" in salt_lake
    assert "Call the clinic for opening hours." in salt_lake
    located = api["locations"][1]
    assert located["hours"] == "Mon\u2013Thu 8:00 AM \u2013 5:00 PM; Fri 8:00 AM \u2013 12:00 PM"
    assert located["opening_hours"][1] == {
        "days": "Fri",
        "opens": "08:00",
        "closes": "12:00",
        "label": "Fri 8:00 AM \u2013 12:00 PM",
    }
    assert api["locations"][0]["hours"] is None and api["locations"][0]["opening_hours"] == []


# ---------------------------------------------------------------- the Learn leaflet

LEARN_PAGES = [
    "/learn/cramps-and-spasms",
    "/learn/causes",
    "/learn/home-treatment",
    "/learn/professional-treatment",
    "/learn/when-to-see-a-doctor",
    "/learn/sources",
]
STATIC = Path(__file__).resolve().parents[2] / "src" / "crampcheck" / "web" / "static"


def leaflet_text(html: str) -> str:
    """What a person reads of a Learn page's own text: its title, summary and leaflet,
    without the citation numbers, the site's header and footer or the source list."""
    head = re.search(r"<h1>(.*?)</h1>\s*<p class=\"lead\">(.*?)</p>", html, re.S)
    body = re.search(
        r'<div class="leaflet">(.*?)</div>\s*(<section aria-labelledby="sources|<p class="disc)',
        html,
        re.S,
    )
    assert head is not None and body is not None
    text = f"{head.group(1)}. {head.group(2)}\n{body.group(1)}"
    text = re.sub(r'<span class="cites">.*?</span>', "", text, flags=re.S)
    text = re.sub(r'<ol class="sources">.*?</ol>', "", text, flags=re.S)
    text = re.sub(r"</(p|li|h\d|figcaption)>", ".\n", text)
    return unescape(re.sub(r"<[^>]+>", " ", text))


def long_sentences(text: str) -> list[str]:
    found = []
    for sentence in re.split(r"(?<=[.!?:;])\s+|\n", text):
        words = re.findall(r"[a-z0-9']+", sentence.lower())
        if len(words) > 8:
            found.append(" ".join(words))
    return found


def test_no_sentence_of_more_than_8_words_is_said_twice_across_the_learn_pages(
    client: TestClient,
) -> None:
    seen: dict[str, str] = {}
    repeats = []
    for path in LEARN_PAGES:
        for sentence in long_sentences(leaflet_text(client.get(path).text)):
            if sentence in seen:
                repeats.append(f"{path} repeats {seen[sentence]}: {sentence!r}")
            seen.setdefault(sentence, path)
    assert len(seen) > 100, "the leaflet's text was found"
    assert not repeats, "\n".join(repeats)


def test_the_repeat_check_finds_a_repeated_sentence() -> None:
    """The extraction above sees a sentence said twice, across lines and citations."""
    html = (
        '<h1>T</h1><p class="lead">S</p><div class="leaflet"><p>A cramp is a muscle that '
        'tightens and will not let go. <span class="cites">[1]</span></p><ul><li>A cramp is '
        'a muscle that tightens and will not let go</li></ul></div><p class="disclaimer-short">'
    )
    sentences = long_sentences(leaflet_text(html))
    assert len(sentences) == 2 and sentences[0] == sentences[1]


def test_every_learn_statement_comes_from_the_leaflet_and_cites_a_source(
    client: TestClient, kb: KnowledgeBase
) -> None:
    for leaflet_page in kb.leaflet.pages:
        html = client.get(f"/learn/{leaflet_page.slug}").text
        statements = [*leaflet_page.intro]
        for section in leaflet_page.sections:
            statements += [*section.paragraphs, *section.points]
        for statement in statements:
            text = str(escape(statement.text.replace("{emergency_number}", "911")))
            assert re.search(re.escape(text) + r' <span class="cites">\[<a href="#source-', html), (
                leaflet_page.slug,
                statement.text,
            )
    index = client.get("/learn").text
    index = index[index.index('<ul class="topic-list">') :]
    index = index[: index.index("</ul>")]
    assert [p.slug for p in kb.leaflet.pages] == re.findall(r'href="/learn/([a-z-]+)"', index)


def test_the_learn_page_lists_the_same_emergency_signs_as_home(
    client: TestClient, kb: KnowledgeBase
) -> None:
    def signs(html: str) -> list[str]:
        block = html[html.index('<ul class="emergency-signs">') :]
        block = block[: block.index("</ul>")]
        items = re.findall(r"<li>(.*?)</li>", block, re.S)
        return [re.sub(r'\s*<span class="cites">.*', "", i, flags=re.S) for i in items]

    home = signs(client.get("/").text)
    learn = signs(client.get("/learn/when-to-see-a-doctor").text)
    assert home == learn == [str(escape(s.label)) for s in kb.emergency_signs]


def test_the_stretches_are_drawn_beside_the_stretch_advice(
    client: TestClient, kb: KnowledgeBase
) -> None:
    html = client.get("/learn/home-treatment").text
    stretch = next(a.spec for a in kb.advice if a.spec.id == "stretch")
    article = html[html.index(f"<h3>{stretch.title}</h3>") :]
    article = article[: article.index("</article>")]
    drawn = {d.id for d in kb.leaflet.drawings}
    assert drawn == {"calf-stretch", "hamstring-stretch", "quadriceps-stretch", "plantar-stretch"}
    for drawing in kb.leaflet.drawings:
        assert drawing.advice == "stretch"
        img = f'<img src="/static/drawings/{drawing.id}.svg" alt="{escape(drawing.alt)}"'
        assert img in article, drawing.id
        assert str(escape(drawing.how.text)) in article
        response = client.get(f"/static/drawings/{drawing.id}.svg")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")


def test_each_drawing_is_a_hand_written_svg_with_its_text_alternative(kb: KnowledgeBase) -> None:
    files = sorted(p.stem for p in (STATIC / "drawings").glob("*"))
    assert files == sorted(d.id for d in kb.leaflet.drawings)
    for drawing in kb.leaflet.drawings:
        svg = (STATIC / "drawings" / f"{drawing.id}.svg").read_text(encoding="utf-8")
        title_id = f"{drawing.id}-title"
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
        assert f'role="img" aria-labelledby="{title_id}"' in svg
        assert f'<title id="{title_id}">{escape(drawing.alt)}</title>' in svg
        # nothing from elsewhere: no links, images, fonts, scripts or styles to fetch
        without_namespace = svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
        for forbidden in ("http", "href", "<image", "<script", "@import", "url("):
            assert forbidden not in without_namespace, (drawing.id, forbidden)


NURSE_LINE = "(801) 555-0142"


def test_a_nurse_line_in_the_clinic_file_is_shown_where_advice_today_helps(
    web_settings: Settings, pipeline: Pipeline, tmp_path: Path
) -> None:
    """Issue 14: urgent results said "or a nurse line" with no number to call. A clinic
    file's ``nurse_line`` is shown on the clinic page, the API and urgent or doctor
    results, as a link a phone can call; never on a self-care result."""
    from crampcheck.storage.database import upgrade
    from crampcheck.web.app import create_app
    from tests.web.test_web_pages import SELF_CARE_TEXT, check_text

    data = load_clinic().model_dump(mode="json", exclude_none=True)
    data["nurse_line"] = NURSE_LINE
    clinic_file = tmp_path / "clinic.yaml"
    clinic_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    upgrade(web_settings.effective_database_url)
    app = create_app(web_settings.model_copy(update={"clinic_file": clinic_file}), pipeline)
    link = f'<a href="tel:8015550142">{escape(NURSE_LINE)}</a>'
    try:
        with TestClient(app) as client:
            assert link in client.get("/clinic").text
            api = client.get("/api/v1/clinic").json()
            urgent, _ = check_text(
                client, "My calf has been cramped for 35 minutes and is still hard"
            )
            self_care, _ = check_text(client, SELF_CARE_TEXT)
    finally:
        app.state.crampcheck.engine.dispose()
    assert api["nurse_line"] == NURSE_LINE and api["nurse_line_link"] == "tel:8015550142"
    assert "Nurse line, for advice today:" in urgent and link in urgent
    assert NURSE_LINE not in self_care


def test_without_a_nurse_line_none_is_shown_and_a_bad_one_is_refused(
    client: TestClient, tmp_path: Path
) -> None:
    from crampcheck.clinic import ClinicError

    assert "Nurse line" not in client.get("/clinic").text
    assert client.get("/api/v1/clinic").json()["nurse_line"] is None
    data = load_clinic().model_dump(mode="json", exclude_none=True)
    data["nurse_line"] = "call the nurses"
    bad = tmp_path / "clinic.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ClinicError, match="nurse_line"):
        load_clinic(bad)
