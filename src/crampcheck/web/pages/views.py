"""What each main page's template is given: typed view models, checked by mypy.

A template reads names from a dictionary; these ``TypedDict`` s say which names each
page family gives it and of what type, so a misspelt or missing key is a type error in
the page module rather than a blank in the rendered page. They are plain dictionaries
when the page runs (the HTML is exactly what the dictionaries gave before), and the
result's view is also what a stored result keeps (see :func:`stored_keys`).

The families: the check's steps (describe, confirm, question), the result (and the
clinician's copy of it on a request), and the account pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from crampcheck.domain.denials import Denial, denial

# ---------------------------------------------------------------- shared pieces


@dataclass(frozen=True)
class Chip:
    """One finding as a person reads it back: present, absent or not sure, with their words."""

    id: str
    label: str
    state: str
    quotes: tuple[str, ...] = ()
    value: float | None = None
    confirmed: bool = False
    """Read in the words and then confirmed by the person (shown to the clinic)."""
    hedged: bool = False
    """Said with a hedge ("maybe swollen?"): counted, and shown as not sure, to confirm."""
    denied_label: str | None = None
    """The finding's positive words for a "no" (the knowledge base's ``denied_label``)."""

    @property
    def denial(self) -> Denial:
        """How this chip reads when the person said no to it (never a double negative)."""
        return denial(self.label, self.denied_label)


Numbered = list[tuple[int, dict[str, Any]]]
"""Cited sources with their numbers, in order of first citation."""
Cited = dict[str, Any]
"""A statement (reason, cause, advice item ...) with the numbers of its sources (``cites``)."""


class FlowPart(TypedDict):
    """What a page in the middle of a check carries on: the check so far and whether
    Back has somewhere to go."""

    state: str
    can_go_back: bool


# ---------------------------------------------------------------- the check's steps


class DescribeView(TypedDict):
    """``check_describe.html``: the words, age and sex, with a message per field."""

    form: Mapping[str, str]
    errors: Mapping[str, str]
    max_chars: int


class ConfirmView(TypedDict):
    """``check_confirm.html``: what was read in the words, as chips to confirm."""

    present: list[Chip]
    absent: list[Chip]
    ticked: dict[str, bool]
    ignored: Sequence[Any]
    corrections: Sequence[Any]
    units: dict[str, str]
    text: str | None
    state: str
    draft: str
    in_neither_language: tuple[tuple[str, str], ...]
    """When the words were in a language crampcheck does not read, saying so in each
    language it does (empty otherwise)."""


class QuestionView(FlowPart):
    """``check_question.html``: one question of the interview, with its progress and
    what was answered before (after Back, or with a message)."""

    question: Any
    number: int
    total: int
    error: str | None
    typed: str
    chosen: set[str]
    none_chosen: bool


# ---------------------------------------------------------------- the result


class OutsideScope(TypedDict):
    """Sites the check does not cover, and who to see about them instead."""

    sites: list[str]
    clinicians: list[str]


class ResultContent(TypedDict):
    """What the person was shown on their result, in the words it was shown in: all that
    a stored result keeps."""

    data: dict[str, Any]
    urgency: str
    heading: str
    by_when: str
    kind_heading: str
    read_chips: list[Chip]
    units: dict[str, str]
    answer_chips: list[Chip]
    kind_reasons: list[str]
    ignored: list[Any]
    reasons: list[Cited]
    causes: list[Cited]
    first_aid: list[Cited]
    home: list[Cited]
    avoid: list[Cited]
    professional: list[Cited]
    safety_net: list[Cited]
    withheld: list[Cited]
    open_questions: list[dict[str, Any]]
    sources: Numbered
    outside_scope: OutsideScope | None
    offer_appointment: bool


class ResultView(ResultContent, FlowPart):
    """``result.html``: the result's content, the words for evidence strengths, and the
    check it came from (to go back, or to ask the clinic)."""

    evidence_labels: dict[str, str]
    has_text: bool


def stored_keys() -> frozenset[str]:
    """The names of :class:`ResultContent`: what a stored result keeps of the page."""
    return frozenset(ResultContent.__required_keys__)


class SnapshotView(TypedDict):
    """``staff_request_snapshot.html``: the check exactly as the person saw it, as the
    clinician reads it on the request, with its sources and knowledge-base version."""

    withheld: list[Cited]
    urgency: str
    heading: str
    by_when: str
    action: str
    kind_heading: str
    kind_reasons: list[str]
    reasons: list[Cited]
    read_chips: list[Chip]
    answer_chips: list[Chip]
    answered_no: list[Denial]
    units: dict[str, str]
    causes: list[Cited]
    open_questions: list[dict[str, str]]
    advice: list[Cited]
    advice_stored: bool
    referral_clinicians: list[str]
    description: str
    kb_version: str
    current_kb_version: str
    disclaimer: str
    sources: Numbered
    language: str | None
    """The language the person did the check in, when not this page's (its code)."""
    language_label: str
    """That language's name in this page's language ("Spanish"), or ''."""
    written_in_label: str
    """The languages their words are written in, named ("Spanish"; "English and Spanish")."""
    as_shown: AsShown | None
    """The answer in the person's language, when the page shows the check in its own."""


class AsShown(TypedDict):
    """The top of the answer as the person read it, in their language."""

    lang: str
    heading: str
    action: str
    reasons: list[str]


# ---------------------------------------------------------------- account pages


class FormErrors(TypedDict):
    """A form's message per field (empty when the form is shown the first time)."""

    errors: Mapping[str, str]


class SignUpView(FormErrors):
    """``account_signup.html``."""

    form: Mapping[str, str]
    min_length: int


class SignInView(FormErrors):
    """``account_signin.html`` (and ``staff_signin.html``, with its token)."""

    form: Mapping[str, str]
    notice: str | None


class ResetRequestView(FormErrors):
    """``account_reset_request.html``: the address to send a reset link to."""

    form: Mapping[str, str]
    mail: bool


class LinkFormView(FormErrors, total=False):
    """``account_reset_form.html`` and ``account_confirm.html``: the form behind an
    emailed link, sent back to the link's own address."""

    action: str
    min_length: int


class AccountHomeView(TypedDict):
    """``account_home.html`` (with the diary's sharing rows added)."""

    email: str
    created: str
    zone: str
    notice: str | None


class PasswordView(FormErrors):
    """``account_password.html``."""

    min_length: int


class ZoneView(FormErrors):
    """``account_timezone.html``."""

    form: Mapping[str, str]
    zones: Sequence[str]


class DeleteView(FormErrors):
    """``account_delete.html``."""

    email: str
