"""A handoff's life, gateway side: open (queue it and say what happens next), claim, reply,
transfer, note, close (give the chat back to Rasa), and the sweep that flags chats left unclaimed.

Every step that changes who holds a chat is one conditional UPDATE, so two officers (or two
gateway workers) acting at once cannot both win.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

import requests
from flask import current_app
from sqlalchemy import bindparam, func, select, update

from bot import outbound
from unionkit import texts
from bot.accounts.service import TEAMS, audit
from bot.handoff.hours import OfficeHours
from bot.handoff.models import OUTCOMES, PRIORITIES, Handoff, HandoffNote
from bot.handoff.queues import HandoffQueues, queue_score
from bot.handoff.settings import HandoffSettings
from bot.models import Message, User
from bot.rasa_client import RasaClient
from config.database import Session

log = logging.getLogger(__name__)

_OPEN_HANDOFF_ID = (select(Handoff.id)
                    .where(Handoff.conversation_id == bindparam("cid"), Handoff.status != "closed").limit(1))
MAX_NOTE_CHARS = 2000
MAX_REPLY_CHARS = 1000
# What Rasa is told when the bot takes a chat back: unpaused, any form left open by the request
# closed, and listening again (as after every turn).
RESUME_EVENTS = [
    {"event": "resume"},
    {"event": "active_loop", "name": None},
    {"event": "slot", "name": "requested_slot", "value": None},
    {"event": "slot", "name": "slot_failures", "value": None},
    {"event": "action", "name": "action_listen"},
]
KEEP_FORM_RESUME_EVENTS = [RESUME_EVENTS[0], RESUME_EVENTS[-1]]


class HandoffError(Exception):
    status = 400

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message, self.code = message, code


class NotFound(HandoffError):
    status = 404


class Forbidden(HandoffError):
    status = 403


class Conflict(HandoffError):
    status = 409


@dataclass
class Situation:
    """What a waiting worker is told: place in the queue, and whether anyone can answer now."""
    position: int
    open_now: bool
    officers_online: int
    hours: str
    when: str | None  # next opening, when closed


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def teams_of(user: User) -> list[str]:
    return list(TEAMS) if user.role == "admin" else [t for t in user.team_list if t in TEAMS]


class HandoffService:
    def __init__(self, queues: HandoffQueues, rasa: RasaClient, cfg: HandoffSettings,
                 clock: Callable[[], dt.datetime] = utc_now):
        self.queues = queues
        self.rasa = rasa
        self.cfg = cfg
        self.hours = OfficeHours(cfg)
        self.clock = clock  # tests put the service at any hour; nothing here reads the time otherwise
        # fn(handoff) after an officer's close that greets the worker back (the rating question).
        self.after_close: list[Callable[[Handoff], None]] = []

    # ---- time -------------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        now = self.clock()
        return now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)

    def now_naive(self) -> dt.datetime:
        """Now as stored in the database (naive UTC, like every other timestamp there)."""
        return self.now().astimezone(dt.timezone.utc).replace(tzinfo=None)

    @staticmethod
    def epoch(naive_utc: dt.datetime) -> float:
        return naive_utc.replace(tzinfo=dt.timezone.utc).timestamp()

    # ---- lookups ------------------------------------------------------------------------------
    def get(self, handoff_id: int) -> Handoff:
        handoff = Session.get(Handoff, handoff_id)
        if handoff is None:
            raise NotFound("no such handoff", "not_found")
        Session.refresh(handoff)  # another worker or officer may have changed it
        return handoff

    def for_conversation(self, conversation_id: str) -> Handoff | None:
        """The conversation's handoff that is not closed yet, if any."""
        # Asked before every chat turn and almost always "none": a prepared id lookup first, the
        # ORM object only when there is one.
        if Session.execute(_OPEN_HANDOFF_ID, {"cid": conversation_id}).first() is None:
            return None
        return (Session.query(Handoff)
                .filter(Handoff.conversation_id == conversation_id, Handoff.status != "closed")
                .order_by(Handoff.id.desc()).first())

    def situation(self, handoff: Handoff) -> Situation:
        now = self.now()
        position = self.queues.position(handoff.team, handoff.id)
        if position is None and handoff.status == "waiting":  # the queue lost it (Redis flushed): put it back
            self._enqueue(handoff)
            position = self.queues.position(handoff.team, handoff.id)
        online = self.queues.online(handoff.team, now.timestamp(), self.cfg.presence_seconds)
        open_now = self.hours.is_open(now)
        return Situation(position=position or 0, open_now=open_now, officers_online=len(online),
                         hours=self.hours.describe(), when=None if open_now else self.hours.when_open(now))

    def _enqueue(self, handoff: Handoff) -> None:
        self.queues.enqueue(handoff.team, handoff.id, queue_score(handoff.priority, self.epoch(handoff.created_at)))

    # ---- open ---------------------------------------------------------------------------------
    def open(self, conversation_id: str, reason: str, priority: str = "normal", team: str = "general",
             case_number: str | None = None, form_data: dict | None = None) -> tuple[Handoff, Situation]:
        """Queue the conversation for an officer of `team`. A conversation has at most one open
        handoff: a second trigger adds its facts (and urgency) to the one already waiting."""
        if team not in TEAMS:
            raise HandoffError(f"team must be one of {', '.join(TEAMS)}")
        if priority not in PRIORITIES:
            raise HandoffError(f"priority must be one of {', '.join(PRIORITIES)}")
        channel, _, user = conversation_id.partition(":")
        handoff = self.for_conversation(conversation_id)
        if handoff is not None:
            self._add_facts(handoff, reason, priority, case_number, form_data)
        else:
            now = self.now_naive()
            handoff = Handoff(conversation_id=conversation_id, channel=channel, user=user, reason=reason[:40],
                              priority=priority, team=team, status="waiting", case_number=case_number,
                              org=org_for_handoff(conversation_id, case_number),
                              form_data=dict(form_data) if form_data else None, created_at=now, queued_at=now,
                              transcript_from=self._context_start(conversation_id))
            Session.add(handoff)
            Session.commit()
            self._enqueue(handoff)
            log.info("handoff %s opened for %s (%s, %s, team %s)", handoff.id, conversation_id, reason,
                     priority, team)
        self.queues.forget_acknowledgement(conversation_id)
        return handoff, self.situation(handoff)

    def _add_facts(self, handoff: Handoff, reason: str, priority: str, case_number: str | None,
                   form_data: dict | None) -> None:
        if PRIORITIES.index(priority) < PRIORITIES.index(handoff.priority):
            handoff.priority = priority
            if priority == "critical":
                handoff.reason = reason[:40]  # the officer must see the danger, not the first reason
            if handoff.status == "waiting":
                self.queues.dequeue(handoff.team, handoff.id)
                self._enqueue(handoff)
        if case_number and not handoff.case_number:
            handoff.case_number = case_number
            handoff.org = org_for_handoff(handoff.conversation_id, case_number) or handoff.org
        if form_data:
            handoff.form_data = {**(handoff.form_data or {}), **form_data}
        Session.commit()

    def _context_start(self, conversation_id: str) -> int:
        """Id of the first message officers see: a few turns before the request."""
        ids = (Session.query(Message.id).filter(Message.conversation_id == conversation_id)
               .order_by(Message.id.desc()).limit(self.cfg.context_messages).all())
        return ids[-1][0] if ids else 0

    # ---- who may do what ------------------------------------------------------------------------
    @staticmethod
    def may_see(handoff: Handoff, user: User) -> bool:
        return user.role == "admin" or handoff.team in teams_of(user) or handoff.officer == user.name

    @staticmethod
    def holds(handoff: Handoff, user: User) -> bool:
        return handoff.status == "active" and handoff.officer == user.name

    def _may_manage(self, handoff: Handoff, user: User | None) -> None:
        """Transfer or close: the holder; anyone of the team while it waits; admins; the system."""
        if handoff.status == "closed":
            raise Conflict("this handoff is already closed", "closed")
        if user is None or user.role == "admin" or self.holds(handoff, user):
            return
        if handoff.status == "waiting" and handoff.team in teams_of(user):
            return
        if handoff.status == "active":
            raise Conflict(f"this chat is held by {handoff.officer}", "held_by_other")
        raise Forbidden("this handoff belongs to another team", "other_team")

    def _changed_under_us(self, handoff_id: int) -> Conflict:
        Session.rollback()
        handoff = self.get(handoff_id)
        if handoff.status == "closed":
            return Conflict("this handoff is already closed", "closed")
        return Conflict(f"this chat is already held by {handoff.officer}", "already_claimed")

    # ---- claim, reply -----------------------------------------------------------------------------
    def claim(self, handoff_id: int, officer: User) -> Handoff:
        handoff = self.get(handoff_id)
        if not self.may_see(handoff, officer):
            raise Forbidden("this handoff belongs to another team", "other_team")
        handoff = self._change(handoff_id, [Handoff.status == "waiting"],
                               status="active", officer=officer.name, claimed_at=self.now_naive())
        self.queues.dequeue(handoff.team, handoff.id)
        audit(officer.name, "handoff_claim", f"handoff:{handoff.id}", {"conversation": handoff.conversation_id})
        outbound.deliver(handoff.conversation_id,
                         texts.text("utter_handoff_claimed", officer=officer.display_name or officer.name),
                         role="officer")
        return handoff

    def reply(self, handoff_id: int, officer: User, text: str) -> int:
        """The officer's message to the worker (checked by the console's ReplyIn), on the worker's
        channel; returns its message id."""
        handoff = self.get(handoff_id)
        if not self.holds(handoff, officer):
            if handoff.status == "waiting":
                raise Conflict("claim the chat before replying", "not_claimed")
            if handoff.status == "closed":
                raise Conflict("this handoff is already closed", "closed")
            raise Conflict(f"this chat is held by {handoff.officer}", "held_by_other")
        return outbound.deliver(handoff.conversation_id, text, role="officer")

    # ---- notes, transfers --------------------------------------------------------------------------
    def add_note(self, handoff_id: int, author: User, text: str) -> HandoffNote:
        handoff = self.get(handoff_id)
        if not self.may_see(handoff, author):
            raise Forbidden("this handoff belongs to another team", "other_team")
        return self._note(handoff, author.name, text, "note")

    def _note(self, handoff: Handoff, author: str, text: str, kind: str) -> HandoffNote:
        note = HandoffNote(handoff_id=handoff.id, kind=kind, author=author, text=text, created_at=self.now_naive())
        Session.add(note)
        Session.commit()
        return note

    def notes(self, handoff_id: int) -> list[HandoffNote]:
        return (Session.query(HandoffNote).filter(HandoffNote.handoff_id == handoff_id)
                .order_by(HandoffNote.id).all())

    def transfer_to_team(self, handoff_id: int, actor: User, team: str) -> Handoff:
        """Back into a queue (another team's, or the same one to let a colleague take it)."""
        if team not in TEAMS:
            raise HandoffError(f"team must be one of {', '.join(TEAMS)}")
        handoff = self.get(handoff_id)
        self._may_manage(handoff, actor)
        if handoff.status == "waiting" and handoff.team == team:
            raise HandoffError("the handoff already waits in that team's queue", "same_team")
        old_team = handoff.team
        handoff = self._move(handoff, team=team, status="waiting", officer=None, claimed_at=None,
                             queued_at=self.now_naive(), flagged_at=None)
        self.queues.dequeue(old_team, handoff.id)
        self._enqueue(handoff)  # keeps its place by age and priority
        self._note(handoff, actor.name, team, "transfer_team")
        audit(actor.name, "handoff_transfer", f"handoff:{handoff.id}", {"from_team": old_team, "to_team": team})
        outbound.deliver(handoff.conversation_id,
                         texts.text("utter_handoff_transferred_team", team=texts.text(f"utter_handoff_team_{team}")),
                         role="system")
        return handoff

    def transfer_to_org(self, handoff_id: int, actor: User, org: str, org_name: str | None = None) -> Handoff:
        """Into another organisation's queue (same team, back to waiting); the notes keep the move."""
        handoff = self.get(handoff_id)
        self._may_manage(handoff, actor)
        if handoff.org == org and handoff.status == "waiting":
            raise HandoffError("the handoff already waits in that organisation's queue", "same_org")
        old_org = handoff.org
        handoff = self._move(handoff, org=org, status="waiting", officer=None, claimed_at=None,
                             queued_at=self.now_naive(), flagged_at=None)
        self.queues.dequeue(handoff.team, handoff.id)
        self._enqueue(handoff)
        self._note(handoff, actor.name, f"{old_org or '-'} → {org}", "transfer_org")
        audit(actor.name, "handoff_transfer", f"handoff:{handoff.id}", {"from_org": old_org, "to_org": org})
        outbound.deliver(handoff.conversation_id,
                         texts.text("utter_handoff_transferred_org", org=org_name or org), role="system")
        return handoff

    def transfer_to_officer(self, handoff_id: int, actor: User, officer_name: str) -> Handoff:
        target = Session.query(User).filter_by(name=officer_name, active=1).first() if officer_name else None
        if target is None or target.role not in ("officer", "admin"):
            raise HandoffError("no such officer", "unknown_officer")
        handoff = self.get(handoff_id)
        self._may_manage(handoff, actor)
        if self.holds(handoff, target):
            raise HandoffError("that officer already holds this chat", "same_officer")
        target_teams = teams_of(target)
        if not target_teams:
            raise HandoffError("that officer belongs to no team", "unknown_officer")
        team = handoff.team if handoff.team in target_teams else target_teams[0]
        old_team = handoff.team
        handoff = self._move(handoff, team=team, status="active", officer=target.name, claimed_at=self.now_naive())
        self.queues.dequeue(old_team, handoff.id)
        self._note(handoff, actor.name, target.name, "transfer_officer")
        audit(actor.name, "handoff_transfer", f"handoff:{handoff.id}", {"to_officer": target.name, "team": team})
        outbound.deliver(handoff.conversation_id,
                         texts.text("utter_handoff_transferred_officer", officer=target.display_name or target.name),
                         role="system")
        return handoff

    def _move(self, handoff: Handoff, **values) -> Handoff:
        """Apply `values` only if nobody changed who holds the handoff since we read it."""
        unchanged = [Handoff.status == handoff.status, Handoff.team == handoff.team,
                     Handoff.officer.is_(None) if handoff.officer is None else Handoff.officer == handoff.officer]
        return self._change(handoff.id, unchanged, **values)

    def _change(self, handoff_id: int, conditions: list, **values) -> Handoff:
        """One conditional UPDATE: applied only while `conditions` hold, else Conflict."""
        if not self._update_if(handoff_id, conditions, **values):
            raise self._changed_under_us(handoff_id)
        return self.get(handoff_id)

    @staticmethod
    def _update_if(handoff_id: int, conditions: list, **values) -> bool:
        result = Session.execute(update(Handoff).where(Handoff.id == handoff_id, *conditions).values(**values)
                                 .execution_options(synchronize_session=False))
        Session.commit()
        return result.rowcount == 1

    # ---- close and give the chat back to the bot ---------------------------------------------------
    def close(self, handoff_id: int, actor: User | None, outcome: str = "resolved", notify: bool = True) -> Handoff:
        """`actor` None is the system (the worker left, unsubscribed ...). With notify, the bot
        greets the worker back; the Rasa conversation is resumed either way."""
        if outcome not in OUTCOMES:
            raise HandoffError(f"outcome must be one of {', '.join(OUTCOMES)}")
        handoff = self.get(handoff_id)
        self._may_manage(handoff, actor)
        last_message = (Session.query(func.max(Message.id))
                        .filter(Message.conversation_id == handoff.conversation_id).scalar()) or 0
        handoff = self._change(handoff_id, [Handoff.status == handoff.status], status="closed",
                               closed_at=self.now_naive(), outcome=outcome, transcript_to=last_message)
        self.queues.dequeue(handoff.team, handoff.id)
        self.queues.forget_acknowledgement(handoff.conversation_id)
        audit(actor.name if actor else "system", "handoff_close", f"handoff:{handoff.id}", {"outcome": outcome})
        # After danger the worker's unfinished form is kept: Rasa never saw the message, and the
        # worker may want to go on with it once the person is done.
        self.resume(handoff.conversation_id, keep_form=handoff.reason.startswith("safety_"))
        if notify:
            back = texts.response("utter_handoff_back")
            outbound.deliver(handoff.conversation_id, back["text"], role="bot", buttons=back["buttons"])
            for hook in self.after_close:
                try:
                    hook(handoff)
                except Exception:  # noqa: BLE001 - the chat is closed either way
                    log.exception("after closing handoff %s", handoff.id)
        return handoff

    def resume(self, conversation_id: str, keep_form: bool = False) -> bool:
        """Unpause the Rasa conversation. If Rasa does not answer, it is owed and retried before
        the worker's next message reaches Rasa (bot/handoff/router.py)."""
        try:
            self.rasa.append_events(conversation_id, KEEP_FORM_RESUME_EVENTS if keep_form else RESUME_EVENTS)
        except requests.RequestException as exc:
            log.error("could not resume %s in Rasa (retried on the next message): %s", conversation_id, exc)
            self.queues.owe_resume(conversation_id)
            return False
        self.queues.resume_paid(conversation_id)
        return True

    # ---- waiting too long ------------------------------------------------------------------------
    def sweep_unclaimed(self) -> list[Handoff]:
        """Flags handoffs left unclaimed for `unclaimed_minutes` of office time and tells their
        workers again. Each handoff is flagged once, by whichever gateway worker gets there first."""
        now = self.now()
        opened = self.hours.opened_at(now)
        if opened is None:
            return []  # nobody is on duty: the worker was already told when someone will answer
        limit = dt.timedelta(minutes=self.cfg.unclaimed_minutes)
        if now - opened < limit:
            return []
        due = self.now_naive() - limit
        candidates = (Session.query(Handoff)
                      .filter(Handoff.status == "waiting", Handoff.flagged_at.is_(None), Handoff.queued_at <= due)
                      .order_by(Handoff.id).all())
        flagged = []
        for handoff in candidates:
            if not self._update_if(handoff.id, [Handoff.status == "waiting", Handoff.flagged_at.is_(None)],
                                   flagged_at=self.now_naive()):
                continue  # claimed, or flagged by another gateway worker, meanwhile
            position = self.situation(handoff).position
            outbound.deliver(handoff.conversation_id, texts.text("utter_handoff_still_waiting", position=position),
                             role="system")
            log.warning("handoff %s unclaimed for %s minutes: flagged to team %s", handoff.id,
                        self.cfg.unclaimed_minutes, handoff.team)
            flagged.append(self.get(handoff.id))
        return flagged

    # ---- presence ---------------------------------------------------------------------------------
    def touch_presence(self, user: User) -> None:
        self.queues.touch_presence(user.name, teams_of(user), self.now().timestamp())

    def online_officers(self, team: str) -> list[str]:
        return self.queues.online(team, self.now().timestamp(), self.cfg.presence_seconds)


