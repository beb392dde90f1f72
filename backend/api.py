"""REST API of the reference union back end (its own service: backend/app.py serves it at /union-api).

Every route needs ``Authorization: Bearer <BACKEND_API_KEY>``. JSON in, JSON out (UTF-8, not
ASCII-escaped). Errors: 401 ``{"error": "unauthorized"}``, 400 ``{"error": "invalid_json"}`` for a
body that is not a JSON object, 400 ``{"error": "invalid", "fields": {field: 中文说明}}``,
404 ``{"error": "not_found"}``, 409 for enrollment conflicts.

Records carry a human-readable ``number`` (see unionkit.numbers). A POST may bring its own
``number``: when a record with that number exists it is returned with 200 and nothing is
written, so a retried submission is idempotent; a new record answers 201.

List views (``{"items": [...]}``) mask ID numbers and mobile numbers; single-record GETs return
them in full.
"""
from __future__ import annotations

import hmac
import json
from datetime import date, datetime, timezone
from typing import Any, Callable

from flask import Blueprint, Response, current_app, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backend.models import (CASE_PRIORITIES, CASE_STATUSES, CASE_TYPES, MEMBERSHIP_STATUSES, Case, Course,
                            Enrollment, MembershipApplication, Suggestion, UnionFoundingRequest, utcnow)
from backend.validation import id_number_error, phone_error
from unionkit import strict_json
from unionkit.numbers import is_valid_number, new_number, normalize_number
from unionkit.pii import mask_id_number, mask_phone, mask_pii, mask_text, normalize_id_number, normalize_phone
from backend.db import db

bp = Blueprint("union_backend", __name__)

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


# =========================================================================== responses, errors
def _json(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, headers=headers, content_type="application/json; charset=utf-8")


def _error(http_status: int, error: str, **extra: Any) -> Response:
    return _json({"error": error, **extra}, http_status)


class Invalid(Exception):
    """Raised with {field: Chinese message}; answered as 400 {"error": "invalid", "fields": ...}."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(fields)
        self.fields = fields


class BadBody(Exception):
    pass


class NumberConflict(Exception):
    """A client number that already belongs to someone else's record."""


@bp.errorhandler(Invalid)
def _invalid(exc: Invalid):
    db().rollback()
    return _error(400, "invalid", fields=exc.fields)


@bp.errorhandler(BadBody)
def _bad_body(exc: BadBody):
    return _error(400, "invalid_json", message="请求体必须是 JSON 对象", reason=str(exc) or "not a JSON object")


@bp.errorhandler(NumberConflict)
def _number_conflict(_exc):
    db().rollback()
    return _error(409, "number_conflict", message="这个编号已被另一条记录使用，请换一个编号")


@bp.before_request
def _require_api_key():
    expected = current_app.config["SETTINGS"].backend_api_key
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if (not expected or scheme.lower() != "bearer"
            or not hmac.compare_digest(token.strip().encode(), expected.encode())):
        return _json({"error": "unauthorized"}, 401, headers={"WWW-Authenticate": 'Bearer realm="union-api"'})
    return None


def _body() -> dict:
    try:  # the loader every service shares: depth, 64-bit integers, no NUL or lone surrogates
        data = strict_json.loads(request.get_data(cache=True), max_bytes=request.max_content_length)
    except strict_json.JSONRejected as exc:
        raise BadBody(str(exc)) from None
    if not isinstance(data, dict):
        raise BadBody()
    return data


