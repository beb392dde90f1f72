"""Rasa's Redis tracker store, with a merge that stays linear once a chat has several sessions.

Rasa 3.6 reads only a conversation's last session for a turn, and on saving merges it back into
the stored tracker. Its fast path only recognises a tracker with one session; with two or more
(a worker who comes back after the 60-minute session expiry, on WeChat for up to 30 days) every
save compares each new event with every stored one through `as_dict()`: quadratic in the length
of the chat, on every message. Here the turn's tracker is recognised as "the stored last session
plus new events" and appended in one pass; anything else goes to Rasa's own merge.
"""
from __future__ import annotations

import os
import time
from typing import Any, Optional

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, ConversationPaused, Event,
                                     SessionStarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker

from config import log_masking
from unionkit.pii import mask_pii, mask_text
from unionkit import redis_sentinel
from unionkit.redis_retry import make_retrying

log_masking.install()  # Rasa imports this module once logging is set up: its logs are masked too


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
        if start >= 0:
            stored_session = prior[start:]
            current = list(tracker.events)
            if current[: len(stored_session)] == stored_session:
                merged = tracker.init_copy()
                merged.update_with_events(prior + current[len(stored_session):], override_timestamp=False,
                                          domain=None)
                return merged
        return RedisTrackerStore._merge_trackers(prior_tracker, tracker)


# =========================================================================== privacy and bounds
# Slots the scrub never touches while they hold their current value (a form still needs it); every
# earlier value of any slot is masked. The kept form (actions/kept_forms.py) only while it is fresh.
KEPT_FORM, KEPT_SECONDS = "kept_form", 30 * 60


def _mask_event(event: Event, *, texts: bool) -> None:
    """Masks ID numbers and phones in one stored event, in place (unionkit.pii: the one rule)."""
    if isinstance(event, SlotSet):
        event.value = mask_pii(event.value)
    elif isinstance(event, UserUttered) and texts:
        event.text = mask_text(event.text) if event.text else event.text
        event.entities = mask_pii(event.entities)
        event.parse_data = mask_pii(event.parse_data)
        if event.metadata:
            event.metadata = mask_pii(event.metadata)
    elif isinstance(event, BotUttered):
        # The bot's own lines, and its custom payloads (a handoff carries the form's data in full).
        event.text = mask_text(event.text) if event.text else event.text
        event.data = mask_pii(event.data)


def scrub(tracker: DialogueStateTracker, now: float | None = None) -> None:
    """Keeps ID numbers and phones out of the stored events once no form needs them.

    A slot's earlier values are masked at once; the value it holds now stays while it holds it (a
    submitted or cancelled form resets its slots, so then those go too). What the worker typed,
    the entities and the NLU result are masked as soon as no form is active: while one is, its
    validators may read the worker's earlier answers (corrections, a description over several
    messages). The bot's lines and payloads are always masked. In place: Rasa's tracker of this turn
    and the stored one stay the same events."""
    events = list(tracker.events)
    last_set: dict[str, int] = {}
    for index, event in enumerate(events):
        if isinstance(event, SlotSet):
            last_set[event.key] = index
    texts = tracker.active_loop_name is None
    now = now or time.time()
    for index, event in enumerate(events):
        if isinstance(event, SlotSet) and last_set.get(event.key) == index:
            kept = event.key == KEPT_FORM and isinstance(event.value, dict)
            if not kept or now - float(event.value.get("at") or 0) <= KEPT_SECONDS:
                continue
        _mask_event(event, texts=texts)