def org_for_handoff(conversation_id: str, case_number: str | None) -> str | None:
    """The organisation of the worker's record (the one the handoff is about, else their newest open
    one), else None (the city's). Asked of the back end; when it does not answer, the city's."""
    from unionkit.backend_client import BackendRejected, BackendUnavailable

    try:
        backend = current_app.extensions["union_backend"]
        if case_number:
            try:
                return backend.get(f"/v1/records/{case_number}").get("org")
            except BackendRejected:
                pass  # still in the outbox: look at the worker's other records
        items = backend.list("/v1/records", channel_user=conversation_id, open="1", limit="20")
    except (BackendUnavailable, RuntimeError, KeyError) as exc:
        log.warning("no organisation for the handoff of %s: %s", conversation_id, exc)
        return None
    newest = max(items, key=lambda r: r.get("created_at") or "", default=None)
    return newest.get("org") if newest else None


def service() -> HandoffService:
    return current_app.extensions["handoff"]


def close_for_conversation(conversation_id: str, outcome: str = "worker_left", notify: bool = False) -> bool:
    """Ends the conversation's open handoff, if any (e.g. the worker unsubscribed on WeChat): the
    officer sees it closed, Rasa is resumed, and with notify=False the worker is told nothing.
    Returns whether there was one to close."""
    svc = service()
    handoff = svc.for_conversation(conversation_id)
    if handoff is None:
        return False
    try:
        svc.close(handoff.id, actor=None, outcome=outcome, notify=notify)
    except Conflict:
        return False  # closed by someone else meanwhile
    return True