# =========================================================================== input checking
class Form:
    """Collects cleaned values and Chinese error messages for one JSON body."""

    def __init__(self, data: dict):
        self.data = data
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def _raw(self, key: str):
        value = self.data.get(key)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        return value

    def text(self, key: str, label: str, *, required: bool = True, max_len: int = 200) -> None:
        value = self._raw(key)
        if value is None:
            if required:
                self.errors[key] = f"请填写{label}"
            else:
                self.values[key] = None
            return
        if not isinstance(value, str):
            self.errors[key] = f"{label}应为文字"
        elif len(value) > max_len:
            self.errors[key] = f"{label}不能超过{max_len}个字"
        else:
            self.values[key] = value

    def phone(self, key: str = "phone", *, required: bool = True) -> None:
        value = self._raw(key)
        if value is None and not required:
            self.values[key] = None
            return
        message = phone_error(value)
        if message:
            self.errors[key] = message
        else:
            self.values[key] = normalize_phone(value)

    def id_number(self, key: str = "id_number") -> None:
        value = self._raw(key)
        message = id_number_error(value)
        if message:
            self.errors[key] = message
        else:
            self.values[key] = normalize_id_number(value)

    def choice(self, key: str, label: str, choices: tuple[str, ...], *, default: str | None = None) -> None:
        value = self._raw(key)
        if value is None:
            if default is None:
                self.errors[key] = f"请选择{label}"
            else:
                self.values[key] = default
            return
        if value not in choices:
            self.errors[key] = f"{label}不正确，可选：" + "、".join(choices)
        else:
            self.values[key] = value

    def integer(self, key: str, label: str, *, minimum: int = 0, maximum: int = 10_000_000,
                required: bool = True) -> None:
        value = self._raw(key)
        if value is None:
            if required:
                self.errors[key] = f"请填写{label}"
            else:
                self.values[key] = None
            return
        if isinstance(value, bool):
            value = None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and value.isdigit() and value.isascii():
            value = int(value)
        if not isinstance(value, int):
            self.errors[key] = f"{label}应为整数"
        elif not minimum <= value <= maximum:
            self.errors[key] = f"{label}应在{minimum}到{maximum}之间"
        else:
            self.values[key] = value

    def date(self, key: str, label: str, *, required: bool = True) -> None:
        value = self._raw(key)
        if value is None:
            if required:
                self.errors[key] = f"请填写{label}"
            else:
                self.values[key] = None
            return
        try:
            self.values[key] = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            self.values[key] = None
        if self.values[key] is None:
            self.values.pop(key)
            self.errors[key] = f"{label}格式应为 YYYY-MM-DD"

    def boolean(self, key: str, label: str, *, default: bool = False) -> None:
        value = self.data.get(key)
        if value is None:
            self.values[key] = default
        elif isinstance(value, bool):
            self.values[key] = value
        else:
            self.errors[key] = f"{label}应为 true 或 false"

    def obj(self, key: str, label: str) -> None:
        value = self.data.get(key)
        if value is None:
            self.values[key] = None
        elif isinstance(value, dict):
            self.values[key] = value
        else:
            self.errors[key] = f"{label}应为 JSON 对象"

    def number(self) -> None:
        """The optional client-chosen record number."""
        value = self._raw("number")
        if value is None:
            self.values["number"] = None
        elif not isinstance(value, str) or not is_valid_number(normalize_number(value)):
            self.errors["number"] = "编号格式不正确，应类似 RH20261123-7KQ3MX"
        else:
            self.values["number"] = normalize_number(value)

    def channel(self) -> None:
        self.text("channel", "渠道", required=False, max_len=32)
        self.text("channel_user", "渠道用户", required=False, max_len=200)

    def check(self) -> dict[str, Any]:
        if self.errors:
            raise Invalid(self.errors)
        return self.values


def _page() -> tuple[int, int]:
    errors = {}
    try:
        limit = int(request.args.get("limit", DEFAULT_LIMIT))
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError
    except ValueError:
        errors["limit"] = f"limit 应为 1 到 {MAX_LIMIT} 的整数"
        limit = DEFAULT_LIMIT
    try:
        offset = int(request.args.get("offset", 0))
        if not 0 <= offset <= strict_json.MAX_INT:  # past 64 bits the database overflows
            raise ValueError
    except ValueError:
        errors["offset"] = "offset 应为非负整数"
        offset = 0
    if errors:
        raise Invalid(errors)
    return limit, offset


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


def _list(model, names: tuple[str, ...], serialize: Callable, stmt=None) -> Response:
    limit, offset = _page()
    stmt = stmt if stmt is not None else select(model)
    stmt = _filters(stmt, model, names).order_by(model.id.desc()).limit(limit).offset(offset)
    rows = db().execute(stmt).scalars().all()
    return _json({"items": [serialize(r, masked=True) for r in rows]})


# =========================================================================== serialisation
def _ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def _phone_out(value, masked):
    return mask_phone(value) if masked else value