def bounded_events(tracker: DialogueStateTracker, max_events: int, keep_events: int,
                   domain: Domain | None) -> list[Event] | None:
    """The tracker's events cut to about the last `keep_events` when it holds more than `max_events`,
    or None when it needs no cut.

    The cut falls at the start of a turn (a message after action_listen) outside any form, the first
    such place among the last `keep_events` events (else the last one before). What the dropped events
    had set is carried over the way Rasa starts a new session with its slots: action_session_start,
    session_started, a SlotSet per slot away from its initial value, the active form, a pause, and
    action_listen; then the kept turns. A chat of 300 turns is read, replayed and written like a chat
    of a few turns (the policies look at the last 4-5 turns; the transcript keeps everything)."""
    events = list(tracker.events)
    if len(events) <= max_events:
        return None
    # Where a cut may fall: a turn's start with no form active (a form keeps all its turns: its
    # validators read the answers and the texts since it started, actions/forms.py, actions/cases.py).
    allowed, active = [], None
    for index, event in enumerate(events):
        if isinstance(event, ActiveLoop):
            active = event.name
        elif (index > 0 and active is None and isinstance(event, UserUttered)
              and isinstance(events[index - 1], ActionExecuted) and events[index - 1].action_name == ACTION_LISTEN_NAME):
            allowed.append(index)
    target = len(events) - keep_events
    later = [index for index in allowed if index >= target]
    earlier = [index for index in allowed if 0 < index < target]
    cut = later[0] if later else earlier[-1] if earlier else None
    if cut is None or cut <= 3:
        return None
    state = tracker.init_copy()  # the same slots at their initial values
    state.update_with_events(events[:cut], override_timestamp=False, domain=domain)
    at = events[cut - 1].timestamp
    carried: list[Event] = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=at), SessionStarted(timestamp=at)]
    for name, slot in state.slots.items():
        if slot.value != slot.initial_value:
            carried.append(SlotSet(name, slot.value, timestamp=at))
    if state.active_loop_name:
        carried.append(ActiveLoop(state.active_loop_name, timestamp=at))
    if state.is_paused():
        carried.append(ConversationPaused(timestamp=at))
    carried.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=at))
    return carried + events[cut:]


class PrivateRedisTrackerStore(SessionAwareRedisTrackerStore):
    """The Redis tracker store of config/endpoints.yml: the linear merge, the scrub, the bound."""

    def __init__(self, domain: Domain, host: str = "localhost", port: int = 6379, db: int = 0,
                 password: Optional[str] = None, record_exp: Optional[float] = None,
                 max_events: Any = 80, keep_events: Any = 40, **kwargs: Any) -> None:
        # Values from endpoints.yml may arrive as strings (environment substitution).
        record_exp = float(record_exp) if record_exp not in (None, "") else None
        super().__init__(domain, host=host, port=int(port), db=int(db), password=password or None,
                         record_exp=int(record_exp) if record_exp else None, **kwargs)
        make_retrying(self.red)  # the first save after a Redis restart reconnects (unionkit/redis_retry.py)
        # With REDIS_SENTINELS, the master the Sentinels name, followed through a failover.
        self.red = redis_sentinel.from_environment(db=int(db), password=password or None) or self.red
        # TRACKER_MAX_EVENTS / TRACKER_KEEP_EVENTS override endpoints.yml (bench/long_history.py
        # measures the store without its bound with TRACKER_MAX_EVENTS=1000000000).
        self.max_events = int(os.environ.get("TRACKER_MAX_EVENTS") or max_events)
        self.keep_events = int(os.environ.get("TRACKER_KEEP_EVENTS") or keep_events)
        if not 0 < self.keep_events < self.max_events:
            raise ValueError("tracker store: need 0 < keep_events < max_events")

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        await self.stream_events(tracker)
        timeout = timeout or self.record_exp
        key = self.key_prefix + tracker.sender_id
        stored = self.red.get(key)
        if stored is not None:
            tracker = self._merge_trackers(self.deserialise_tracker(tracker.sender_id, stored), tracker)
        bounded = bounded_events(tracker, self.max_events, self.keep_events, self.domain)
        if bounded is not None:
            tracker.events = tracker._create_events(bounded)  # the state is the same: only the history is shorter
        scrub(tracker)
        self.red.set(key, self.serialise_tracker(tracker), ex=int(timeout) if timeout else None)

    async def delete(self, sender_id: str) -> None:
        self.red.delete(self.key_prefix + sender_id)
