"""rasa_components/tracker_store.py on a real Redis: a chat with several sessions is saved in one
linear pass, with exactly the events Rasa's own merge would keep."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from rasa_components.tracker_store import SessionAwareRedisTrackerStore, last_session_start

DOMAIN = Domain.from_yaml("version: '3.1'\nintents: [greet]\nresponses:\n  utter_greet:\n  - text: 你好\n")


def run(coro):
    """The store's coroutines, on a thread of their own: the browser tests leave an event loop
    running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _session(n_turns: int, t0: float) -> list:
    events = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=t0), SessionStarted(timestamp=t0 + 0.001),
              ActionExecuted(ACTION_LISTEN_NAME, timestamp=t0 + 0.002)]
    for i in range(n_turns):
        t = t0 + 1 + i
        events += [UserUttered(f"你好 {i}", {"name": "greet", "confidence": 1.0}, timestamp=t),
                   BotUttered("你好", timestamp=t + 0.1), ActionExecuted(ACTION_LISTEN_NAME, timestamp=t + 0.2)]
    return events


def _store(cls, redis_url: str):
    parsed = urlparse(redis_url)
    return cls(DOMAIN, host=parsed.hostname, port=parsed.port or 6379, db=int((parsed.path or "/0")[1:] or 0),
               key_prefix="trackertest")


@pytest.mark.parametrize("sessions", [1, 3])
def test_saves_the_stored_sessions_plus_the_turn(redis_url, monkeypatch, sessions):
    store = _store(SessionAwareRedisTrackerStore, redis_url)
    from rasa.shared.core.trackers import DialogueStateTracker

    history = [e for s in range(sessions) for e in _session(5, 1000.0 * (s + 1))]
    run(store.save(DialogueStateTracker.from_events("w1", history, DOMAIN.slots)))

    # A turn: Rasa reads the last session, adds events, saves.
    tracker = run(store.retrieve("w1"))
    assert len(tracker.events) == len(history) - last_session_start(history)
    turn = [UserUttered("再来", {"name": "greet", "confidence": 1.0}, timestamp=9000.0),
            BotUttered("你好", timestamp=9000.1), ActionExecuted(ACTION_LISTEN_NAME, timestamp=9000.2)]
    for event in turn:
        tracker.update(event)
    expected = RedisTrackerStore._merge_trackers(run(store.retrieve_full_tracker("w1")), tracker)

    slow_calls = []
    original = RedisTrackerStore._merge_trackers
    if sessions > 1:  # (with one session, Rasa's own merge is used: its fast path covers it)
        monkeypatch.setattr(RedisTrackerStore, "_merge_trackers",
                            staticmethod(lambda *a: slow_calls.append(1) or original(*a)))
    run(store.save(tracker))

    full = run(store.retrieve_full_tracker("w1"))
    assert [e.as_dict() for e in full.events] == [e.as_dict() for e in expected.events]
    assert [e.as_dict() for e in full.events] == [e.as_dict() for e in history + turn]
    assert slow_calls == []


def test_anything_else_goes_to_rasas_own_merge(redis_url, monkeypatch):
    """A tracker that is not "the stored last session plus new events" (another process saved in
    between) is merged by Rasa, which keeps both sides' events."""
    from rasa.shared.core.trackers import DialogueStateTracker

    store = _store(SessionAwareRedisTrackerStore, redis_url)
    history = _session(2, 1000.0) + _session(2, 2000.0)
    run(store.save(DialogueStateTracker.from_events("w2", history, DOMAIN.slots)))
    stale = run(store.retrieve("w2"))
    elsewhere = run(store.retrieve("w2"))
    elsewhere.update(UserUttered("别处", {"name": "greet", "confidence": 1.0}, timestamp=3000.0))
    run(store.save(elsewhere))
    stale.update(UserUttered("这里", {"name": "greet", "confidence": 1.0}, timestamp=3001.0))

    slow_calls = []
    original = RedisTrackerStore._merge_trackers
    monkeypatch.setattr(RedisTrackerStore, "_merge_trackers",
                        staticmethod(lambda *a: slow_calls.append(1) or original(*a)))
    run(store.save(stale))
    texts = [e.text for e in run(store.retrieve_full_tracker("w2")).events if isinstance(e, UserUttered)]
    assert slow_calls == [1]
    assert texts[-2:] == ["别处", "这里"]


