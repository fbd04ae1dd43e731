"""How a finding the person said no to reads, everywhere it is shown (the result page's
chips and causes, the confirm step, the clinic's request page, the one-page summary).

Most findings are worded as something present ("swelling of the calf"), and a "no" reads
as "No swelling of the calf". Some are worded as a lack ("home care has not helped",
"tetanus vaccination not up to date"): a "no" to those is a double negative unless it is
said in the knowledge base's positive words (``denied_label``: "home care has helped").
A label that begins with an article would read "No a fever" or "No the calf" after a
bare "No": the article is turned into the language's negative instead ("No fever", "Not
the calf"; "Ningún viaje largo", "Ninguna picadura"), while "said no to “a fever”" keeps
the label as it is.
"""

from __future__ import annotations

from typing import NamedTuple

from crampcheck.domain.i18n import _, current_language

NEGATED_ARTICLES: dict[str, dict[str, tuple[str, bool]]] = {
    "en": {"a": ("No", False), "an": ("No", False), "the": ("Not", True)},
    "es": {"un": ("Ningún", False), "una": ("Ninguna", False)},
}
"""Per language, a label's first word (an article), the word that says its "no" in its
place, and whether the article stays after it: "a fever" -> "No fever", "the calf" ->
"Not the calf", "un viaje largo" -> "Ningún viaje largo". Grammar, not clinical
knowledge: the words after it stay the knowledge base's."""


NEGATIVE_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"not", "no", "never", "cannot", "can't", "don't", "doesn't", "won't"}),
    "es": frozenset({"no", "ni", "nunca", "jamás", "tampoco"}),
}
"""Per language, the words that make a label itself negative: a bare "No" before it
would be a double negative ("No: los calambres no lo dejan dormir")."""

CLAUSE_OPENINGS: dict[str, frozenset[str]] = {
    "en": frozenset({"it", "you", "they", "he", "she", "i", "we"}),
}
"""Per language, a label's first words that make it a clause, not a name: after a bare
"No" it reads "No it started suddenly". (A Spanish clause reads right after "No:".)"""


def denial_problem(label: str, language: str) -> str | None:
    """Why a "no" to ``label``, said without words of its own (``denied_label``), would
    not read as a sentence in ``language``, or None when it reads well."""
    words = [w.strip(".,;:()\"'“”") for w in label.lower().split()]
    negative = NEGATIVE_WORDS.get(language, frozenset()).intersection(words)
    if negative:
        return f"is worded as a lack ('{sorted(negative)[0]}'): a bare 'No' would double it"
    if words and words[0] in CLAUSE_OPENINGS.get(language, frozenset()):
        return f"is a clause ('{words[0]} ...'): a bare 'No' before it is not a sentence"
    return None


class Denial(NamedTuple):
    """A denied finding in words: ``text``, and whether it is the finding's own label
    (``plain``: to be read after a "No" or "said no to") or positive words that stand
    alone. A plain label that begins with an article has ``negative``, the word said
    in place of a bare "No", and ``rest``, the words after it ("No" + "fever")."""

    text: str
    plain: bool
    negative: str | None = None
    rest: str | None = None

    @property
    def sentence(self) -> str:
        """The "no" as a person reads it on its own: "No fever", "Not the calf", "No
        swelling", or the positive words ("drank enough")."""
        if not self.plain:
            return self.text
        if self.negative:
            return f"{self.negative} {self.rest}"
        return _("No %(label)s") % {"label": self.text}


def denial(label: str, denied_label: str | None, language: str | None = None) -> Denial:
    """A "no" to the finding labelled ``label`` (in ``language``, the language of the
    moment by default): its positive words when it has them, else its label, with the
    word that negates it when it begins with an article."""
    if denied_label:
        return Denial(denied_label, plain=False)
    first, _sep, rest = label.partition(" ")
    article = NEGATED_ARTICLES.get(language or current_language(), {}).get(first.lower())
    if article is None or not rest:
        return Denial(label, plain=True)
    negative, keeps_article = article
    return Denial(label, plain=True, negative=negative, rest=label if keeps_article else rest)


def said_no(label: str, denied_label: str | None, *, you: bool = True) -> str:
    """A "no" as one phrase: "you said no to “label”" (or "said no to ..." for the
    clinic), or the positive words alone (never "said no to “... not ...”")."""
    words = denial(label, denied_label)
    if not words.plain:
        return words.text
    if you:
        return _("you said no to “%(label)s”") % {"label": words.text}
    return _("said no to “%(label)s”") % {"label": words.text}
