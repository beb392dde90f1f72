"""Bodies and forms checked with pydantic 1.10 (installed with Rasa), answered the project's way:
`{field: code}` with short codes the pages and scripts know (`required`, `not_text`, `too_long`, ...),
which the views send as 400 `{"error": "invalid", "fields": {...}}`.

    values = validate(MyBody, data)                # Invalid(problems) on a bad field
    values = validate(MyBody, data, partial=True)  # only the fields present are checked and returned
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConstrainedStr, ValidationError
from pydantic.errors import PydanticValueError

# pydantic's error types -> the project's codes; a custom error's code (ProblemCode) passes as it is.
CODES = {
    "value_error.missing": "required",
    "type_error.none.not_allowed": "required",
    "value_error.any_str.min_length": "required",
    "type_error.str": "not_text",
    "value_error.any_str.max_length": "too_long",
    "value_error.list.max_items": "too_many",
    "type_error.list": "not_list",
    "type_error.integer": "not_integer",
    "type_error.bool": "not_yes_no",
    "value_error.number.not_ge": "out_of_range",
    "value_error.number.not_le": "out_of_range",
    "value_error.const": "not_allowed",
    "type_error.enum": "not_allowed",
    "value_error.date": "not_date",
}


class Invalid(ValueError):
    """Field problems as {field: code}."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


class ProblemCode(PydanticValueError):
    """Raised by a validator with the project's own code: `raise ProblemCode(code="not_yes_no")`."""

    msg_template = "{code}"

    def __init__(self, *, code: str) -> None:
        super().__init__(code=code)
        self.code = code


class Text(ConstrainedStr):
    """Text a person wrote: a string (nothing coerced), stripped, without control characters other
    than tab and newlines (they make WeChat's XML replies invalid and show as nothing)."""

    strict = True
    strip_whitespace = True

    @classmethod
    def __get_validators__(cls):
        yield from super().__get_validators__()
        yield cls._no_controls

    @classmethod
    def _no_controls(cls, value: str) -> str:
        if any(ord(c) < 32 and c not in "\t\n\r" or c == "\x7f" for c in value):
            raise ProblemCode(code="control_chars")
        return value


def text(max_length: int, required: bool = True) -> type[Text]:
    """A Text field of at most `max_length` characters; `required`: not empty once stripped."""
    return type("Text", (Text,), {"max_length": max_length, "min_length": 1 if required else 0})


def problems_of(exc: ValidationError) -> dict[str, str]:
    problems: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__root__"
        kind = error["type"]
        code = error.get("ctx", {}).get("code") if kind.startswith("value_error.") else None
        problems.setdefault(field, code or CODES.get(kind, "invalid"))
    return problems


def validate(model: type[BaseModel], data: Any, partial: bool = False) -> dict[str, Any]:
    """The clean values of `data` under `model`, or Invalid. With `partial`, only the fields present
    in `data` are checked and returned (each through its own field validators)."""
    if not isinstance(data, dict):
        raise Invalid({"__root__": "not_object"})
    if not partial:
        try:
            return model.parse_obj(data).dict()
        except ValidationError as exc:
            raise Invalid(problems_of(exc)) from None
    values: dict[str, Any] = {}
    errors = []
    for name, field in model.__fields__.items():
        if name in data:
            value, error = field.validate(data[name], values, loc=name, cls=model)
            if error:
                errors.append(error)
            else:
                values[name] = value
    if errors:
        raise Invalid(problems_of(ValidationError(errors, model))) from None
    return values
