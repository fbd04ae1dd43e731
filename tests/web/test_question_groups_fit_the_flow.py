"""Every question group can be answered in full through the pages.

The check's carried state refuses a single answer that sets more findings than
``MAX_STEP_FINDINGS`` (a guard against a forged state): a group with more members than
that could never be answered, and the check would end on "We could not continue your
check" for anyone who ticked its boxes.
"""

from __future__ import annotations

from crampcheck.knowledge import KnowledgeBase
from crampcheck.web.pages.flow import MAX_STEP_FINDINGS


def test_no_question_group_sets_more_findings_than_one_step_may_carry(
    kb: KnowledgeBase,
) -> None:
    too_big = {
        group.id: len(group.members)
        for group in kb.groups
        if len(group.members) > MAX_STEP_FINDINGS
    }
    assert too_big == {}
