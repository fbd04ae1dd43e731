"""Clinic files: each location's address and opening hours, validated, and shown US style."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from crampcheck.clinic import ClinicError, load_clinic
from crampcheck.clinic.hours import clock_time, parse_days

ROWS = [
    {"days": "Mon-Fri", "opens": "08:00", "closes": "17:00"},
    {"days": "Sat", "opens": "09:00", "closes": "12:30"},
]


def clinic_file(tmp_path: Path, **location: Any) -> Path:
    data = load_clinic().model_dump(mode="json", exclude_none=True)
    data["locations"][0].update(location)
    path = tmp_path / "clinic.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_hours_and_address_read_as_a_us_reader_expects(tmp_path: Path) -> None:
    path = clinic_file(
        tmp_path, address="100 Example Way, Suite 2", postal_code="84070", hours=ROWS
    )
    location = load_clinic(path).locations[0]
    assert [row.label for row in location.hours] == [
        "Mon\u2013Fri 8:00 AM \u2013 5:00 PM",
        "Sat 9:00 AM \u2013 12:30 PM",
    ]
    assert location.closed_days == "Sun"
    assert location.town_line == "Salt Lake City, Utah 84070"
    assert location.hours_text == "Mon\u2013Fri 8:00 AM \u2013 5:00 PM; Sat 9:00 AM \u2013 12:30 PM"


def test_the_times_of_day_in_us_style() -> None:
    assert [clock_time(t) for t in ("00:00", "07:05", "12:00", "12:30", "13:00", "23:59")] == [
        "12:00 AM",
        "7:05 AM",
        "12:00 PM",
        "12:30 PM",
        "1:00 PM",
        "11:59 PM",
    ]


def test_days_are_a_day_a_range_or_a_list() -> None:
    assert parse_days("Mon-Fri") == (0, 1, 2, 3, 4)
    assert parse_days("sat") == (5,)
    assert parse_days("Mon, Wed, Friday") == (0, 2, 4)
    for bad in ("Fri-Mon", "Funday", "Mon,,Tue", "Mon, Mon", ""):
        with pytest.raises(ValueError):
            parse_days(bad)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("Mon-Fri 8-5", "opening hours are a list of rows"),
        ([{"days": "Mon-Fri", "opens": 480, "closes": "17:00"}], "must be quoted"),
        ([{"days": "Mon-Fri", "opens": "8am", "closes": "17:00"}], "not a 24-hour time"),
        ([{"days": "Mon-Fri", "opens": "17:00", "closes": "08:00"}], "not after it opens"),
        ([{"days": "Mon-Fry", "opens": "08:00", "closes": "17:00"}], "unknown day 'Fry'"),
        ([{"days": "Mon", "opens": "08:00", "closes": "17:00", "note": "x"}], "note"),
        ([*ROWS, {"days": "Fri", "opens": "16:00", "closes": "18:00"}], "overlaps hours[0] on Fri"),
    ],
)
def test_a_bad_opening_hours_row_is_a_clear_error(
    tmp_path: Path, hours: object, message: str
) -> None:
    with pytest.raises(ClinicError) as error:
        load_clinic(clinic_file(tmp_path, hours=hours))
    text = str(error.value)
    assert "locations.0.hours" in text and message in text, text


def test_unquoted_times_in_the_file_are_refused_not_misread(tmp_path: Path) -> None:
    """YAML 1.1 reads an unquoted 8:00 as the number 480: refused, never 00:08."""
    path = clinic_file(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "  hours: []\n", "  hours:\n  - {days: Mon-Fri, opens: 8:00, closes: 17:00}\n", 1
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ClinicError, match="must be quoted"):
        load_clinic(path)


def test_split_hours_on_one_day_are_allowed(tmp_path: Path) -> None:
    rows = [
        {"days": "Mon", "opens": "08:00", "closes": "12:00"},
        {"days": "Mon", "opens": "13:00", "closes": "17:00"},
    ]
    location = load_clinic(clinic_file(tmp_path, hours=rows)).locations[0]
    assert location.closed_days == "Tue, Wed, Thu, Fri, Sat, Sun"


def test_a_bad_zip_code_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClinicError, match="locations.0.postal_code"):
        load_clinic(clinic_file(tmp_path, postal_code="8407"))


def test_a_clinic_stored_with_hours_as_text_still_loads(tmp_path: Path) -> None:
    """A clinic registered before hours were rows keeps working (without those hours)."""
    from datetime import UTC, datetime

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from crampcheck.services.clinics import get_clinic
    from crampcheck.storage.database import upgrade
    from crampcheck.storage.tables import ClinicRecord

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    engine = create_engine(url)
    definition = load_clinic().model_dump(mode="json")
    definition["locations"][0]["hours"] = "Mon-Fri 9-5"
    now = datetime.now(UTC)
    try:
        with Session(engine) as session, session.begin():
            session.add(
                ClinicRecord(
                    id="old", name="Old", definition=definition, created_at=now, updated_at=now
                )
            )
        with Session(engine) as session:
            stored = get_clinic(session, "old")
        assert stored is not None and stored.locations[0].hours == ()
    finally:
        engine.dispose()