def membership_dict(m: MembershipApplication, masked: bool = False) -> dict:
    return {
        "number": m.number, "name": m.name,
        "id_number": mask_id_number(m.id_number) if masked else m.id_number,
        "phone": _phone_out(m.phone, masked), "employer": m.employer, "industry": m.industry,
        "status": m.status, "channel": m.channel, "channel_user": m.channel_user,
        "created_at": _ts(m.created_at), "updated_at": _ts(m.updated_at),
    }


def case_dict(c: Case, masked: bool = False) -> dict:
    return {
        "number": c.number, "type": c.type, "priority": c.priority, "status": c.status,
        "phone": _phone_out(c.phone, masked), "name": c.name,
        "summary": mask_text(c.summary) if masked else c.summary,
        "details": mask_pii(c.details) if masked else c.details,
        "channel": c.channel, "channel_user": c.channel_user, "created_at": _ts(c.created_at),
    }


def course_dict(c: Course, enrolled: int = 0, waitlisted: int = 0) -> dict:
    return {
        "id": c.id, "title": c.title, "description": c.description,
        "starts_on": c.starts_on.isoformat() if c.starts_on else None,
        "ends_on": c.ends_on.isoformat() if c.ends_on else None,
        "location": c.location, "seats": c.seats, "enrolled": enrolled, "waitlisted": waitlisted,
        "seats_left": max(c.seats - enrolled, 0),
    }


def enrollment_dict(e: Enrollment, masked: bool = False) -> dict:
    return {
        "number": e.number, "course_id": e.course_id, "name": e.name,
        "phone": _phone_out(e.phone, masked), "status": e.status,
        "channel": e.channel, "channel_user": e.channel_user, "created_at": _ts(e.created_at),
    }


def founding_dict(f: UnionFoundingRequest, masked: bool = False) -> dict:
    return {
        "number": f.number, "company": f.company, "employees": f.employees, "contact_name": f.contact_name,
        "phone": _phone_out(f.phone, masked), "details": mask_pii(f.details) if masked else f.details,
        "channel": f.channel, "channel_user": f.channel_user, "created_at": _ts(f.created_at),
    }


def suggestion_dict(s: Suggestion, masked: bool = False) -> dict:
    return {
        "number": s.number, "text": mask_text(s.text) if masked else s.text, "name": s.name,
        "phone": _phone_out(s.phone, masked),
        "channel": s.channel, "channel_user": s.channel_user, "created_at": _ts(s.created_at),
    }


# =========================================================================== creating with numbers
def _by_number(model, number: str):
    return db().execute(select(model).where(model.number == number)).scalar_one_or_none()


# Fields that tell one person's submission from another's under the same client number.
_IDENTITY_FIELDS = ("channel_user", "phone", "id_number")


def _check_same_submission(existing, values: dict) -> None:
    for field in _IDENTITY_FIELDS:
        if field in values and getattr(existing, field, None) != values[field]:
            raise NumberConflict()


def _create(model, kind: str, values: dict) -> tuple[Any, bool]:
    """Insert a record under the client's number (idempotent) or a freshly generated one.

    Returns (record, created). A concurrent insert of the same client number loses on the
    unique constraint and then returns the winner's record.
    """
    values = dict(values)
    client_number = values.pop("number", None)
    if client_number:
        existing = _by_number(model, client_number)
        if existing is not None:
            _check_same_submission(existing, values)
            return existing, False
    for _attempt in range(8):
        number = client_number or new_number(kind)
        record = model(number=number, **values)
        db().add(record)
        try:
            db().commit()
            return record, True
        except IntegrityError:
            db().rollback()
            existing = _by_number(model, number)
            if existing is None:
                raise
            if client_number:
                _check_same_submission(existing, values)
                return existing, False
            # A generated number collided with an existing one: draw again.
    raise RuntimeError("could not allocate a unique record number")


def _created(record, created: bool, serialize: Callable, endpoint: str, **url_args) -> Response:
    status = 201 if created else 200
    headers = {"Location": url_for(endpoint, **url_args)} if endpoint else None
    return _json(serialize(record), status, headers)


def _get_or_404(model, number: str, serialize: Callable) -> Response:
    record = _by_number(model, normalize_number(number))
    if record is None:
        return _error(404, "not_found")
    return _json(serialize(record))


