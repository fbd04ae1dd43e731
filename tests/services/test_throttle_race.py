"""Guesses sent in parallel cannot slip past the sign-in throttle: each attempt is
counted in one statement before its password is checked (the closing review saw 30
parallel guesses at one account checked 22 times against a limit of 5, and one 500)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from crampcheck.services import accounts, throttle
from crampcheck.services.accounts import AccountError, ThrottledError
from crampcheck.storage.database import make_engine, session_factory, upgrade

pytestmark = pytest.mark.usefixtures("fast_hashing")

GUESSERS = 30


def test_parallel_guesses_are_checked_no_more_often_than_the_limit(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    try:
        with sessions() as session, session.begin():
            accounts.sign_up(session, "victim@example.com", "correct horse battery staple")
        answers: Counter[str] = Counter()
        lock = threading.Lock()
        start = threading.Barrier(GUESSERS)

        def guess(n: int) -> None:
            start.wait()
            try:
                # As the routes do: the refusal is answered, and the count committed.
                with sessions() as session, session.begin():
                    try:
                        accounts.authenticate(
                            session, "victim@example.com", f"guess number {n}", f"10.0.0.{n}"
                        )
                        answer = "signed in"
                    except ThrottledError:
                        answer = "throttled"
                    except AccountError:
                        answer = "wrong"
            except Exception as error:  # noqa: BLE001 - the test counts any failure
                answer = type(error).__name__
            with lock:
                answers[answer] += 1

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        engine.dispose()
    limit = throttle.MAX_FAILURES_PER_ACCOUNT
    assert answers == Counter({"wrong": limit, "throttled": GUESSERS - limit}), answers
