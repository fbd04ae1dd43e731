"""Limits on what a person may send, shared by every way in (web, API, command line)."""

MAX_TEXT_CHARS = 5000
"""The longest description accepted; longer text is refused with a clear message."""

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
"""Dates a person may give or filter by: outside these years a date is refused (one near
the ends of the calendar cannot even be moved to another time zone)."""


def sane_year(year: int) -> bool:
    """Whether a date in ``year`` is one crampcheck takes."""
    return EARLIEST_YEAR <= year <= LATEST_YEAR


LONE_SURROGATE = "a character that is not valid text (half of an emoji?)"
"""Why a string holding half of a UTF-16 surrogate pair is refused: it cannot be stored,
shown or written to a log, so it is refused where it comes in."""


def has_lone_surrogate(value: object) -> bool:
    """Whether ``value`` (a string, or a list or mapping holding strings, at any depth)
    holds a lone surrogate code point, such as JSON's ``"\\ud83d"`` without its pair."""
    if isinstance(value, str):
        return any("\ud800" <= character <= "\udfff" for character in value)
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_lone_surrogate(item) for item in value)
    return False


CONTROL_CHARACTER = "a control character (such as NUL)"
"""Why text holding a control character other than a tab or a line break is refused:
no person types one, and PostgreSQL cannot store NUL in text."""

_ALLOWED_CONTROLS = frozenset("\t\n\r")


def has_control_character(value: object) -> bool:
    """Whether ``value`` (a string, or a list or mapping holding strings, at any depth)
    holds a control character other than a tab, a line feed or a carriage return."""
    if isinstance(value, str):
        return any(
            (character < " " and character not in _ALLOWED_CONTROLS) or character == "\x7f"
            for character in value
        )
    if isinstance(value, dict):
        return any(has_control_character(k) or has_control_character(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_control_character(item) for item in value)
    return False


def unusable_text(value: object) -> str | None:
    """What makes ``value`` unusable as text (a lone surrogate or a control character),
    or None when it is fine."""
    if has_lone_surrogate(value):
        return LONE_SURROGATE
    if has_control_character(value):
        return CONTROL_CHARACTER
    return None
