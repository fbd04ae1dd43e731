"""Compiling each section of the knowledge base once its files are parsed: rules,
advice, question groups, emergency signs and the policy, each cross-checked against the
findings, conditions and sources it names (see :mod:`.references`)."""

from __future__ import annotations

from collections.abc import Mapping

from crampcheck.domain.denials import denial_problem
from crampcheck.domain.types import Case, Urgency
from crampcheck.knowledge.compiled import CompiledAdvice, CompiledRule, KnowledgeError
from crampcheck.knowledge.conditions import Bits, Condition, reads_of
from crampcheck.knowledge.references import References, check_cases
from crampcheck.knowledge.schema import (
    Advice,
    CarePathway,
    ConditionRef,
    EmergencySign,
    Finding,
    Policy,
    QuestionGroup,
    QuestionTopic,
    Rule,
)

EMERGENCY_SIGNS_FILE = "emergency_signs.yaml"


def check_findings_and_conditions(
    check: References,
    findings: Mapping[str, Finding],
    finding_where: Mapping[str, str],
    conditions: Mapping[str, ConditionRef],
    condition_where: Mapping[str, str],
    language: str = "en",
) -> dict[str, Condition]:
    """Check what findings and conditions name, and that a "no" to each finding reads
    as a sentence in ``language`` (a label worded as a lack, or as a clause, needs its
    own ``denied_label``); return the findings derived from others (``present_when``),
    compiled."""
    derived: dict[str, Condition] = {}
    for fid, finding in findings.items():
        problem = None if finding.denied_label else denial_problem(finding.label, language)
        if problem is not None:
            raise KnowledgeError(
                f"{finding_where[fid]}.label: '{finding.label}' ({language}) {problem}; "
                "give the finding a denied_label, the words a 'no' to it reads as"
            )
        check.sources(finding.sources, f"{finding_where[fid]}.sources")
        check.findings(finding.implies, f"{finding_where[fid]}.implies")
        if finding.present_when is not None:
            derived[fid] = check.condition(
                finding.present_when, f"{finding_where[fid]}.present_when"
            )
    for cid, condition in conditions.items():
        where = condition_where[cid]
        check.sources(condition.sources, f"{where}.sources")
        for key in ("key", "supporting", "against"):
            check.findings(getattr(condition, key), f"{where}.{key}")
    return derived


def compile_rules(
    check: References,
    specs: Mapping[str, Rule],
    where_of: Mapping[str, str],
    index: Mapping[str, int],
) -> list[CompiledRule]:
    """Every rule with its conditions compiled and its shipped cases checked."""
    rules: list[CompiledRule] = []
    bit_of = {f: 1 << i for f, i in index.items()}
    blank = Bits(0, 0, Case())
    for rid, rule in specs.items():
        where = where_of[rid]
        check.sources(rule.sources, f"{where}.sources")
        check.conditions(rule.suggests, f"{where}.suggests")
        when = check.condition(rule.when, f"{where}.when")
        unless = None if rule.unless is None else check.condition(rule.unless, f"{where}.unless")
        if rule.cases is not None:
            for label, cases in (("fire", rule.cases.fire), ("not_fire", rule.cases.not_fire)):
                check_cases(check, cases, f"{where}.cases.{label}")
        leaves = tuple(dict.fromkeys(when.findings()))
        reads = reads_of(when, bit_of)
        if unless is not None:
            unless_reads = reads_of(unless, bit_of)
            reads = None if reads is None or unless_reads is None else reads | unless_reads
        blank_when, blank_flips = when.bits(blank)
        blank_unless = None if unless is None or blank_when is False else unless.truth(blank)
        rules.append(
            CompiledRule(
                rule,
                when,
                unless,
                leaves,
                tuple(dict.fromkeys(unless.findings())) if unless is not None else (),
                sum(1 << index[f] for f in leaves),
                reads,
                (blank_when, blank_unless),
                blank_flips,
                rule.level.rank,
                len(leaves) or 1,
            )
        )
    return rules


