"""How a finding the person said no to reads, everywhere it is shown (the result page's
chips and causes, the confirm step, the clinic's request page, the one-page summary).

Most findings are worded as something present ("swelling of the calf"), and a "no" reads
as "No: swelling of the calf". Some are worded as a lack ("home care has not helped",
"tetanus vaccination not up to date"): a "no" to those is a double negative unless it is
said in the knowledge base's positive words (``denied_label``: "home care has helped").
"""

from __future__ import annotations

from typing import NamedTuple

from crampcheck.domain.i18n import _


class Denial(NamedTuple):
    """A denied finding in words: ``text``, and whether it is the finding's own label
    (``plain``: to be read after a "No" or "said no to") or positive words that stand
    alone."""

    text: str
    plain: bool


def denial(label: str, denied_label: str | None) -> Denial:
    """A "no" to the finding labelled ``label``: its positive words when it has them."""
    if denied_label:
        return Denial(denied_label, plain=False)
    return Denial(label, plain=True)


def said_no(label: str, denied_label: str | None, *, you: bool = True) -> str:
    """A "no" as one phrase: "you said no to “label”" (or "said no to ..." for the
    clinic), or the positive words alone (never "said no to “... not ...”")."""
    words = denial(label, denied_label)
    if not words.plain:
        return words.text
    if you:
        return _("you said no to “%(label)s”") % {"label": words.text}
    return _("said no to “%(label)s”") % {"label": words.text}
