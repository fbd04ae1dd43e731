"""Limits on what a person may send, shared by every way in (web, API, command line)."""

MAX_TEXT_CHARS = 5000
"""The longest description accepted; longer text is refused with a clear message."""