# =========================================================================== membership
@bp.post("/v1/membership-applications")
def create_membership_application():
    form = Form(_body())
    form.number()
    form.text("name", "姓名", max_len=64)
    form.id_number()
    form.phone()
    form.text("employer", "工作单位")
    form.text("industry", "所属行业", required=False, max_len=100)
    form.channel()
    values = form.check()
    record, created = _create(MembershipApplication, "membership", {**values, "status": "submitted"})
    return _created(record, created, membership_dict,
                    "union_backend.get_membership_application", number=record.number)


@bp.get("/v1/membership-applications")
def list_membership_applications():
    return _list(MembershipApplication, ("phone", "id_number", "channel_user", "status"), membership_dict)


@bp.get("/v1/membership-applications/<number>")
def get_membership_application(number: str):
    return _get_or_404(MembershipApplication, number, membership_dict)


@bp.patch("/v1/membership-applications/<number>")
def update_membership_application(number: str):
    return _update_status(MembershipApplication, number, "审核状态", MEMBERSHIP_STATUSES, membership_dict)


def _update_status(model, number: str, label: str, statuses, serialize: Callable) -> Response:
    """PATCH {"status"}: the one field an officer changes on a filed record."""
    form = Form(_body())
    form.choice("status", label, statuses)
    values = form.check()
    record = _by_number(model, normalize_number(number))
    if record is None:
        return _error(404, "not_found")
    record.status = values["status"]
    if hasattr(record, "updated_at"):
        record.updated_at = utcnow()
    db().commit()
    return _json(serialize(record))


# =========================================================================== cases
@bp.post("/v1/cases")
def create_case():
    form = Form(_body())
    form.number()
    form.choice("type", "诉求类型", CASE_TYPES)
    form.choice("priority", "紧急程度", CASE_PRIORITIES, default="normal")
    form.phone()
    form.text("name", "姓名", required=False, max_len=64)
    form.text("summary", "情况说明", required=False, max_len=5000)
    form.obj("details", "表单内容")
    form.channel()
    values = form.check()
    values["summary"] = values["summary"] or ""
    record, created = _create(Case, "case", {**values, "status": "open"})
    return _created(record, created, case_dict, "union_backend.get_case", number=record.number)


@bp.get("/v1/cases")
def list_cases():
    return _list(Case, ("type", "phone", "channel_user", "priority", "status"), case_dict)


@bp.get("/v1/cases/<number>")
def get_case(number: str):
    return _get_or_404(Case, number, case_dict)


@bp.patch("/v1/cases/<number>")
def update_case(number: str):
    return _update_status(Case, number, "处理状态", CASE_STATUSES, case_dict)


# =========================================================================== courses
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
    return course_dict(course, c.get("enrolled", 0), c.get("waitlisted", 0))


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
    return _json({"items": items})


@bp.post("/v1/courses")
def create_course():
    form = Form(_body())
    form.text("title", "课程名称")
    form.text("description", "课程介绍", required=False, max_len=5000)
    form.date("starts_on", "开课日期")
    form.date("ends_on", "结课日期", required=False)
    form.text("location", "上课地点", required=False)
    form.integer("seats", "名额", minimum=0, maximum=100_000)
    values = form.check()
    if values["ends_on"] and values["ends_on"] < values["starts_on"]:
        raise Invalid({"ends_on": "结课日期不能早于开课日期"})
    course = Course(title=values["title"], description=values["description"] or "",
                    starts_on=values["starts_on"], ends_on=values["ends_on"],
                    location=values["location"] or "", seats=values["seats"])
    db().add(course)
    db().commit()
    return _json(course_dict(course), 201, {"Location": url_for("union_backend.get_course", course_id=course.id)})


@bp.get("/v1/courses/<int:course_id>")
def get_course(course_id: int):
    course = db().get(Course, course_id)
    if course is None:
        return _error(404, "not_found")
    return _json(_course_out(course, _course_counts([course_id])))


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
    return _error(409, "already_enrolled", number=existing.number, status=existing.status,
                  message="这个手机号已经报过这门课了")


