"""The assessment as a readable terminal report (Rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

BANNER_STYLE = {
    "emergency": ("bold white on red", "EMERGENCY"),
    "urgent": ("bold black on dark_orange", "URGENT - TODAY"),
    "doctor": ("bold black on yellow", "SEE A DOCTOR"),
    "self_care": ("bold white on green4", "SELF-CARE"),
}
KIND_WORDS = {
    "cramp": "This sounds like a cramp",
    "spasm": "This sounds like a spasm (twitching)",
    "other": "This may not be a simple cramp or spasm",
}


def render_result(console: Console, data: dict[str, Any]) -> None:
    """Print one result: banner, kind, reasons, causes, advice, open questions, sources."""
    style, label = BANNER_STYLE[data["urgency"]]
    console.print(Panel(Text(data["action"]), title=f"[{style}] {label} [/]", border_style="bold"))
    if data.get("notice"):
        console.print(Text(data["notice"], style="italic"))
    index = {s["id"]: n for n, s in enumerate(data["sources"], start=1)}

    def cite(ids: list[str]) -> str:
        return " " + "".join(f"[{index[i]}]" for i in ids if i in index) if ids else ""

    kind = Text(KIND_WORDS[data["kind"]], style="bold")
    console.print(kind)
    for reason in data["kind_reasons"][:2]:
        console.print(f"  {reason}")

    found = [f for f in data["findings"] if f["text"]]
    if found:
        table = Table(title="What we read in your description", show_lines=False, expand=False)
        table.add_column("You said")
        table.add_column("We took it as")
        for finding in found:
            taken = finding["label"] if finding["state"] == "present" else f"no {finding['label']}"
            if finding.get("value") is not None:
                taken += f" ({finding['value']:g})"
            table.add_row(f"\u201c{finding['text']}\u201d", taken)
        console.print(table)

    console.print(Text("Why this urgency", style="bold underline"))
    for reason in data["reasons"]:
        console.print(f"  \u2022 {reason['text']}{cite(reason['source_ids'])}")

    if data["causes"]:
        console.print(Text("What could be causing it", style="bold underline"))
        for cause in data["causes"]:
            console.print(f"  \u2022 [bold]{cause['name']}[/bold]{cite(cause['source_ids'])}")
            if cause["for"]:
                console.print(f"      for: {', '.join(cause['for'])}")
            if cause["against"]:
                console.print(f"      against: {', '.join(cause['against'])}")

    if data.get("withheld"):
        console.print(Text("Left out for your safety", style="bold underline"))
        for notice in data["withheld"]:
            titles = "; ".join(notice["titles"])
            console.print(f"  \u2022 [bold]Not advised for you: {titles}[/bold]", markup=True)
            if notice["stop"]:
                console.print(f"      [red]{notice['stop']}[/red]")
            console.print(f"      {notice['because']}{cite(notice['source_ids'])}")
            if notice["instead"]:
                console.print(f"      Instead: {notice['instead']}")

    for heading, kinds in (
        ("What to do now", ("first_aid",)),
        ("Home care", ("home",)),
        ("Avoid", ("avoid",)),
        ("What a clinician may consider", ("professional",)),
        ("Get help if", ("safety_net",)),
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
                console.print(f"      [yellow]Caution:[/yellow] {caution}")
            if item["evidence"]:
                console.print(f"      Evidence ({item['evidence_strength']}): {item['evidence']}")

    if data["open_questions"]:
        console.print(Text("Questions that could change this answer", style="bold underline"))
        for question in data["open_questions"]:
            note = ""
            if question["could_raise_to"]:
                note = f" (if yes: {question['could_raise_to'].replace('_', ' ')})"
            console.print(f"  ? {question['question']}{note}")

    sources = Table(title="Sources", show_header=False, expand=False)
    sources.add_column("n")
    sources.add_column("source")
    for n, source in enumerate(data["sources"], start=1):
        where = source["url"] or "supplied as text"
        sources.add_row(f"[{n}]", f"{source['title']} - {source['publisher']}. {where}")
    console.print(sources)
    console.print(Panel(Group(Text(data["disclaimer"])), border_style="dim"))
    console.print(Text(f"knowledge base {data['kb_version']}", style="dim"))
