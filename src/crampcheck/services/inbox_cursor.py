"""Where a page of the clinic's inbox starts, as an opaque, signed link (keyset paging).

The inbox is sorted most urgent first, then (among open requests) the new ones before
those in hand, then longest waiting, the request id breaking ties. A page link carries
the sort key of the row it continues from, not a page number: the next page is "the
50 rows after this one", which the database answers from the inbox index however deep
the page, and which stays the same when new requests arrive meanwhile (a new urgent
request shows on the first page; it does not push every later page along by one row).

A link is signed with the installation's secret key and names the filter it was made
for and the clinic, so a link that was altered, cut short, made for another filter or
another clinic is refused as a whole (:class:`CursorError`), never half-read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_CURSOR = 400
"""Longest page link accepted (a real one is about 200 characters)."""

_PURPOSE = b"inbox-page-link"
_SIGNATURE_BYTES = 16


class CursorError(ValueError):
    """A page link that cannot be used: altered, cut short, or made for another filter."""


@dataclass(frozen=True)
class InboxKey:
    """One row's place in the inbox's order.

    ``fresh`` is 0 for a new request and 1 for one already in hand; it only sorts the
    open requests (the other filters sort on urgency and waiting time alone)."""

    urgency_order: int
    fresh: int
    created_at: datetime
    id: str


@dataclass(frozen=True)
class Cursor:
    """A page of the inbox: the rows after ``key`` (``forward``), or the rows before it;
    with no key, the last page. ``position`` is how many rows come before the row
    just after ``key`` (forward) or at ``key`` (backward): what "requests 51-100" says."""

    forward: bool
    key: InboxKey | None
    position: int


def _signing_key(secret: bytes) -> bytes:
    return hmac.new(secret, _PURPOSE, hashlib.sha256).digest()


def _signature(secret: bytes, clinic_id: str, body: bytes) -> bytes:
    message = clinic_id.encode() + b"\x00" + body
    return hmac.new(_signing_key(secret), message, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(cursor: Cursor, filter_values: tuple[Any, ...], clinic_id: str, secret: bytes) -> str:
    """The page link's token for ``cursor`` under this filter, for this clinic."""
    key = cursor.key
    payload = {
        "d": "a" if cursor.forward else "b",
        "k": None
        if key is None
        else [key.urgency_order, key.fresh, key.created_at.isoformat(), key.id],
        "n": cursor.position,
        "f": list(filter_values),
    }
    body = json.dumps(payload, separators=(",", ":")).encode()
    return f"{_b64(body)}.{_b64(_signature(secret, clinic_id, body))}"


def decode(token: str, filter_values: tuple[Any, ...], clinic_id: str, secret: bytes) -> Cursor:
    """The position a page link names, or :class:`CursorError` when it cannot be trusted."""
    if len(token) > MAX_CURSOR or token.count(".") != 1:
        raise CursorError("This page link is not one the inbox made.")
    body_text, signature_text = token.split(".")
    try:
        body, signature = _unb64(body_text), _unb64(signature_text)
    except (binascii.Error, ValueError):
        raise CursorError("This page link is not one the inbox made.") from None
    if not hmac.compare_digest(signature, _signature(secret, clinic_id, body)):
        raise CursorError("This page link is not one the inbox made, or it was changed.")
    # Signed by us: the shape below is ours, but it is still read defensively.
    try:
        payload = json.loads(body)
        if payload["f"] != list(filter_values):
            raise CursorError("This page link was made for another filter.")
        raw = payload["k"]
        key = (
            None
            if raw is None
            else InboxKey(int(raw[0]), int(raw[1]), datetime.fromisoformat(raw[2]), str(raw[3]))
        )
        position = int(payload["n"])
        forward = payload["d"] == "a"
    except CursorError:
        raise
    except (KeyError, IndexError, TypeError, ValueError):
        raise CursorError("This page link is not one the inbox made.") from None
    if position < 0 or (forward and key is None):
        raise CursorError("This page link is not one the inbox made.")
    return Cursor(forward, key, position)
