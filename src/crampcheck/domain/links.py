"""Web addresses that data files put into links (a clinic's website, a source's page).

A link's target is the one place where text from a data file becomes something a browser
acts on: ``javascript:`` runs script and ``data:`` opens a page of its own. Only ``http``
and ``https`` addresses with a host are taken (the security review's L9); the
Content-Security-Policy would stop the script, but the page must not offer the link.
"""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})


def web_address(value: str) -> str:
    """``value`` if it is an absolute ``http(s)://host...`` address; a ``ValueError``
    saying what is wanted otherwise (for a model's field validator)."""
    problem = _problem(value)
    if problem:
        raise ValueError(
            f"{value!r} is not a web address ({problem}): give one that starts with "
            "https:// (or http://), such as https://example.org/clinic"
        )
    return value


def is_web_address(value: object) -> bool:
    """Whether ``value`` is an address :func:`web_address` takes."""
    return isinstance(value, str) and _problem(value) is None


def _problem(value: str) -> str | None:
    if any(
        character.isspace() or ord(character) < 0x20 or ord(character) == 0x7F
        for character in value
    ):
        return "it holds a space or a control character"
    try:
        parts = urlsplit(value)
    except ValueError:
        return "it cannot be read as an address"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return f"a {parts.scheme}: link" if parts.scheme else "no https://"
    if not parts.hostname:
        return "no host name"
    return None
