"""The worker's ratings (issue 12 §4), on the back end (the system of record for them):

- POST /v1/ratings {"subject": "record"|"chat", "ref", "score"?, "resolved"?, "comment"?, "officer"?,
       "team"?, "channel"?, "channel_user"?, "org"?}   one part of a rating, merged into the subject's row
       (201 the first time, 200 after). A score of 1-2 or resolved false opens one review task
       (kind "review", number HF...) for the team on the desk; the answer names it (`review_number`).
- GET  /v1/ratings?subject=&ref=&limit=&offset=   newest first
(Their figures, CSAT and the share resolved on first contact, are part of GET /v1/stats/desk, and
CSAT per organisation of GET /v1/insights.)

A record's rating takes its kind, type, team, organisation and (when not sent) officer from the
record itself; a chat's organisation is its queue's, sent by the gateway.
"""
from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend import schemas
from backend.db import db
from backend.http import body, install, json_response, page
from backend.models import Rating, ReviewTask, utcnow
from backend.records import KINDS, WORKER_KINDS, create, find, kind_of, ts
from unionkit.orgtree import org_clause

bp = Blueprint("union_ratings", __name__)
install(bp)

LOW_SCORES = (1, 2)
SATISFIED = (4, 5)


def rating_dict(r: Rating) -> dict:
    return {"id": r.id, "subject": r.subject, "ref": r.ref, "kind": r.kind, "type": r.type, "team": r.team,
            "officer": r.officer, "score": r.score, "resolved": r.resolved, "comment": r.comment,
            "review_number": r.review_number, "channel": r.channel, "channel_user": r.channel_user,
            "org": r.org, "created_at": ts(r.created_at), "updated_at": ts(r.updated_at)}


def _context(values: schemas.RatingIn) -> dict:
    """What the rated record says about itself (its kind, team, who worked it)."""
    if values.subject != "record":
        return {}
    record = find(values.ref)
    if record is None or kind_of(record).name not in WORKER_KINDS:
        raise schemas.Invalid({"ref": "没有这个编号的记录"})
    kind = kind_of(record)
    return {"kind": kind.name, "type": kind.type_of(record), "team": record.team,
            "officer": record.assignee, "ref": record.number, "org": getattr(record, "org", None)}


def _row(subject: str, ref: str) -> Rating | None:
    return db().execute(select(Rating).where(Rating.subject == subject, Rating.ref == ref)).scalar_one_or_none()


def _open_review(rating: Rating) -> None:
    """One review task per rating, for the rated thing's team, when the worker was not satisfied."""
    if rating.review_number or not (rating.score in LOW_SCORES or rating.resolved is False):
        return
    task, _created = create(KINDS["review"], {
        "subject": rating.subject, "ref": rating.ref, "officer": rating.officer, "score": rating.score,
        "resolved": rating.resolved, "comment": rating.comment, "channel": rating.channel,
        "channel_user": rating.channel_user})
    if rating.team:
        task.team = rating.team
    rated = find(rating.ref) if rating.subject == "record" else None
    if rated is not None and getattr(rated, "org", None):
        # Reviewed where the rated record is worked (a chat's goes by the routing rules: the city).
        task.org, task.district, task.routed_by = rated.org, rated.district, "rated"
    rating.review_number = task.number


def _refresh_review(rating: Rating) -> None:
    """A later part (the comment after the score) reaches the open review task too."""
    if not rating.review_number:
        return
    task = db().execute(select(ReviewTask).where(ReviewTask.number == rating.review_number)).scalar_one_or_none()
    if task is not None:
        task.score, task.resolved, task.comment = rating.score, rating.resolved, rating.comment


@bp.post("/v1/ratings")
def rate():
    values = schemas.parse(schemas.RatingIn, body())
    context = _context(values)
    ref = context.pop("ref", values.ref)
    created = False
    rating = _row(values.subject, ref)
    if rating is None:
        rating = Rating(subject=values.subject, ref=ref, created_at=utcnow(), updated_at=utcnow())
        db().add(rating)
        try:
            db().flush()
            created = True
        except IntegrityError:  # the same subject rated at the same moment elsewhere: merge into it
            db().rollback()
            rating = _row(values.subject, ref)
    for field in ("score", "resolved", "comment", "officer", "team", "channel", "channel_user", "org"):
        value = getattr(values, field)
        if value is not None:
            setattr(rating, field, value)
    for field, value in context.items():
        if value is not None and (field != "officer" or rating.officer is None):
            setattr(rating, field, value)
    rating.updated_at = utcnow()
    _refresh_review(rating)
    _open_review(rating)
    db().commit()
    return json_response(rating_dict(rating), 201 if created else 200)


@bp.get("/v1/ratings")
def list_ratings():
    limit, offset = page()
    stmt = select(Rating)
    if subject := request.args.get("subject"):
        stmt = stmt.where(Rating.subject == subject)
    if ref := request.args.get("ref"):
        stmt = stmt.where(Rating.ref == ref)
    rows = db().execute(stmt.order_by(Rating.id.desc()).limit(limit).offset(offset)).scalars().all()
    return json_response({"items": [rating_dict(r) for r in rows]})


def _rated(start, end, scope: set[str] | None, root: str | None) -> list:
    """(org, score, resolved) of the ratings given in [start, end), within `scope` (None: all); a
    rating with no organisation is the city's (`root`), as a record without one is."""
    stmt = select(Rating.org, Rating.score, Rating.resolved).where(Rating.created_at >= start, Rating.created_at < end)
    if scope is not None:
        stmt = stmt.where(org_clause(Rating.org, scope, root))
    return [(org or root, score, resolved) for org, score, resolved in db().execute(stmt).all()]


def csat_per_org(start, end, scope: set[str] | None, root: str | None) -> dict[str, dict]:
    """{org: {"average", "count"}} of the scores given in [start, end) (the leaders' table)."""
    scores: dict[str, list[int]] = {}
    for org, score, _resolved in _rated(start, end, scope, root):
        if score is not None:
            scores.setdefault(org or "-", []).append(score)
    return {org: {"average": round(sum(s) / len(s), 2), "count": len(s)} for org, s in scores.items()}


def rating_figures(start, end, scope: set[str] | None = None, root: str | None = None) -> dict:
    """CSAT of the ratings given in [start, end) (within `scope`): the average score, how many
    scores, the share of 4-5; and of those who answered 问题解决了吗, the share who said 是 (resolved
    on first contact: each rating follows one contact, the chat or the record's handling, with no
    second one asked)."""
    rows = [(score, resolved) for _org, score, resolved in _rated(start, end, scope, root)]
    scores = [s for s, _r in rows if s is not None]
    answered = [r for _s, r in rows if r is not None]
    return {
        "csat": {"average": round(sum(scores) / len(scores), 2) if scores else None, "count": len(scores),
                 "share_satisfied": round(sum(1 for s in scores if s in SATISFIED) / len(scores), 4)
                 if scores else None,
                 "distribution": {str(n): scores.count(n) for n in range(1, 6)}},
        "resolved_first_contact": round(sum(1 for r in answered if r) / len(answered), 4) if answered else None,
        "resolved_answers": len(answered),
    }
