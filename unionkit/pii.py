"""Checks and masking for the personal data the assistant collects.

Standard library only, so the Rasa actions, the gateway and the back end share one definition:

- ``normalize_id_number`` / ``id_number_problem`` / ``is_valid_id_number``: 18-character resident
  ID numbers (GB 11643-1999): a province code, a real birth date of someone aged 16-100, 17 digits
  + check character (ISO 7064 MOD 11-2). One rule: what the form accepts the back end accepts.
- ``normalize_phone`` / ``is_valid_mobile``: mainland mobile numbers (``^1[3-9]\\d{9}$``).
- ``mask_id_number`` (``110***********1234``), ``mask_phone`` (``138****5678``) and
  ``mask_pii`` (masks such values anywhere inside a JSON-like structure) for list views and logs.
"""
from __future__ import annotations

import re
from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_ID_SHAPE_RE = re.compile(r"^\d{17}[\dX]$")
# First two digits of a resident ID: province-level division codes (GB/T 2260).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
})
# Ages (from the birth date in the number) accepted as plausible for a worker.
MIN_AGE, MAX_AGE = 16, 100

# Finders for masking free text / nested data (not anchored).
_ID_IN_TEXT_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# Also as people type them: 138 1234 5678, 138-1234-5678.
_MOBILE_IN_TEXT_RE = re.compile(r"(?<!\d)1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")


# --------------------------------------------------------------------------- ID numbers
def id_number_checksum(first17: str) -> str:
    """The check character (``0-9`` or ``X``) for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(value: object) -> str:
    """Strip spaces and upper-case a trailing x; returns '' for non-strings."""
    if not isinstance(value, str):
        return ""
    return re.sub(r"\s+", "", value).upper()


def id_number_birth_date(id_number: str) -> date | None:
    """The birth date encoded in positions 7-14, or None when it is not a real date."""
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None


def id_number_problem(id_number: str, today: date | None = None) -> str | None:
    """The one rule for a resident ID number (GB 11643), for the form and the back end alike:
    None when valid, else the first problem as a code: ``length``, ``chars``, ``region`` (no such
    province), ``birthdate`` (not a real date, or an age outside 16-100: a worker), ``checksum``.
    Takes the number as normalize_id_number leaves it."""
    if len(id_number) != 18:
        return "length"
    if not id_number.isascii() or not _ID_SHAPE_RE.match(id_number):
        return "chars"
    if id_number[:2] not in PROVINCE_CODES:
        return "region"
    birth = id_number_birth_date(id_number)
    today = today or date.today()
    if birth is None or not MIN_AGE <= (today - birth).days / 365.25 <= MAX_AGE:
        return "birthdate"
    if id_number_checksum(id_number[:17]) != id_number[17]:
        return "checksum"
    return None


def is_valid_id_number(value: object, today: date | None = None) -> bool:
    return id_number_problem(normalize_id_number(value), today) is None


# --------------------------------------------------------------------------- phones
def normalize_phone(value: object) -> str:
    """Drop spaces, dashes, brackets and a leading +86/0086/86; returns '' for non-strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return ""
    phone = re.sub(r"[\s\-()（）]", "", value)
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix):]
    if len(phone) == 13 and phone.startswith("86"):
        phone = phone[2:]
    return phone


def is_valid_mobile(value: object) -> bool:
    """True for a mainland mobile number (after ``normalize_phone``)."""
    return MOBILE_RE.match(normalize_phone(value)) is not None


# --------------------------------------------------------------------------- masking
def mask_id_number(value: str | None) -> str | None:
    """``110101199003071234`` -> ``110***********1234`` (first 3, last 4 kept)."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """``13812345678`` -> ``138****5678`` (first 3, last 4 kept)."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(text: str) -> str:
    """Masks ID numbers and mobile numbers appearing inside free text."""
    text = _ID_IN_TEXT_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_IN_TEXT_RE.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group(0))), text)


def mask_pii(data):
    """A copy of a JSON-like value with every ID number and mobile number in its strings masked."""
    if isinstance(data, str):
        return mask_text(data)
    if isinstance(data, dict):
        return {k: mask_pii(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [mask_pii(v) for v in data]
    if isinstance(data, int) and not isinstance(data, bool) and MOBILE_RE.match(str(data)):
        return mask_phone(str(data))
    return data