@bp.post("/v1/courses/<int:course_id>/enrollments")
def create_enrollment(course_id: int):
    form = Form(_body())
    form.number()
    form.text("name", "姓名", max_len=64)
    form.phone()
    form.boolean("waitlist", "候补")
    form.channel()
    values = form.check()
    number = values["number"]

    _begin_locked_write()
    try:
        course = db().execute(
            select(Course).where(Course.id == course_id).with_for_update()).scalar_one_or_none()
        if course is None:
            db().rollback()
            return _error(404, "not_found")
        if number:
            existing = _by_number(Enrollment, number)
            if existing is not None:
                db().commit()
                return _json(enrollment_dict(existing), 200)
        duplicate = db().execute(select(Enrollment).where(
            Enrollment.course_id == course_id, Enrollment.phone == values["phone"])).scalar_one_or_none()
        if duplicate is not None:
            answer = _already_enrolled(duplicate)
            db().rollback()
            return answer
        enrolled = db().execute(select(func.count()).select_from(Enrollment).where(
            Enrollment.course_id == course_id, Enrollment.status == "enrolled")).scalar_one()
        status = "enrolled"
        if enrolled >= course.seats:
            if not values["waitlist"]:
                db().rollback()
                return _error(409, "course_full", seats_left=0, message="这门课名额已满，可以选择候补")
            status = "waitlisted"
        record = Enrollment(course_id=course_id, number=number or new_number("enrollment"),
                            name=values["name"], phone=values["phone"], status=status,
                            channel=values["channel"], channel_user=values["channel_user"])
        db().add(record)
        db().commit()
    except IntegrityError:
        # Only reachable on a number collision or a race the lock did not cover (e.g. the same
        # number sent to two courses); answer from what is stored now.
        db().rollback()
        if number and (existing := _by_number(Enrollment, number)) is not None:
            return _json(enrollment_dict(existing), 200)
        duplicate = db().execute(select(Enrollment).where(
            Enrollment.course_id == course_id, Enrollment.phone == values["phone"])).scalar_one_or_none()
        if duplicate is not None:
            return _already_enrolled(duplicate)
        raise
    except Exception:
        db().rollback()
        raise
    return _json(enrollment_dict(record), 201,
                 {"Location": url_for("union_backend.get_enrollment", number=record.number)})


@bp.get("/v1/courses/<int:course_id>/enrollments")
def list_enrollments(course_id: int):
    if db().get(Course, course_id) is None:
        return _error(404, "not_found")
    stmt = select(Enrollment).where(Enrollment.course_id == course_id)
    return _list(Enrollment, ("phone", "status", "channel_user"), enrollment_dict, stmt)


@bp.get("/v1/enrollments/<number>")
def get_enrollment(number: str):
    return _get_or_404(Enrollment, number, enrollment_dict)


# =========================================================================== founding requests
@bp.post("/v1/union-founding-requests")
def create_founding_request():
    form = Form(_body())
    form.number()
    form.text("company", "单位名称")
    form.integer("employees", "职工人数", minimum=1, maximum=10_000_000)
    form.text("contact_name", "联系人", max_len=64)
    form.phone()
    form.obj("details", "补充信息")
    form.channel()
    values = form.check()
    record, created = _create(UnionFoundingRequest, "founding", values)
    return _created(record, created, founding_dict, "union_backend.get_founding_request", number=record.number)


@bp.get("/v1/union-founding-requests")
def list_founding_requests():
    return _list(UnionFoundingRequest, ("phone", "channel_user"), founding_dict)


@bp.get("/v1/union-founding-requests/<number>")
def get_founding_request(number: str):
    return _get_or_404(UnionFoundingRequest, number, founding_dict)


# =========================================================================== suggestions
@bp.post("/v1/suggestions")
def create_suggestion():
    form = Form(_body())
    form.number()
    form.text("text", "建议内容", max_len=5000)
    form.text("name", "姓名", required=False, max_len=64)
    form.phone(required=False)
    form.channel()
    values = form.check()
    record, created = _create(Suggestion, "suggestion", values)
    return _created(record, created, suggestion_dict, "union_backend.get_suggestion", number=record.number)


@bp.get("/v1/suggestions")
def list_suggestions():
    return _list(Suggestion, ("phone", "channel_user"), suggestion_dict)


@bp.get("/v1/suggestions/<number>")
def get_suggestion(number: str):
    return _get_or_404(Suggestion, number, suggestion_dict)
