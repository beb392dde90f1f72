"""FAQ entries on SQLite and PostgreSQL: versions of every change, restore (also after delete),
validation, and the per-worker index following the Redis version counter."""
from __future__ import annotations

import time

import pytest

from bot.faq import store
from bot.faq.live_index import current_index
from unionkit.faq.live import CHECK_SECONDS
from bot.faq.models import FaqEntry
from bot.faq.store import InvalidEntry
from config.database import Session


@pytest.fixture()
def app(make_app, database_url):
    return make_app(database_url=database_url)


def test_migration_loads_the_starting_faq_with_a_first_version(app):
    with app.app_context():
        entries = Session.query(FaqEntry).all()
        assert len(entries) >= 40 and all(e.enabled for e in entries)
        assert [v.action for v in store.history(entries[0].id)] == ["seed"]


def test_every_change_is_a_version_and_any_version_can_be_restored(app):
    with app.app_context():
        entry = store.create_entry({"question": "食堂几点开饭", "variants": "饭堂几点开\n食堂 几点开门\n\n",
                                    "answer": "食堂 11:30 开饭。", "category": "生活"}, "li")
        assert entry.variants == ["饭堂几点开", "食堂 几点开门"] and entry.updated_by == "li"
        store.update_entry(entry, {"answer": "食堂 11:00 开饭。"}, "wang", partial=True)
        store.update_entry(entry, {"enabled": False}, "wang", partial=True)
        versions = store.history(entry.id)
        assert [(v.number, v.action) for v in versions] == [(3, "disable"), (2, "update"), (1, "create")]
        assert versions[1].snapshot["answer"] == "食堂 11:00 开饭。" and versions[1].changed_by == "wang"

        store.restore_version(versions[2], "zhao")
        assert (entry.answer, entry.enabled, entry.updated_by) == ("食堂 11:30 开饭。", True, "zhao")

        entry_id = entry.id
        store.delete_entry(entry, "zhao")
        assert store.get_entry(entry_id) is None
        deleted = store.history(entry_id)
        assert deleted[0].action == "delete"
        back = store.restore_version(deleted[1], "li")
        assert back.id == entry_id and back.answer == "食堂 11:30 开饭。"
        assert store.history(entry_id)[0].action == "restore"


def test_bad_fields_are_named_and_nothing_is_saved(app):
    with app.app_context():
        before = Session.query(FaqEntry).count()
        with pytest.raises(InvalidEntry) as bad:
            store.create_entry({"question": " ", "answer": "很长" * 300, "enabled": "也许", "variants": [1]}, "li")
        assert bad.value.problems == {"question": "required", "answer": "too_long", "enabled": "not_yes_no",
                                      "variants": "not_text"}
        Session.rollback()
        assert Session.query(FaqEntry).count() == before


def test_a_change_in_one_worker_reaches_the_index_of_another(make_app, sqlite_url):
    # Two apps on one database and one Redis stand for two gateway workers.
    one, two = make_app(database_url=sqlite_url), make_app(database_url=sqlite_url)
    def answered_with(question: str) -> str | None:
        decision = current_index().decide(question)
        return decision.best.entry.answer if decision.kind == "answer" else None

    with one.app_context():
        assert answered_with("食堂几点开饭") is None
    with two.app_context():
        store.create_entry({"question": "食堂几点开饭", "answer": "食堂 11:30 开饭。"}, "li")
        changed_at = time.monotonic()
    deadline = changed_at + 2
    with one.app_context():
        while answered_with("食堂几点开饭") != "食堂 11:30 开饭。":
            assert time.monotonic() < deadline, "the other worker never picked the change up"
            time.sleep(0.05)
        assert time.monotonic() - changed_at <= CHECK_SECONDS + 0.5
        entry = Session.query(FaqEntry).filter_by(question="食堂几点开饭").one()
    with two.app_context():
        store.update_entry(Session.get(FaqEntry, entry.id), {"enabled": False}, "li", partial=True)
    time.sleep(CHECK_SECONDS + 0.1)
    with one.app_context():
        assert answered_with("食堂几点开饭") is None  # disabled entries are not answered
