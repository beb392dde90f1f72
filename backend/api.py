"""REST API of the reference union back end (its own service: backend/app.py serves it at /union-api):
filing and reading records. The desk's routes (history, status moves, events) are backend/desk_api.py.

Every route needs ``Authorization: Bearer <BACKEND_API_KEY>``. JSON in, JSON out (UTF-8, not
ASCII-escaped). Errors: 401 ``{"error": "unauthorized"}``, 400 ``{"error": "invalid_json"}`` for a
body that is not a JSON object, 400 ``{"error": "invalid", "fields": {field: 中文说明}}``,
404 ``{"error": "not_found"}``, 409 for enrollment conflicts and forbidden status moves.

Records carry a human-readable ``number`` (see unionkit.numbers). A POST may bring its own
``number``: when a record with that number exists it is returned with 200 and nothing is
written, so a retried submission is idempotent; a new record answers 201.

List views (``{"items": [...]}``) mask ID numbers and mobile numbers; single-record GETs return
them in full, with their history.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backend import alerts, desk, schemas
from backend.db import db
from backend.http import body, error, install, json_response, page
from backend.models import Course, Enrollment
from backend.records import KINDS, Kind, by_number, create, last_messages, prepare_new, to_dict, with_history
from unionkit.numbers import new_number, normalize_number
from unionkit.pii import normalize_id_number, normalize_phone

bp = Blueprint("union_backend", __name__)
install(bp)


# =========================================================================== the triple, from KINDS
def _filters(stmt, model, names: tuple[str, ...]):
    """Exact-match filters from the query string; phone and id_number are normalised first."""
    for name in names:
        value = request.args.get(name)
        if value is None or value.strip() == "":
            continue
        if name == "phone":
            value = normalize_phone(value)
        elif name == "id_number":
            value = normalize_id_number(value)
        else:
            value = value.strip()
        stmt = stmt.where(getattr(model, name) == value)
    return stmt


def _list(kind: Kind, stmt=None) -> Response:
    limit, offset = page()
    model = kind.model
    stmt = stmt if stmt is not None else select(model)
    stmt = _filters(stmt, model, kind.filters).order_by(model.id.desc()).limit(limit).offset(offset)
    rows = db().execute(stmt).scalars().all()
    messages = last_messages([r.number for r in rows])
    return json_response({"items": [to_dict(r, masked=True, last_message=messages.get(r.number)) for r in rows]})


def _get(kind: Kind, number: str) -> Response:
    record = by_number(kind.model, normalize_number(number))
    if record is None:
        return error(404, "not_found")
    return json_response(with_history(record))


def _created(kind: Kind, record, created: bool) -> Response:
    headers = {"Location": url_for(f"union_backend.{kind.endpoint}", number=record.number)}
    return json_response(with_history(record), 201 if created else 200, headers)


def _file(kind: Kind) -> Response:
    values = schemas.parse(kind.schema, body()).dict()
    record, created = create(kind, values)
    if created and kind.name == "case":
        route = getattr(record, "_route", None)
        alerts.on_case_filed(record)  # the early warning (config/orgs.yml); commits on its own
        if route is not None:
            record._route = route
    return _created(kind, record, created)


def _patch(kind: Kind, number: str) -> Response:
    """PATCH {"status"}: the older way to move a record, now under the desk's rules (409)."""
    data = body()
    record = by_number(kind.model, normalize_number(number))
    if record is None:
        return error(404, "not_found")
    return json_response(desk.change_status(record, data, label=kind.status_label))


def _register(kind: Kind) -> None:
    base = f"/v1/{kind.path}"
    singular = kind.endpoint[len("get_"):]
    bp.add_url_rule(base, f"create_{singular}", lambda: _file(kind), methods=["POST"])
    bp.add_url_rule(base, f"list_{singular}s", lambda: _list(kind), methods=["GET"])
    bp.add_url_rule(f"{base}/<number>", kind.endpoint, lambda number: _get(kind, number), methods=["GET"])
    bp.add_url_rule(f"{base}/<number>", f"update_{singular}", lambda number: _patch(kind, number),
                    methods=["PATCH"])


for _kind in KINDS.values():
    if _kind.path:
        _register(_kind)


# =========================================================================== courses
def course_dict(c: Course, enrolled: int = 0, waitlisted: int = 0) -> dict:
    return {
        "id": c.id, "title": c.title, "description": c.description,
        "starts_on": c.starts_on.isoformat() if c.starts_on else None,
        "ends_on": c.ends_on.isoformat() if c.ends_on else None,
        "location": c.location, "seats": c.seats, "enrolled": enrolled, "waitlisted": waitlisted,
        "seats_left": max(c.seats - enrolled, 0),
    }


# Enrollments that hold a seat.
SEATED = ("enrolled", "attended")


def _course_counts(course_ids=None) -> dict[int, dict[str, int]]:
    stmt = select(Enrollment.course_id, Enrollment.status, func.count()).group_by(
        Enrollment.course_id, Enrollment.status)
    if course_ids is not None:
        stmt = stmt.where(Enrollment.course_id.in_(course_ids))
    counts: dict[int, dict[str, int]] = {}
    for course_id, status, n in db().execute(stmt):
        counts.setdefault(course_id, {})[status] = n
    return counts


