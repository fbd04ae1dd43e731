"""Use cases: the only layer that composes the knowledge base, the reader and the engine."""

from crampcheck.services.pipeline import CheckResult, Pipeline, default_pipeline

__all__ = ["CheckResult", "Pipeline", "default_pipeline"]
