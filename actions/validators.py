"""Checks for what workers type: names, mainland mobile numbers, 18-digit resident ID numbers.

Each check returns (normalised value, problem) where problem is None or a short code; the code
names the response that explains the problem to the worker (utter_invalid_<slot>_<code>).
"""
from __future__ import annotations

import datetime as dt
import re

# The rule for a valid ID number is the shared one (the back end applies the same).
from unionkit.pii import id_number_problem, is_valid_mobile, normalize_phone

_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ－　", "0123456789xX- ")
_NAME_RE = re.compile(r"^[\u4e00-\u9fff·•]{2,15}$|^[A-Za-z][A-Za-z .'-]{1,39}$")


def _clean(value: str) -> str:
    return re.sub(r"[\s\-]", "", (value or "").translate(_FULLWIDTH))


def check_id_number(value: str, today: dt.date | None = None) -> tuple[str, str | None]:
    """The 18-character ID number in what the worker typed (full-width digits, spaces, inside a
    sentence) and the shared rule's problem code for it (unionkit.pii.id_number_problem)."""
    found = re.search(r"\d{17}[\dXx]", _clean(value))
    digits = found.group(0).upper() if found else _clean(value).upper()
    return digits, id_number_problem(digits, today)


def check_phone(value: str) -> tuple[str, str | None]:
    """A mainland mobile number, with or without +86, spaces or dashes."""
    digits = normalize_phone(re.sub(r"[^\d+]", "", _clean(value)))
    if not is_valid_mobile(digits):
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
