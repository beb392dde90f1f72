"""The back end's answers for a bad ID number or phone in a request body (Chinese, as its other
400 answers). The rule itself is the shared one (unionkit.pii), so the back end accepts exactly
what the bot's forms accept."""
from __future__ import annotations

from datetime import date

from unionkit.pii import id_number_problem, is_valid_mobile, normalize_id_number

ID_NUMBER_MESSAGES = {
    "length": "身份证号应为18位",
    "chars": "身份证号格式不正确：前17位应为数字，最后一位为数字或X",
    "region": "身份证号前两位不是有效的省份代码",
    "birthdate": "身份证号中的出生日期不正确",
    "checksum": "身份证号校验位不正确，请核对后重新输入",
}


def id_number_error(value: object, today: date | None = None) -> str | None:
    """None when ``value`` is a valid ID number, else a short Chinese reason."""
    id_number = normalize_id_number(value)
    if not id_number:
        return "请填写身份证号"
    problem = id_number_problem(id_number, today)
    return ID_NUMBER_MESSAGES[problem] if problem else None


def phone_error(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "请填写手机号"
    if not is_valid_mobile(value):
        return "手机号格式不正确，应为11位中国大陆手机号"
    return None
