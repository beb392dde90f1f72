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