def compile_advice(
    check: References,
    specs: Mapping[str, Advice],
    where_of: Mapping[str, str],
    emergency_signs: tuple[EmergencySign, ...],
) -> list[CompiledAdvice]:
    """Every advice item with its conditions, cautions and contraindications compiled;
    an item whose steps come from the emergency signs gets them (and their sources)."""
    advice: list[CompiledAdvice] = []
    for aid, item in specs.items():
        where = where_of[aid]
        if item.steps_from == "emergency_signs":
            if item.steps:
                raise KnowledgeError(f"{where}: steps and steps_from cannot both be given")
            item = item.model_copy(
                update={
                    "steps": tuple(sign.label for sign in emergency_signs),
                    "sources": tuple(
                        dict.fromkeys(
                            item.sources
                            + tuple(src for sign in emergency_signs for src in sign.sources)
                        )
                    ),
                }
            )
        check.sources(item.sources, f"{where}.sources")
        if item.evidence is not None:
            check.sources(item.evidence.sources, f"{where}.evidence.sources")
        contraindications = []
        for i, contraindication in enumerate(item.contraindications):
            check.sources(contraindication.sources, f"{where}.contraindications[{i}].sources")
            contraindications.append(
                check.condition(contraindication.when, f"{where}.contraindications[{i}].when")
            )
        if item.taken_as is not None:
            check.findings((item.taken_as,), f"{where}.taken_as")
        if item.cases is not None:
            for label, cases in (("offer", item.cases.offer), ("withhold", item.cases.withhold)):
                check_cases(check, cases, f"{where}.cases.{label}")
        cautions = []
        for i, caution in enumerate(item.cautions):
            check.sources(caution.sources, f"{where}.cautions[{i}].sources")
            compiled = (
                None
                if caution.when is None
                else check.condition(caution.when, f"{where}.cautions[{i}].when")
            )
            cautions.append((compiled, i))
        advice.append(
            CompiledAdvice(
                item,
                None if item.when is None else check.condition(item.when, f"{where}.when"),
                None if item.unless is None else check.condition(item.unless, f"{where}.unless"),
                tuple(cautions),
                tuple(contraindications),
            )
        )
    return advice


def check_emergency_signs(check: References, signs: tuple[EmergencySign, ...]) -> frozenset[str]:
    """Each emergency sign names a finding once, with its sources; returns the findings."""
    seen: set[str] = set()
    for i, sign in enumerate(signs):
        where = f"{EMERGENCY_SIGNS_FILE}: emergency_signs[{sign.finding}]"
        check.findings((sign.finding,), where)
        check.sources(sign.sources, f"{where}.sources")
        if sign.finding in seen:
            raise KnowledgeError(f"{where}: listed twice (position {i})")
        seen.add(sign.finding)
    return frozenset(seen)


def check_care_pathways(
    check: References, pathways: Mapping[str, CarePathway], where_of: Mapping[str, str]
) -> None:
    """Each country's care pathway cites sources that exist."""
    for pid, pathway in pathways.items():
        check.sources(pathway.sources, f"{where_of[pid]}.sources")


def compile_groups(
    check: References,
    topics: dict[str, QuestionTopic],
    where_of: Mapping[str, str],
    emergency_signs: tuple[EmergencySign, ...],
) -> tuple[dict[str, QuestionGroup], dict[str, QuestionGroup]]:
    """Each topic's screens as the interview asks them, and the screen of each finding
    (a finding is on one screen at most). A topic whose members come from the emergency
    signs must list every sign on its screens, once: no danger sign can be left out."""
    groups: dict[str, QuestionGroup] = {}
    for tid, topic in topics.items():
        where = where_of[tid]
        listed = [m for s in topic.screens for m in s.members]
        if topic.members_from == "emergency_signs":
            signs = [sign.finding for sign in emergency_signs]
            missing = [f for f in signs if f not in listed]
            extra = [f for f in listed if f not in signs]
            if missing or extra or len(listed) != len(set(listed)):
                raise KnowledgeError(
                    f"{where}.screens: must list every emergency sign once "
                    f"(missing: {', '.join(missing) or 'none'}; "
                    f"not a sign: {', '.join(extra) or 'none'})"
                )
        for i, screen in enumerate(topic.screens):
            if not screen.members and not topic.gathers:
                raise KnowledgeError(f"{where}.screens[{i}]: needs members")
            if screen.id in groups or (screen.id in topics and screen.id != tid):
                raise KnowledgeError(f"{where}.screens[{i}]: id '{screen.id}' is used twice")
            check.findings(screen.asked_first_when, f"{where}.screens[{i}].asked_first_when")
            groups[screen.id] = QuestionGroup(
                id=screen.id,
                text=screen.text,
                why=topic.why,
                select=topic.select,
                members=screen.members,
                also_text=screen.also_text,
                topic=tid,
                first=topic.first,
                screen=topic.screen,
                asked_first_when=screen.asked_first_when,
                opened_by=screen.opened_by,
                whole=screen.whole,
                gathers=topic.gathers,
            )
    group_of: dict[str, QuestionGroup] = {}
    for gid, group in groups.items():
        where = where_of[group.topic]
        check.findings(group.members, f"{where}.screens[{gid}].members")
        for member in group.members:
            if member in group_of:
                raise KnowledgeError(
                    f"{where}.screens[{gid}].members: '{member}' is already on screen "
                    f"'{group_of[member].id}'"
                )
            group_of[member] = group
    return groups, group_of