# =========================================================================== privacy and bounds
from rasa.shared.core.events import ActiveLoop, SlotSet  # noqa: E402
from rasa.shared.core.slots import AnySlot, TextSlot  # noqa: E402

from rasa_components.tracker_store import PrivateRedisTrackerStore  # noqa: E402

ID, PHONE = "130402198803141924", "13912345678"
SLOT_DOMAIN = Domain.from_yaml("""
version: '3.1'
intents: [greet, join_union]
slots:
  id_number: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  phone: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  name: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  requested_slot: {type: any, influence_conversation: false, mappings: [{type: custom}]}
forms:
  join_union_form: {required_slots: [name, id_number, phone]}
responses:
  utter_greet:
  - text: 你好
""")


def _private_store(redis_url: str, **kwargs) -> PrivateRedisTrackerStore:
    parsed = urlparse(redis_url)
    return PrivateRedisTrackerStore(SLOT_DOMAIN, host=parsed.hostname, port=parsed.port or 6379,
                                    db=int((parsed.path or "/0")[1:] or 0), key_prefix="trackertest", **kwargs)


def _turn(tracker, text, t, *events):
    from rasa.shared.core.events import UserUttered as U

    tracker.update(U(text, {"name": "join_union", "confidence": 1.0}, timestamp=t))
    for i, event in enumerate(events):
        event.timestamp = t + 0.01 * (i + 1)
        tracker.update(event)
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME, timestamp=t + 0.5))


def _stored(store, sender: str) -> str:
    """The stored tracker's JSON as text (not ASCII-escaped, to search it)."""
    import json

    return json.dumps(json.loads(store.red.get(store.key_prefix + sender)), ensure_ascii=False)


def test_id_number_and_phone_leave_the_stored_tracker_once_the_form_ends(redis_url):
    from rasa.shared.core.trackers import DialogueStateTracker

    store = _private_store(redis_url)
    tracker = DialogueStateTracker.from_events("p1", _session(0, 1000.0), SLOT_DOMAIN.slots)
    _turn(tracker, "我想入会", 1010.0, ActiveLoop("join_union_form"), SlotSet("requested_slot", "name"))
    _turn(tracker, "张伟", 1020.0, SlotSet("name", "张伟"), SlotSet("requested_slot", "id_number"))
    _turn(tracker, f"身份证 {ID[:6]} {ID[6:14]} {ID[14:]}", 1030.0, SlotSet("id_number", ID),
          SlotSet("requested_slot", "phone"))
    _turn(tracker, "+86 139 1234 5678", 1040.0, SlotSet("phone", PHONE), BotUttered("手机 139****5678，对吗？"))
    run(store.save(tracker))
    # While the form runs, its values stay (it files them at the end).
    tracker = run(store.retrieve("p1"))
    assert tracker.get_slot("id_number") == ID and tracker.get_slot("phone") == PHONE

    # Submitted: the action resets the slots, the form ends.
    _turn(tracker, "确认提交", 1050.0, ActiveLoop(None), SlotSet("id_number", None), SlotSet("phone", None),
          SlotSet("requested_slot", None),
          BotUttered("已提交", data={"custom": {"handoff": {"form_data": {"id_number": ID, "phone": PHONE}}}}))
    run(store.save(tracker))
    raw = _stored(store, "p1")
    digits = "".join(ch for ch in raw if ch.isdigit())
    assert ID[6:14] not in digits and "91234" not in digits and "1234 5678" not in raw
    assert "130***********1924" in raw and "139****5678" in raw
    again = run(store.retrieve("p1"))
    assert again.get_slot("name") == "张伟" and again.get_slot("id_number") is None

    # The next turn is appended to the scrubbed tracker, nothing comes back.
    _turn(again, "谢谢", 1060.0, BotUttered("不客气"))
    run(store.save(again))
    assert ID not in _stored(store, "p1") and PHONE not in _stored(store, "p1")


