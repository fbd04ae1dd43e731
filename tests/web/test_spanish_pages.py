"""The pages in Spanish: the language from the person's choice (the switch on every page,
kept in a cookie), else the browser's Accept-Language, else English; ``<html lang>``
follows it, and dates are written as Spanish writes them."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.test_web_pages import check_text

SPANISH = {"accept-language": "es-MX,es;q=0.9,en;q=0.5"}


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_english_without_a_choice_or_a_browser_language(client: TestClient) -> None:
    page = client.get("/")
    assert _lang(page.text) == "en"
    assert "Cramp, spasm or twitch? Find out what to do" in page.text
    assert "Accept-Language" in page.headers["vary"]


def test_the_browser_language_is_followed(client: TestClient) -> None:
    page = client.get("/", headers=SPANISH)
    assert _lang(page.text) == "es"
    assert "¿Calambre, espasmo o tic? Sepa qué hacer" in page.text
    assert "Cramp, spasm or twitch?" not in page.text


def test_a_language_not_offered_falls_back_to_english(client: TestClient) -> None:
    page = client.get("/", headers={"accept-language": "fr-FR, de;q=0.8"})
    assert _lang(page.text) == "en"


def test_the_switch_is_on_every_page_and_its_choice_sticks(client: TestClient) -> None:
    home = client.get("/check")
    assert 'href="/language/es?next=%2Fcheck"' in home.text
    assert 'lang="es"' in home.text and ">Español<" in home.text
    chosen = client.get("/language/es?next=/check", follow_redirects=False)
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/check"
    assert "cc_lang=es" in chosen.headers["set-cookie"]
    # The choice beats the browser's language, on every page after it.
    again = client.get("/learn", headers={"accept-language": "en"})
    assert _lang(again.text) == "es"
    assert 'href="/language/en?next=%2Flearn"' in again.text
    client.get("/language/en?next=/", follow_redirects=False)
    assert _lang(client.get("/", headers=SPANISH).text) == "en"


def test_the_switch_goes_back_only_to_this_site(client: TestClient) -> None:
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        answer = client.get("/language/es", params={"next": bad}, follow_redirects=False)
        assert answer.headers["location"] == "/"
    unknown = client.get("/language/xx?next=/learn", follow_redirects=False)
    assert unknown.headers["location"] == "/learn"
    assert "set-cookie" not in unknown.headers


def test_the_clinic_side_stays_in_the_clinic_language(client: TestClient) -> None:
    page = client.get("/staff/signin", headers=SPANISH)
    assert _lang(page.text) == "en"
    assert "Staff sign in" in page.text


def test_errors_are_in_the_person_language(client: TestClient) -> None:
    page = client.get("/no-such-page", headers=SPANISH)
    assert page.status_code == 404
    assert "No pudimos encontrar esa página" in page.text


def test_the_knowledge_is_shown_in_spanish(client: TestClient) -> None:
    home = client.get("/", headers=SPANISH).text
    assert "Dolor o presión en el pecho" in home  # an emergency sign, from the overlay
    assert "crampcheck da información general de fuentes públicas de salud" in home
    assert "Chest pain or pressure" not in home
    first = client.get("/check/questions", headers=SPANISH).text
    assert "¿Dónde es?" in first and "la pantorrilla" in first
    assert "Where is it?" not in first


def test_the_level_and_the_kind_are_worded_in_spanish(client: TestClient) -> None:
    client.get("/language/es?next=/check", follow_redirects=False)
    # The level's heading and by when, and the kind's sentence, are policy.yaml's words,
    # from the Spanish overlay (they are not in the catalogue).
    emergency = client.post("/check", data={"text": "chest pain and my calf is cramping"}).text
    assert _lang(emergency) == "es"
    assert "Esto podría ser una emergencia" in emergency
    assert "Para cuándo:</strong> Ahora" in emergency
    assert "This could be an emergency" not in emergency
    result, _steps = check_text(client, "my eyelid keeps twitching")
    assert "Esto parece un espasmo muscular (tics o contracciones)" in result
    assert "This sounds like" not in result
    learn = client.get("/learn/causes").text
    assert "Espasmos y tics" in learn and "Spasms and twitching" not in learn


def test_words_in_neither_language_are_told_so_in_both(client: TestClient) -> None:
    """French is read by neither reader: the confirm step says so in English and in
    Spanish, whatever the page's language; English and Spanish words are not told so."""
    confirm = client.post(
        "/check", data={"text": "j'ai une crampe au mollet depuis hier soir, ça fait très mal"}
    )
    page = client.get(confirm.headers["location"]) if confirm.status_code == 303 else confirm
    assert "We read descriptions in English and Spanish only" in page.text
    assert "Solo leemos descripciones en inglés y en español" in page.text
    english = client.post("/check", data={"text": "my calf cramped last night"})
    english_page = (
        client.get(english.headers["location"]) if english.status_code == 303 else english
    )
    assert "We read descriptions in English and Spanish only" not in english_page.text


def test_the_rules_reasons_and_the_causes_are_in_spanish(client: TestClient) -> None:
    """A result's reasons (the rules' words) and its possible causes (name, summary, who
    can help) come from the Spanish overlays, with the same urgency as the English."""
    client.get("/language/es?next=/check", follow_redirects=False)
    leg, _steps = check_text(client, "my left calf is swollen, warm and red and it cramps")
    assert "Vea a un médico hoy" in leg
    assert "coágulo de sangre en una vena de la pierna (trombosis venosa profunda). " in leg
    assert "Esto necesita revisión hoy." in leg
    assert "Podría ser: Un coágulo de sangre en una vena de la pierna" in leg
    assert "El mismo día: una clínica de atención urgente" in leg
    assert "blood clot in a leg vein" not in leg and "needs checking today" not in leg
    chest = client.post("/check", data={"text": "chest pain and my calf is cramping"}).text
    assert "en el pecho puede ser un ataque al corazón, que necesita ayuda de emergencia" in chest
    assert "Podría ser: Un ataque al corazón (infarto)" in chest
    assert "Sala de emergencias" in chest and "Emergency department" not in chest
