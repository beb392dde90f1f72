"""Checks for what workers type: names, mainland mobile numbers, 18-digit resident ID numbers.

Each check returns (normalised value, problem) where problem is None or a short code; the code
names the response that explains the problem to the worker (utter_invalid_<slot>_<code>).
"""
from __future__ import annotations

import datetime as dt
import re

# The checksum and the masks are the back end's (one definition, standard library only).
from backend.validation import id_number_checksum as id_check_char  # noqa: F401
from backend.validation import mask_id_number, mask_phone  # noqa: F401

# First two digits of a resident ID: province-level division codes (GB/T 2260).
_PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
}
_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ－　", "0123456789xX- ")
_NAME_RE = re.compile(r"^[\u4e00-\u9fff·•]{2,15}$|^[A-Za-z][A-Za-z .'-]{1,39}$")


def _clean(value: str) -> str:
    return re.sub(r"[\s\-]", "", (value or "").translate(_FULLWIDTH))


def check_id_number(value: str, today: dt.date | None = None) -> tuple[str, str | None]:
    """GB 11643: 6-digit region, 8-digit birth date, 3-digit sequence, check character."""
    found = re.search(r"\d{17}[\dXx]", _clean(value))
    digits = _clean(value).upper()
    if found:
        digits = found.group(0).upper()
    if len(digits) != 18:
        return digits, "length"
    if not re.fullmatch(r"\d{17}[\dX]", digits):
        return digits, "chars"
    if digits[:2] not in _PROVINCE_CODES:
        return digits, "region"
    try:
        born = dt.date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return digits, "birthdate"
    today = today or dt.date.today()
    age = (today - born).days / 365.25
    if age < 16 or age > 100:
        return digits, "birthdate"
    if id_check_char(digits[:17]) != digits[17]:
        return digits, "checksum"
    return digits, None


def check_phone(value: str) -> tuple[str, str | None]:
    """A mainland mobile number, with or without +86, spaces or dashes."""
    digits = re.sub(r"\D", "", _clean(value))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        return digits, "format"
    return digits, None


def check_name(value: str) -> tuple[str, str | None]:
    """A person's name: 2-15 Chinese characters (· allowed for minority names) or a Latin name."""
    name = re.sub(r"^(我叫|我是|名字是|姓名是?|叫)", "", (value or "").strip())
    name = name.strip(" ，,。.！!")
    if not name:
        return name, "empty"
    if any(ch.isdigit() for ch in name):
        return name, "digits"
    if not _NAME_RE.match(name):
        return name, "format"
    return name, None
