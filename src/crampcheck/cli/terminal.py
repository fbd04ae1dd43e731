"""The assessment as a readable terminal report (Rich), in the language of the moment:
the headings from the catalogue, the knowledge base's words (levels, kinds, reasons,
advice) from its overlay for that language."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from crampcheck.domain.i18n import _
from crampcheck.services.vocabulary import packaged_vocabulary

BANNER_STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold black on dark_orange",
    "doctor": "bold black on yellow",
    "self_care": "bold white on green4",
}


def banner_labels() -> dict[str, str]:
    """Each urgency level's banner, in capitals so that it stands out in a terminal."""
    return {
        "emergency": _("EMERGENCY"),
        "urgent": _("URGENT - TODAY"),
        "doctor": _("SEE A DOCTOR"),
        "self_care": _("SELF-CARE"),
    }


def render_result(console: Console, data: dict[str, Any]) -> None:
    """Print one result: banner, kind, reasons, causes, advice, open questions, sources."""
    style, label = BANNER_STYLE[data["urgency"]], banner_labels()[data["urgency"]]
    console.print(Panel(Text(data["action"]), title=f"[{style}] {label} [/]", border_style="bold"))
    if data.get("notice"):
        console.print(Text(data["notice"], style="italic"))
    index = {s["id"]: n for n, s in enumerate(data["sources"], start=1)}

    def cite(ids: list[str]) -> str:
        return " " + "".join(f"[{index[i]}]" for i in ids if i in index) if ids else ""

    kind_words = packaged_vocabulary().kind_words
    kind = Text(next(w.heading for k, w in kind_words.items() if k.value == data["kind"]))
    kind.stylize("bold")
    console.print(kind)
    for reason in data["kind_reasons"][:2]:
        console.print(f"  {reason}")

    found = [f for f in data["findings"] if f["text"]]
    if found:
        table = Table(title=_("What we read in your description"), show_lines=False, expand=False)
        table.add_column(_("You said"))
        table.add_column(_("We took it as"))
        for finding in found:
            taken = (
                finding["label"]
                if finding["state"] == "present"
                else _("no %(finding)s") % {"finding": finding["label"]}
            )
            if finding.get("value") is not None:
                taken += f" ({finding['value']:g})"
            table.add_row(f"\u201c{finding['text']}\u201d", taken)
        console.print(table)

    console.print(Text(_("Why this urgency"), style="bold underline"))
    for reason in data["reasons"]:
        console.print(f"  \u2022 {reason['text']}{cite(reason['source_ids'])}")

    if data["causes"]:
        console.print(Text(_("What could be causing it"), style="bold underline"))
        for cause in data["causes"]:
            console.print(f"  \u2022 [bold]{cause['name']}[/bold]{cite(cause['source_ids'])}")
            if cause["for"]:
                console.print("      " + _("for: %(items)s") % {"items": ", ".join(cause["for"])})
            if cause["against"]:
                console.print(
                    "      " + _("against: %(items)s") % {"items": ", ".join(cause["against"])}
                )

    if data.get("withheld"):
        console.print(Text(_("Left out for your safety"), style="bold underline"))
        for notice in data["withheld"]:
            titles = "; ".join(notice["titles"])
            console.print(
                "  \u2022 [bold]"
                + _("Not advised for you: %(items)s") % {"items": titles}
                + "[/bold]",
                markup=True,
            )
            if notice["stop"]:
                console.print(f"      [red]{notice['stop']}[/red]")
            console.print(f"      {notice['because']}{cite(notice['source_ids'])}")
            if notice["instead"]:
                console.print("      " + _("Instead:") + f" {notice['instead']}")

    for heading, kinds in (
        (_("What to do now"), ("first_aid",)),
        (_("Home care"), ("home",)),
        (_("Avoid"), ("avoid",)),
        (_("What a clinician may consider"), ("professional",)),
        (_("Get help if"), ("safety_net",)),
    ):
        items = [a for a in data["advice"] if a["kind"] in kinds]
        if not items:
            continue
        console.print(Text(heading, style="bold underline"))
        for item in items:
            console.print(
                f"  \u2022 [bold]{item['title']}[/bold]: {item['text']}{cite(item['source_ids'])}"
            )
            for step in item["steps"]:
                console.print(f"      - {step}")
            for caution in item["cautions"]:
                console.print("      [yellow]" + _("Caution:") + f"[/yellow] {caution}")
            if item["evidence"]:
                console.print(
                    "      "
                    + _("Evidence (%(strength)s): %(evidence)s")
                    % {"strength": item["evidence_strength"], "evidence": item["evidence"]}
                )

    if data["open_questions"]:
        console.print(Text(_("Questions that could change this answer"), style="bold underline"))
        for question in data["open_questions"]:
            note = ""
            if question["could_raise_to"]:
                raised = banner_labels()[question["could_raise_to"]].lower()
                note = " " + _("(if yes: %(level)s)") % {"level": raised}
            console.print(f"  ? {question['question']}{note}")

    sources = Table(title=_("Sources"), show_header=False, expand=False)
    sources.add_column("n")
    sources.add_column("source")
    for n, source in enumerate(data["sources"], start=1):
        where = source["url"] or _("supplied as text")
        sources.add_row(f"[{n}]", f"{source['title']} - {source['publisher']}. {where}")
    console.print(sources)
    console.print(Panel(Group(Text(data["disclaimer"])), border_style="dim"))
    console.print(
        Text(_("knowledge base %(version)s") % {"version": data["kb_version"]}, style="dim")
    )
