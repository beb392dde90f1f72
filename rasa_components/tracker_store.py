"""Rasa's Redis tracker store, with a merge that stays linear once a chat has several sessions.

Rasa 3.6 reads only a conversation's last session for a turn, and on saving merges it back into
the stored tracker. Its fast path only recognises a tracker with one session; with two or more
(a worker who comes back after the 60-minute session expiry, on WeChat for up to 30 days) every
save compares each new event with every stored one through `as_dict()`: quadratic in the length
of the chat, on every message. Here the turn's tracker is recognised as "the stored last session
plus new events" and appended in one pass; anything else goes to Rasa's own merge.
"""
from __future__ import annotations

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker


def last_session_start(events: list[Event]) -> int:
    """Index where the last session begins, as Rasa splits sessions (0 when there is one)."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME:
            return index
    return 0


class SessionAwareRedisTrackerStore(RedisTrackerStore):
    @staticmethod
    def _merge_trackers(prior_tracker: DialogueStateTracker, tracker: DialogueStateTracker) -> DialogueStateTracker:
        prior = list(prior_tracker.events)
        start = last_session_start(prior)
        if start > 0:
            stored_session = prior[start:]
            current = list(tracker.events)
            if current[: len(stored_session)] == stored_session:
                merged = tracker.init_copy()
                merged.update_with_events(prior + current[len(stored_session):], override_timestamp=False,
                                          domain=None)
                return merged
        return RedisTrackerStore._merge_trackers(prior_tracker, tracker)
