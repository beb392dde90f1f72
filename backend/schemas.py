"""The JSON bodies the back end accepts, as pydantic 1.10 models, and their Chinese 400 answers.

`parse(Model, data)` returns the cleaned model or raises Invalid({field: 中文说明}), answered as
400 {"error": "invalid", "fields": ...}. Strings are trimmed and an empty one counts as missing;
each field's `title` is the word the answer uses (请填写姓名, 姓名不能超过64个字)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field, StrictBool, StrictStr, ValidationError, root_validator, validator

from backend.models import CASE_PRIORITIES, CASE_TYPES, RATING_SUBJECTS
from backend.validation import id_number_error, phone_error
from unionkit.numbers import is_valid_number, normalize_number
from unionkit.pii import normalize_id_number, normalize_phone


class Invalid(Exception):
    """Raised with {field: Chinese message}; answered as 400 {"error": "invalid", "fields": ...}."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(fields)
        self.fields = fields


def choice_error(label: str, choices) -> str:
    return f"{label}不正确，可选：" + "、".join(choices)


# ---------------------------------------------------------------------------- field types
class Whole(int):
    """An integer, also sent as an integral float or a string of digits; never a bool."""

    @classmethod
    def __get_validators__(cls):
        yield cls.validate

    @classmethod
    def validate(cls, value, field):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and value.isdigit() and value.isascii():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{field.field_info.title}应为整数")
        low, high = field.field_info.extra.get("between", (0, 10_000_000))
        if not low <= value <= high:
            raise ValueError(f"{field.field_info.title}应在{low}到{high}之间")
        return value


class IsoDate(dt.date):
    """A date written YYYY-MM-DD (a string; pydantic's own date would take a timestamp too)."""

    @classmethod
    def __get_validators__(cls):
        yield cls.validate

    @classmethod
    def validate(cls, value, field):
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValueError(f"{field.field_info.title}格式应为 YYYY-MM-DD") from None


class JsonObject(dict):
    @classmethod
    def __get_validators__(cls):
        yield cls.validate

    @classmethod
    def validate(cls, value, field):
        if not isinstance(value, dict):
            raise ValueError(f"{field.field_info.title}应为 JSON 对象")
        return value


def _text(title: str, max_len: int = 200, default: Any = ...):
    return Field(default, title=title, max_length=max_len)


# ---------------------------------------------------------------------------- bodies
class Body(BaseModel):
    class Config:
        extra = "ignore"

    @root_validator(pre=True)
    def _blank_is_missing(cls, values):
        cleaned = {}
        for key, value in values.items():
            if isinstance(value, str):
                value = value.strip() or None
            if value is not None:
                cleaned[key] = value
        return cleaned


class Filed(Body):
    """A record filed from a channel, under an optional client-chosen number."""

    number: Optional[str] = Field(None, title="编号")
    channel: Optional[StrictStr] = _text("渠道", 32, None)
    channel_user: Optional[StrictStr] = _text("渠道用户", 200, None)
    district: Optional[StrictStr] = _text("所在区", 64, None)

    @validator("number", pre=True)
    def _number(cls, value):
        if not isinstance(value, str) or not is_valid_number(normalize_number(value)):
            raise ValueError("编号格式不正确，应类似 RH20261123-7KQ3MX")
        return normalize_number(value)


def _phone(value):
    message = phone_error(value)
    if message:
        raise ValueError(message)
    return normalize_phone(value)


class MembershipIn(Filed):
    name: StrictStr = _text("姓名", 64)
    id_number: str = Field(..., title="身份证号")
    phone: str = Field(..., title="手机号")
    employer: StrictStr = _text("工作单位")
    industry: Optional[StrictStr] = _text("所属行业", 100, None)

    _phone = validator("phone", pre=True, allow_reuse=True)(_phone)

    @validator("id_number", pre=True)
    def _id_number(cls, value):
        message = id_number_error(value)
        if message:
            raise ValueError(message)
        return normalize_id_number(value)


class CaseIn(Filed):
    type: Literal[CASE_TYPES] = Field(..., title="诉求类型", choose=True)  # type: ignore[valid-type]
    priority: Literal[CASE_PRIORITIES] = Field("normal", title="紧急程度")  # type: ignore[valid-type]
    phone: str = Field(..., title="手机号")
    name: Optional[StrictStr] = _text("姓名", 64, None)
    summary: StrictStr = _text("情况说明", 5000, "")
    details: Optional[JsonObject] = Field(None, title="表单内容")

    _phone = validator("phone", pre=True, allow_reuse=True)(_phone)


class CourseIn(Body):
    title: StrictStr = _text("课程名称")
    description: StrictStr = _text("课程介绍", 5000, "")
    starts_on: IsoDate = Field(..., title="开课日期")
    ends_on: Optional[IsoDate] = Field(None, title="结课日期")
    location: StrictStr = _text("上课地点", 200, "")
    seats: Whole = Field(..., title="名额", between=(0, 100_000))