def _course_out(course: Course, counts: dict[int, dict[str, int]]) -> dict:
    c = counts.get(course.id, {})
    return course_dict(course, sum(c.get(s, 0) for s in SEATED), c.get("waitlisted", 0))


@bp.get("/v1/courses")
def list_courses():
    stmt = select(Course).order_by(Course.starts_on, Course.id)
    if request.args.get("upcoming", "").lower() in {"1", "true", "yes"}:
        stmt = stmt.where(Course.starts_on >= date.today())
    courses = db().execute(stmt).scalars().all()
    counts = _course_counts()
    items = [_course_out(c, counts) for c in courses]
    if request.args.get("available", "").lower() in {"1", "true", "yes"}:
        items = [i for i in items if i["seats_left"] > 0]
    return json_response({"items": items})


@bp.post("/v1/courses")
def create_course():
    values = schemas.parse(schemas.CourseIn, body())
    if values.ends_on and values.ends_on < values.starts_on:
        raise schemas.Invalid({"ends_on": "结课日期不能早于开课日期"})
    course = Course(title=values.title, description=values.description, starts_on=values.starts_on,
                    ends_on=values.ends_on, location=values.location, seats=values.seats)
    db().add(course)
    db().commit()
    return json_response(course_dict(course), 201,
                         {"Location": url_for("union_backend.get_course", course_id=course.id)})


@bp.get("/v1/courses/<int:course_id>")
def get_course(course_id: int):
    course = db().get(Course, course_id)
    if course is None:
        return error(404, "not_found")
    return json_response(_course_out(course, _course_counts([course_id])))


# =========================================================================== enrollments
def _begin_locked_write() -> None:
    """Start a transaction that serialises with other enrollments.

    PostgreSQL: the caller locks the course row with SELECT ... FOR UPDATE. SQLite has no row
    locks: BEGIN IMMEDIATE takes the database write lock up front (waiting up to busy_timeout),
    so the count below and the insert are one serialised step.
    """
    db().rollback()  # start from a clean transaction state
    conn = db().connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _already_enrolled(existing: Enrollment) -> Response:
    return error(409, "already_enrolled", number=existing.number, status=existing.status,
                 message="这个手机号已经报过这门课了")


def _enrollment_out(record: Enrollment, status: int = 200, headers=None) -> Response:
    return json_response(with_history(record), status, headers)


@bp.post("/v1/courses/<int:course_id>/enrollments")
def create_enrollment(course_id: int):
    values = schemas.parse(schemas.EnrollmentIn, body())
    number = values.number

    _begin_locked_write()
    try:
        course = db().execute(
            select(Course).where(Course.id == course_id).with_for_update()).scalar_one_or_none()
        if course is None:
            db().rollback()
            return error(404, "not_found")
        if number:
            existing = by_number(Enrollment, number)
            if existing is not None:
                db().commit()
                return _enrollment_out(existing)
        duplicate = db().execute(select(Enrollment).where(
            Enrollment.course_id == course_id, Enrollment.phone == values.phone)).scalar_one_or_none()
        if duplicate is not None:
            answer = _already_enrolled(duplicate)
            db().rollback()
            return answer
        seated = db().execute(select(func.count()).select_from(Enrollment).where(
            Enrollment.course_id == course_id, Enrollment.status.in_(SEATED))).scalar_one()
        status = "enrolled"
        if seated >= course.seats:
            if not values.waitlist:
                db().rollback()
                return error(409, "course_full", seats_left=0, message="这门课名额已满，可以选择候补")
            status = "waitlisted"
        record = Enrollment(course_id=course_id, number=number or new_number("enrollment"),
                            name=values.name, phone=values.phone, status=status,
                            channel=values.channel, channel_user=values.channel_user)
        db().add(record)
        prepare_new(record)
        db().commit()
    except IntegrityError:
        # Only reachable on a number collision or a race the lock did not cover (e.g. the same
        # number sent to two courses); answer from what is stored now.
        db().rollback()
        if number and (existing := by_number(Enrollment, number)) is not None:
            return _enrollment_out(existing)
        duplicate = db().execute(select(Enrollment).where(
            Enrollment.course_id == course_id, Enrollment.phone == values.phone)).scalar_one_or_none()
        if duplicate is not None:
            return _already_enrolled(duplicate)
        raise
    except Exception:
        db().rollback()
        raise
    return _enrollment_out(record, 201, {"Location": url_for("union_backend.get_enrollment", number=record.number)})


@bp.get("/v1/courses/<int:course_id>/enrollments")
def list_enrollments(course_id: int):
    if db().get(Course, course_id) is None:
        return error(404, "not_found")
    return _list(KINDS["enrollment"], select(Enrollment).where(Enrollment.course_id == course_id))


@bp.get("/v1/enrollments/<number>")
def get_enrollment(number: str):
    return _get(KINDS["enrollment"], number)


@bp.patch("/v1/enrollments/<number>")
def update_enrollment(number: str):
    return _patch(KINDS["enrollment"], number)
