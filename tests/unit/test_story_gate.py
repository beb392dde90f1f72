"""scripts/test_stories.py: which turns of the test stories have their intent checked."""
from __future__ import annotations

from scripts.test_stories import labelled_turns, story_files

STORY = """version: '3.1'
stories:
- story: a question in the wage form
  steps:
  - user: 老板欠我工资
    intent: wage_arrears
  - action: action_start_wage_arrears
  - action: wage_arrears_form
  - active_loop: wage_arrears_form
  - user: 顺发装修队
  - action: wage_arrears_form
  - user: /affirm
    intent: affirm
  - action: wage_arrears_form
  - user: 会费怎么交
    intent: faq
  - action: wage_arrears_form
"""


def test_only_turns_with_text_and_intent_are_checked(tmp_path):
    path = tmp_path / "test_stories.yml"
    path.write_text(STORY, encoding="utf-8")
    assert labelled_turns([path]) == [("a question in the wage form", "老板欠我工资", "wage_arrears"),
                                      ("a question in the wage form", "会费怎么交", "faq")]
    assert story_files(path) == [path] and story_files(tmp_path) == [path]
