"""查询进度's lines (actions/application_status.render): status in words, due time for open
records, the union's last message; the same words as the notices (config/desk.yml)."""
from __future__ import annotations

from actions.application_status import render


def test_each_record_shows_status_in_words_due_time_and_the_last_message():
    lines = render([
        ("membership", {"number": "RH20261202-AAAAAA", "status": "reviewing", "due_at": "2026-12-07T09:30:00+00:00",
                        "next_statuses": ["approved", "rejected"],
                        "last_message": {"text": "材料已收到，正在审核", "at": "2026-12-02T08:00:00+00:00"}}),
        ("wage_arrears", {"number": "WQ20261202-BBBBBB", "status": "resolved", "due_at": "2026-12-03T09:30:00+00:00",
                          "next_statuses": [], "last_message": None}),
        ("suggestion", {"number": "JY20261202-CCCCCC", "status": "queued"}),
    ]).split("\n")
    assert lines[0] == "· 入会申请｜编号 RH20261202-AAAAAA｜审核中｜12月7日 17:30前办结"
    assert lines[1] == "  工会最新留言：材料已收到，正在审核"
    assert lines[2] == "· 欠薪求助｜编号 WQ20261202-BBBBBB｜已办结"
    assert lines[3] == "· 建议｜编号 JY20261202-CCCCCC｜已提交，正在同步"
