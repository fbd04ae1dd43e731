"""The pure triage engine and the adaptive interview."""

from crampcheck.engine.assess import assess
from crampcheck.engine.interview import AnswerError, Option, Question, answer, next_question

__all__ = ["AnswerError", "Option", "Question", "answer", "assess", "next_question"]