def test_a_value_a_slot_still_holds_outside_a_form_stays_and_typed_numbers_go(redis_url):
    from rasa.shared.core.trackers import DialogueStateTracker

    store = _private_store(redis_url)
    tracker = DialogueStateTracker.from_events("p2", _session(0, 1000.0), SLOT_DOMAIN.slots)
    _turn(tracker, f"我电话是{PHONE}", 1010.0, SlotSet("name", "李四"))
    run(store.save(tracker))
    raw = _stored(store, "p2")
    assert PHONE not in raw and "139****5678" in raw and "李四" in raw


def test_a_long_chat_is_kept_to_its_last_turns_with_the_state_carried_over(redis_url):
    from rasa.shared.core.events import ConversationPaused
    from rasa.shared.core.trackers import DialogueStateTracker

    store = _private_store(redis_url, max_events=60, keep_events=30)
    tracker = DialogueStateTracker.from_events("p3", _session(0, 1000.0), SLOT_DOMAIN.slots)
    _turn(tracker, "我想入会", 1001.0, ActiveLoop("join_union_form"), SlotSet("name", "王五"),
          SlotSet("requested_slot", "id_number"))
    _turn(tracker, "算了", 1001.5, ActiveLoop(None), SlotSet("requested_slot", None))
    t = 1002.0
    for i in range(300):
        _turn(tracker, f"问题 {i}", t, BotUttered(f"回答 {i}"))
        t += 1
        if i % 25 == 0:
            run(store.save(tracker))
            tracker = run(store.retrieve("p3"))
            assert len(tracker.events) <= 60
    tracker.update(ConversationPaused(timestamp=t))
    _turn(tracker, "转人工", t + 1)
    run(store.save(tracker))
    stored = run(store.retrieve_full_tracker("p3"))
    assert len(stored.events) <= 60
    assert stored.get_slot("name") == "王五" and stored.active_loop_name is None and stored.is_paused()
    # The last turns are there as they were; the cut is at a turn's start.
    texts = [e.text for e in stored.events if isinstance(e, UserUttered)]
    assert texts[-1] == "转人工" and texts[:-1] == [f"问题 {i}" for i in range(301 - len(texts), 300)]
    assert stored.events[0].action_name == ACTION_SESSION_START_NAME


def test_a_form_is_never_cut(redis_url):
    """A long chat whose last turns are a form keeps the whole form: its validators read its answers."""
    from rasa.shared.core.trackers import DialogueStateTracker

    store = _private_store(redis_url, max_events=40, keep_events=12)
    tracker = DialogueStateTracker.from_events("p4", _session(0, 1000.0), SLOT_DOMAIN.slots)
    for i in range(20):
        _turn(tracker, f"闲聊 {i}", 1001.0 + i, BotUttered("好的"))
    _turn(tracker, "我想入会", 1100.0, ActiveLoop("join_union_form"), SlotSet("requested_slot", "name"))
    for i in range(6):
        _turn(tracker, f"回答 {i}", 1101.0 + i, SlotSet("name", f"名字{i}"), BotUttered("下一个"))
    before = len(tracker.events)
    run(store.save(tracker))
    stored = run(store.retrieve_full_tracker("p4"))
    texts = [e.text for e in stored.events if isinstance(e, UserUttered)]
    assert "我想入会" in texts and texts[-6:] == [f"回答 {i}" for i in range(6)]
    assert len(stored.events) < before and stored.active_loop_name == "join_union_form"
    assert sum(isinstance(e, ActiveLoop) and e.name == "join_union_form" for e in stored.events) == 1  # its own
