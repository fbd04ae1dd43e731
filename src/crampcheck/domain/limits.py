"""Limits on what a person may send, shared by every way in (web, API, command line)."""

MAX_TEXT_CHARS = 5000
"""The longest description accepted; longer text is refused with a clear message."""

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
