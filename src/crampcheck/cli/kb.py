"""``crampcheck kb check``: the knowledge base's own audit, printed."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from crampcheck.services.pipeline import Pipeline
from crampcheck.services.rule_cases import audit_rules


def report_knowledge_check(out: Console, pipeline: Pipeline) -> bool:
    """Print what ``crampcheck kb check`` found: the counts, every record missing a
    source, a case or lay phrasing, every case that failed; True when all is well."""
    counts = pipeline.kb.counts()
    out.print(f"knowledge base {pipeline.kb.version}")
    for name, count in counts.items():
        out.print(f"  {name:16} {count}")
    audit = audit_rules(pipeline)
    for rule_id in audit.missing_sources:
        out.print(f"  rule without a source: {rule_id}")
    for rule_id in audit.missing_cases:
        out.print(f"  rule without a case that fires and one that must not: {rule_id}")
    for finding_id in audit.unexplained_signs:
        out.print(f"  emergency sign with no emergency rule firing on it alone: {finding_id}")
    for finding_id in audit.signs_without_lay_words:
        out.print(f"  emergency sign with no lay phrasing (lay or nearby): {finding_id}")
    if audit.without_lay_words:
        out.print(
            f"  symptoms and signs with no lay phrasing yet: {len(audit.without_lay_words)} "
            f"({', '.join(audit.without_lay_words)})"
        )
    for found in audit.translations:
        out.print(
            f"  texts translated ({found.language}): {found.translated}/{found.total} "
            f"({found.percent:.1f}%)"
        )
        for address in found.missing:
            out.print(f"  text with no {found.language} translation: {escape(address)}")
    for language, importance, finding_id in audit.unread_emergencies:
        out.print(f"  {importance} with no phrase in the {language} reader: {finding_id}")
    others: dict[str, list[str]] = {}
    for language, importance, finding_id in audit.unread_in:
        if importance == "other":
            others.setdefault(language, []).append(finding_id)
    for language, ids in others.items():
        out.print(f"  findings not yet read in {language}: {len(ids)} ({', '.join(ids)})")
    for advice_id in audit.advice_without_cases:
        out.print(f"  advice with contraindications but no offer and withhold cases: {advice_id}")
    for failure in audit.failures:
        verb = {
            "fire": "did not fire",
            "not_fire": "fired but must not",
            "offer": "was not offered",
            "withhold": "was not withheld",
        }[failure.expectation]
        out.print(
            f"  case {failure.rule_id} {failure.expectation}[{failure.index}] {verb}: "
            f"{failure.description}",
            markup=False,
        )
    for what, expectations in (("rule", ("fire", "not_fire")), ("advice", ("offer", "withhold"))):
        outcomes = [o for o in audit.outcomes if o.expectation in expectations]
        passed = sum(o.passed for o in outcomes)
        out.print(f"  {what} cases passed {passed}/{len(outcomes)}")
    out.print("ok" if audit.ok else "FAILED")
    return audit.ok
