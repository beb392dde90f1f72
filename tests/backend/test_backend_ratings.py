"""The worker's ratings on the back end (SQLite and PostgreSQL): parts merged into one row per
subject, a low score or 没解决 opens one review task for the team on the desk, the feed marks a
final status, and /v1/stats/desk carries CSAT and the share resolved on first contact."""
from __future__ import annotations

from tests.backend.test_backend_desk import _case, _membership


def _finish_case(api, number):
    for status in ("in_progress", "resolved"):
        resp = api.post(f"/v1/records/{number}/status", json={"status": status, "actor": "li"})
        assert resp.status_code == 200, resp.get_json()


def test_parts_of_a_rating_merge_and_take_the_record_context(api):
    number = _case(api)["number"]
    api.post(f"/v1/records/{number}/assign", json={"assignee": "li", "actor": "li"})
    _finish_case(api, number)
    first = api.post("/v1/ratings", json={"subject": "record", "ref": number.lower(), "score": 5,
                                          "channel": "web", "channel_user": "web:s1"})
    assert first.status_code == 201, first.get_json()
    again = api.post("/v1/ratings", json={"subject": "record", "ref": number, "resolved": True, "comment": "谢谢"})
    assert again.status_code == 200
    rating = again.get_json()
    assert (rating["score"], rating["resolved"], rating["comment"]) == (5, True, "谢谢")
    assert (rating["kind"], rating["type"], rating["team"], rating["officer"]) == ("case", "wage_arrears", "legal", "li")
    assert rating["review_number"] is None
    listed = api.get("/v1/ratings", query_string={"ref": number}).get_json()["items"]
    assert [r["id"] for r in listed] == [rating["id"]]


def test_bad_ratings_are_refused_in_chinese(api):
    number = _membership(api)["number"]
    for body, field in (({"subject": "record", "ref": number, "score": 6}, "score"),
                        ({"subject": "record", "ref": number, "score": True}, "score"),
                        ({"subject": "thing", "ref": number}, "subject"),
                        ({"subject": "record", "ref": "RH20260101-ZZZZZZ", "score": 3}, "ref")):
        resp = api.post("/v1/ratings", json=body)
        assert resp.status_code == 400 and field in resp.get_json()["fields"], (body, resp.get_json())


def test_a_low_rating_opens_one_review_task_for_the_team(api):
    number = _case(api, type="hardship_aid", channel_user="web:s9")["number"]
    _finish_case(api, number)
    rating = api.post("/v1/ratings", json={"subject": "record", "ref": number, "score": 2}).get_json()
    review = rating["review_number"]
    assert review and review.startswith("HF")
    later = api.post("/v1/ratings", json={"subject": "record", "ref": number, "resolved": False,
                                          "comment": "没人联系我"}).get_json()
    assert later["review_number"] == review  # still one task
    task = api.get(f"/v1/records/{review}").get_json()
    assert (task["kind"], task["status"], task["team"], task["ref"]) == ("review", "pending", "hardship", number)
    assert (task["score"], task["resolved"], task["comment"]) == (2, False, "没人联系我")
    assert task["due_at"] and task["next_statuses"] == ["reviewed"]
    desk = api.get("/v1/records", query_string={"kind": "review"}).get_json()["items"]
    assert [r["number"] for r in desk] == [review]
    done = api.post(f"/v1/records/{review}/status", json={"status": "reviewed", "actor": "wang", "note": "已回电"})
    assert done.status_code == 200


def test_a_chat_rating_not_solved_opens_a_review_and_a_good_one_does_not(api):
    good = api.post("/v1/ratings", json={"subject": "chat", "ref": "handoff:1", "score": 4, "resolved": True,
                                         "officer": "li", "team": "legal"}).get_json()
    assert good["review_number"] is None
    bad = api.post("/v1/ratings", json={"subject": "chat", "ref": "handoff:2", "score": 4, "resolved": False,
                                        "officer": "li", "team": "legal"}).get_json()
    task = api.get(f"/v1/records/{bad['review_number']}").get_json()
    assert task["team"] == "legal" and task["officer"] == "li"


def test_the_feed_marks_the_final_status_and_the_team(api):
    number = _case(api)["number"]
    _finish_case(api, number)
    items = [i for i in api.get("/v1/events").get_json()["items"] if i["number"] == number]
    assert [(i["to"], i["final"]) for i in items] == [("open", False), ("in_progress", False), ("resolved", True)]
    assert items[-1]["team"] == "legal"


def test_stats_carry_csat_and_first_contact_resolution(api):
    for n, (score, solved) in enumerate(((5, True), (4, True), (2, False), (3, None))):
        api.post("/v1/ratings", json={"subject": "chat", "ref": f"handoff:{n}", "score": score, "resolved": solved})
    stats = api.get("/v1/stats/desk").get_json()
    assert stats["csat"]["count"] == 4 and stats["csat"]["average"] == 3.5
    assert stats["csat"]["share_satisfied"] == 0.5
    assert stats["csat"]["distribution"] == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1}
    assert stats["resolved_first_contact"] == round(2 / 3, 4)
    assert "review" not in stats["on_time_rate"]