def compile_screen_conditions(
    check: References, topics: Mapping[str, QuestionTopic], where_of: Mapping[str, str]
) -> dict[str, Condition]:
    """Each screen's ``asked_when``, compiled: the screen is asked only while it holds.
    Where it is and the emergency signs are always asked, so they take none."""
    compiled: dict[str, Condition] = {}
    for tid, topic in topics.items():
        for i, screen in enumerate(topic.screens):
            if screen.asked_when is None:
                continue
            where = f"{where_of[tid]}.screens[{i}].asked_when"
            if topic.first or topic.screen:
                raise KnowledgeError(f"{where}: a where-it-is or red-flag screen is always asked")
            compiled[screen.id] = check.condition(screen.asked_when, where)
    return compiled


def compile_alone_conditions(
    check: References,
    findings: Mapping[str, Finding],
    finding_where: Mapping[str, str],
    group_of: Mapping[str, QuestionGroup],
) -> dict[str, Condition]:
    """Each finding's ``asked_when``, compiled: a finding asked on its own is asked only
    while it holds. A finding on a screen is asked with the screen, so the condition
    belongs to the screen (``questions.yaml``) instead."""
    compiled: dict[str, Condition] = {}
    for fid, finding in findings.items():
        if finding.asked_when is None:
            continue
        where = f"{finding_where[fid]}.asked_when"
        if fid in group_of:
            raise KnowledgeError(
                f"{where}: '{fid}' is asked on screen '{group_of[fid].id}': give the screen "
                "its asked_when in questions.yaml"
            )
        compiled[fid] = check.condition(finding.asked_when, where)
    return compiled


def compile_openers(
    groups: Mapping[str, QuestionGroup], group_of: Mapping[str, QuestionGroup]
) -> dict[str, tuple[str, ...]]:
    """Each option of a "which of these apply" screen, and the findings on the screens it
    opens. An opener is an option of a screen no opener opens, and never of a red-flag or
    where-it-is screen: the emergency signs are always asked, one by one."""
    opens: dict[str, list[str]] = {}
    for gid, group in groups.items():
        if group.opened_by is None:
            continue
        where = f"questions.yaml: screens[{gid}].opened_by"
        opener = group_of.get(group.opened_by)
        if opener is None:
            raise KnowledgeError(f"{where}: '{group.opened_by}' is on no screen")
        if opener.opened_by is not None or opener.first or opener.screen:
            raise KnowledgeError(
                f"{where}: '{group.opened_by}' is on screen '{opener.id}', which cannot open "
                "others (it is opened itself, or asks where it is or the emergency signs)"
            )
        if group.first or group.screen:
            raise KnowledgeError(f"{where}: a where-it-is or red-flag screen is always asked")
        opens.setdefault(group.opened_by, []).extend(group.members)
    return {opener: tuple(members) for opener, members in opens.items()}


def check_policy(check: References, policy: Policy) -> None:
    """The policy's sources and the findings it names exist."""
    check.sources(policy.sources, "policy.yaml: sources")
    check.findings(policy.describes_episode, "policy.yaml: describes_episode")
    check.findings(policy.not_red_flags, "policy.yaml: not_red_flags")
    for i, signal in enumerate(policy.kind_signals):
        check.findings((signal.finding,), f"policy.yaml: kind_signals[{i}].finding")


def red_flags_of(
    rules: list[CompiledRule],
    findings: Mapping[str, Finding],
    policy: Policy,
    emergency_findings: frozenset[str],
) -> frozenset[str]:
    """Symptoms and signs an urgent or emergency rule reads (yes/no ones, not those that
    only describe the episode or that the policy says are not warning signs), and every
    emergency sign."""
    return (
        frozenset(
            f
            for rule in rules
            if rule.spec.level in (Urgency.URGENT, Urgency.EMERGENCY)
            for f in rule.leaves
            if findings[f].category in ("symptom", "sign")
            and findings[f].answer == "boolean"
            and f not in policy.describes_episode
            and f not in policy.not_red_flags
        )
        | emergency_findings
    )


def condition_masks(
    conditions: Mapping[str, ConditionRef], index: Mapping[str, int]
) -> dict[str, tuple[int, int, int]]:
    """Per condition, the bit sets of its key, supporting and against findings."""
    masks: dict[str, tuple[int, int, int]] = {}
    for cid, condition in conditions.items():
        key, supporting, against = (
            sum(1 << index[f] for f in getattr(condition, name))
            for name in ("key", "supporting", "against")
        )
        masks[cid] = (key, supporting, against)
    return masks
