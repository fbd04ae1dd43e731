"""A diary of one episode, begun today, in the words people read: "1 episode", never
"1 episodes", and "covers 1 day", never "0 days", on the patterns page (in English and
in Spanish), in the summary that goes with a request, and on the clinic's view of a
shared diary (issue 14: the new-user walk-through of December 2026 met "you logged 1
episodes", "1 of these 1 episodes", "1 episodes over 0 days" and "covers 0 days")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from crampcheck.domain.diary_charts import counts_of
from crampcheck.domain.i18n import using_language
from crampcheck.services import accounts, diary
from crampcheck.web.pages.diary_patterns import diary_summary
from tests.services.test_accounts import PASSWORD, page_sign_up
from tests.services.test_diary import log, user_id
from tests.web.test_spanish_pages import SPANISH
from tests.web.test_staff_inbox import add_member, as_member, make_request, set_sharing

pytestmark = pytest.mark.usefixtures("fast_hashing")

SLIPS = re.compile(
    r"\b1 (?:episodes|days|times|episodios|días|veces)\b|\b0 (?:days|días)\b"
    r"|\bof these 1\b|\bde estos 1\b",
)


def words(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def one_episode_today(app: FastAPI, owner: str) -> None:
    log(
        app,
        owner,
        started_at=datetime.now(UTC) - timedelta(hours=2),
        site="site_calf",
        pain=5,
        duration_minutes=2,
        tried=("stretching",),
        helped=True,
    )


def test_a_one_episode_diary_reads_in_the_singular(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    one_episode_today(app, user_id(app, "ana@example.com"))
    text = words(client.get("/diary/patterns").text)
    assert "In the last 4 weeks you logged 1 episode, about" in text
    assert "1 episode over 1 day." in text
    assert "of 1 episode was at night" in text
    assert "it covers 1 day." in text and "Your diary covers 1 day;" in text
    assert "Stretching: tried 1 time, followed by relief 1 time." in text
    assert not SLIPS.search(text), SLIPS.search(text)


def test_a_one_episode_diary_reads_in_the_singular_in_spanish(
    client: TestClient, app: FastAPI
) -> None:
    client.headers.update(SPANISH)
    page_sign_up(client, "ana@example.com")
    one_episode_today(app, user_id(app, "ana@example.com"))
    for path in ("/diary/patterns", "/diary/summary"):
        text = words(client.get(path).text)
        assert "anotó 1 episodio, unos" in text, path
        assert "1 episodio en 1 día." in text and "ahora abarca 1 día." in text, path
        assert "lo probó 1 vez y después sintió alivio 1 vez" in text, path
        assert not SLIPS.search(text), (path, SLIPS.search(text))
        assert " time" not in text, path


def test_the_summary_sent_with_a_request_counts_in_the_singular(app: FastAPI) -> None:
    owner = user_id_of_new(app)
    one_episode_today(app, owner)
    with app.state.crampcheck.sessions() as session:
        kb = app.state.crampcheck.pipeline.kb
        found = diary.patterns_of_kind(session, owner, kb, "cramp", now=datetime.now(UTC))
    counts = counts_of(found)
    english = diary_summary(found, counts)
    assert english.startswith("Summary of my crampcheck diary: 1 episode over 1 day.")
    assert "Last 4 weeks: 1 episode (about" in english
    assert "Stretching: tried 1 time, followed by relief 1 time." in english
    with using_language("es"):
        spanish = diary_summary(found, counts, "Calambres")
    assert spanish.startswith("Resumen de mi diario de crampcheck (calambres): 1 episodio en 1 día")
    assert "Últimas 4 semanas: 1 episodio (unos" in spanish
    for summary in (english, spanish):
        assert not SLIPS.search(summary), (summary, SLIPS.search(summary))


def test_the_clinic_reads_a_one_episode_diary_in_the_singular(
    app: FastAPI, client: TestClient
) -> None:
    owner = user_id_of_new(app)
    one_episode_today(app, owner)
    set_sharing(app, owner, True)
    request_id = make_request(app, user_id=owner)
    as_member(client, add_member(app, "clinician"))
    text = words(client.get(f"/staff/requests/{request_id}").text)
    assert "1 episode over 1 day. Last 4 weeks: 1 (about" in text
    assert "of 1 episode was at night." in text
    assert "Median length: 2 minutes (1 episode with a length)." in text
    assert "Median pain: 5 out of 10 (1 episode with a score)." in text
    assert "it covers 1 day, 56 are needed" in text
    assert "Stretching: tried 1 time, followed by relief 1 time." in text
    assert not SLIPS.search(text), SLIPS.search(text)


def user_id_of_new(app: FastAPI, email: str = "one@example.com") -> str:
    with app.state.crampcheck.sessions() as session, session.begin():
        return accounts.sign_up(session, email, PASSWORD).id
