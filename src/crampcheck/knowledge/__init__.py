"""The sourced knowledge base: schema, loader, and the YAML data it ships."""

from crampcheck.knowledge.loader import (
    CompiledAdvice,
    CompiledRule,
    KnowledgeBase,
    KnowledgeError,
    default_knowledge,
    load_knowledge,
)

__all__ = [
    "CompiledAdvice",
    "CompiledRule",
    "KnowledgeBase",
    "KnowledgeError",
    "default_knowledge",
    "load_knowledge",
]
