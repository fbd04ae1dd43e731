"""Learn pages, generated from the knowledge base; every statement cites its sources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crampcheck.domain.types import Kind, Urgency
from crampcheck.knowledge.loader import CompiledAdvice, KnowledgeBase
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.render import not_found, page
from crampcheck.web.pages.result import Citations, evidence_labels, urgency_headings
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

Builder = Callable[[AppState, Citations], dict[str, Any]]


def _fill(text: str, state: AppState) -> str:
    terms = state.pipeline.care_terms(state.settings.emergency_number)
    for key, value in terms.items():
        text = text.replace("{" + key + "}", value)
    return text


def _citations(kb: KnowledgeBase) -> Citations:
    return Citations({s.id: s.model_dump(mode="json") for s in kb.sources.values()})


def _kind_titles() -> dict[Kind, str]:
    return {
        Kind.CRAMP: _("Cramps"),
        Kind.SPASM: _("Spasms and twitching"),
        Kind.OTHER: _("Problems that can look like a cramp or spasm"),
    }


def _kinds(state: AppState, cite: Citations) -> dict[str, Any]:
    kb = state.pipeline.kb
    policy_sources = kb.policy.sources
    groups = []
    for kind, title in _kind_titles().items():
        items = []
        for signal in kb.policy.kind_signals:
            if signal.kind is not kind:
                continue
            finding = kb.findings[signal.finding]
            items.append(
                {
                    "label": finding.label,
                    "text": signal.reason,
                    "detail": finding.why,
                    "cites": cite.cite([*finding.sources, *policy_sources]),
                }
            )
        if items:
            groups.append({"title": title, "items": items})
    return {"groups": groups}


def _causes(state: AppState, cite: Citations) -> dict[str, Any]:
    kb = state.pipeline.kb
    groups = []
    for kind, title in _kind_titles().items():
        items = [
            {
                "name": c.name,
                "text": c.summary,
                "clinician": c.clinician,
                "cites": cite.cite(c.sources),
            }
            for c in kb.conditions.values()
            if c.kind is kind
        ]
        if items:
            groups.append({"title": title, "items": items})
    return {"groups": groups}


def _advice_items(state: AppState, cite: Citations, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    items = []
    advice: CompiledAdvice
    for advice in state.pipeline.kb.advice:
        spec = advice.spec
        if spec.kind not in kinds:
            continue
        evidence = spec.evidence
        items.append(
            {
                "kind": spec.kind,
                "title": _fill(spec.title, state),
                "text": _fill(spec.text, state),
                "cites": cite.cite(spec.sources),
                "steps": list(spec.steps),
                "cautions": [
                    {"text": _fill(c.text, state), "cites": cite.cite(c.sources)}
                    for c in spec.cautions
                ],
                "evidence": (
                    {
                        "strength": evidence_labels().get(evidence.strength, evidence.strength),
                        "summary": evidence.summary,
                        "cites": cite.cite(evidence.sources),
                    }
                    if evidence
                    else None
                ),
            }
        )
    return items


def _home(state: AppState, cite: Citations) -> dict[str, Any]:
    items = _advice_items(state, cite, ("home", "avoid"))
    return {
        "sections": [
            {"title": _("What you can do"), "items": [i for i in items if i["kind"] == "home"]},
            {"title": _("What to avoid"), "items": [i for i in items if i["kind"] == "avoid"]},
        ]
    }


def _professional(state: AppState, cite: Citations) -> dict[str, Any]:
    return {
        "sections": [
            {
                "title": _("What a clinician may consider"),
                "items": _advice_items(state, cite, ("professional",)),
            }
        ]
    }


def _when(state: AppState, cite: Citations) -> dict[str, Any]:
    kb = state.pipeline.kb
    headings = urgency_headings()
    levels = []
    for level in (Urgency.EMERGENCY, Urgency.URGENT, Urgency.DOCTOR, Urgency.SELF_CARE):
        reasons = [
            {"text": _fill(r.spec.reason, state), "cites": cite.cite(r.spec.sources)}
            for r in kb.rules
            if r.spec.level is level
        ]
        if reasons:
            action = kb.policy.level_actions.get(level, "")
            levels.append(
                {
                    "level": level.value,
                    "title": headings[level.value][0],
                    "action": _fill(action, state),
                    "action_cites": cite.cite(kb.policy.sources),
                    "reasons": reasons,
                }
            )
    return {
        "safety_net": _advice_items(state, cite, ("safety_net",)),
        "levels": levels,
    }


def _sources(state: AppState, cite: Citations) -> dict[str, Any]:
    cite.cite(state.pipeline.kb.sources)
    return {}


def topics() -> dict[str, tuple[str, str, str, Builder]]:
    """slug -> (title, one-line description, template, context builder)."""
    return {
        "cramps-and-spasms": (
            _("Cramps and spasms: what is the difference?"),
            _("How a cramp, a spasm and twitching differ, and what only looks like them."),
            "learn_kinds.html",
            _kinds,
        ),
        "causes": (
            _("What causes cramps and spasms"),
            _("Common causes, and the problems that need a doctor."),
            "learn_causes.html",
            _causes,
        ),
        "home-treatment": (
            _("Treating cramps and spasms at home"),
            _("What helps, how strong the evidence is, and what to avoid."),
            "learn_advice.html",
            _home,
        ),
        "professional-treatment": (
            _("Treatment from a clinician"),
            _("What a doctor, therapist or specialist may offer when home care is not enough."),
            "learn_advice.html",
            _professional,
        ),
        "when-to-see-a-doctor": (
            _("When to see a doctor"),
            _("The warning signs, from call the emergency number now to manage at home."),
            "learn_when.html",
            _when,
        ),
        "sources": (
            _("Sources"),
            _("Every public page crampcheck's statements rest on."),
            "learn_sources.html",
            _sources,
        ),
    }


@router.get("/learn")
def learn_index(request: Request, state: StateDep) -> HTMLResponse:
    """The Learn topics."""
    items = [(slug, title, description) for slug, (title, description, _t, _b) in topics().items()]
    return page(request, state, "learn_index.html", {"topics": items})


@router.get("/learn/{slug}")
def learn_topic(request: Request, slug: str, state: StateDep) -> HTMLResponse:
    """One Learn page."""
    topic = topics().get(slug)
    if topic is None:
        return not_found(request, state)
    title, description, template, build = topic
    cite = _citations(state.pipeline.kb)
    context = build(state, cite)
    return page(
        request,
        state,
        template,
        {**context, "title": title, "description": description, "sources": cite.numbered()},
    )