class EnrollmentIn(Filed):
    name: StrictStr = _text("姓名", 64)
    phone: str = Field(..., title="手机号")
    waitlist: StrictBool = Field(False, title="候补")

    _phone = validator("phone", pre=True, allow_reuse=True)(_phone)


class FoundingIn(Filed):
    company: StrictStr = _text("单位名称")
    employees: Whole = Field(..., title="职工人数", between=(1, 10_000_000))
    contact_name: StrictStr = _text("联系人", 64)
    phone: str = Field(..., title="手机号")
    details: Optional[JsonObject] = Field(None, title="补充信息")

    _phone = validator("phone", pre=True, allow_reuse=True)(_phone)


class SuggestionIn(Filed):
    text: StrictStr = _text("建议内容", 5000)
    name: Optional[StrictStr] = _text("姓名", 64, None)
    phone: Optional[str] = Field(None, title="手机号")

    _phone = validator("phone", pre=True, allow_reuse=True)(_phone)


# ---------------------------------------------------------------------------- the desk's actions
class Acted(Body):
    actor: Optional[StrictStr] = _text("操作人", 64, None)


class StatusIn(Acted):
    status: StrictStr = Field(..., title="状态", max_length=16, choose=True)
    message: Optional[StrictStr] = _text("给职工的话", 2000, None)
    note: Optional[StrictStr] = _text("内部备注", 2000, None)


class AssignIn(Acted):
    assignee: Optional[StrictStr] = _text("经办人", 64, None)


class NoteIn(Acted):
    text: StrictStr = _text("备注", 2000)


class MessageIn(Acted):
    message: StrictStr = _text("给职工的话", 2000)


class ReviewIn(Body):
    """Review tasks are opened by POST /v1/ratings, never filed directly (the kind table needs one)."""


class RatingIn(Body):
    """One part of a worker's rating (POST /v1/ratings): the 满意度, whether it was solved, a comment.
    The parts of one subject are merged: a later part never clears an earlier one."""

    subject: Literal[RATING_SUBJECTS] = Field(..., title="评价对象", choose=True)  # type: ignore[valid-type]
    ref: StrictStr = _text("评价的编号", 64)
    score: Optional[Whole] = Field(None, title="满意度", between=(1, 5))
    resolved: Optional[StrictBool] = Field(None, title="问题是否解决")
    comment: Optional[StrictStr] = _text("意见", 1000, None)
    officer: Optional[StrictStr] = _text("经办人", 64, None)
    team: Optional[StrictStr] = _text("团队", 32, None)
    channel: Optional[StrictStr] = _text("渠道", 32, None)
    channel_user: Optional[StrictStr] = _text("渠道用户", 200, None)
    org: Optional[StrictStr] = _text("组织", 32, None)


# ---------------------------------------------------------------------------- errors in Chinese
def _message(model: type[BaseModel], error: dict) -> str:
    if error["loc"][0] not in model.__fields__:  # a root validator's own Chinese
        return error["msg"]
    field = model.__fields__[error["loc"][0]]
    label = field.field_info.title or field.name
    kind = error["type"]
    if kind in ("value_error.missing", "type_error.none.not_allowed"):
        return f"请选择{label}" if field.field_info.extra.get("choose") else f"请填写{label}"
    if kind == "value_error.const":
        return choice_error(label, error["ctx"]["permitted"])
    if kind == "type_error.str":
        return f"{label}应为文字"
    if kind == "value_error.any_str.max_length":
        return f"{label}不能超过{error['ctx']['limit_value']}个字"
    if kind in ("value_error.strictbool", "type_error.bool"):
        return f"{label}应为 true 或 false"
    return error["msg"]  # our validators' own Chinese


def parse(model: type[BaseModel], data: dict):
    try:
        return model.parse_obj(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            fields.setdefault(str(error["loc"][0]), _message(model, error))
        raise Invalid(fields) from None


# ---------------------------------------------------------------------------- the tree, routing, alerts
class RouteIn(Acted):
    """POST /v1/records/<number>/route: the district the worker answered, or an organisation to
    transfer the record to (an officer's move)."""

    district: Optional[StrictStr] = _text("所在区", 64, None)
    org: Optional[StrictStr] = _text("组织", 32, None)

    @root_validator(skip_on_failure=True)
    def _one(cls, values):
        if bool(values.get("district")) == bool(values.get("org")):
            raise ValueError("请给出 district 或 org 之一")
        return values


class AlertIn(Body):
    """POST /v1/alerts: a group-incident message from the safety screen (the gateway)."""

    kind: Literal["group_incident"] = Field(..., title="预警类型", choose=True)
    detail: StrictStr = _text("内容", 2000, "")
    conversation_id: Optional[StrictStr] = _text("会话", 200, None)
    district: Optional[StrictStr] = _text("所在区", 64, None)
    employer: Optional[StrictStr] = _text("单位", 200, None)


class AlertCloseIn(Acted):
    note: StrictStr = _text("处理说明", 2000)
