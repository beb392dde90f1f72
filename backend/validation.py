"""Checks and masking for the personal data the assistant collects.

Standard library only, so the Rasa actions, the gateway and the back end share one definition:

- ``normalize_id_number`` / ``id_number_error`` / ``is_valid_id_number``: 18-character resident
  ID numbers (GB 11643-1999): 17 digits + check character, ISO 7064 MOD 11-2 checksum, a real
  and plausible birth date.
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
# Oldest birth year accepted as plausible for a living applicant.
MIN_BIRTH_YEAR = 1900

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


def id_number_error(value: object, today: date | None = None) -> str | None:
    """None when ``value`` is a valid 18-character ID number, else a short Chinese reason."""
    id_number = normalize_id_number(value)
    if not id_number:
        return "请填写身份证号"
    if len(id_number) != 18:
        return "身份证号应为18位"
    if not id_number.isascii() or not _ID_SHAPE_RE.match(id_number):
        return "身份证号格式不正确：前17位应为数字，最后一位为数字或X"
    birth = id_number_birth_date(id_number)
    today = today or date.today()
    if birth is None or birth.year < MIN_BIRTH_YEAR or birth > today:
        return "身份证号中的出生日期不正确"
    if id_number_checksum(id_number[:17]) != id_number[17]:
        return "身份证号校验位不正确，请核对后重新输入"
    return None


def is_valid_id_number(value: object, today: date | None = None) -> bool:
    return id_number_error(value, today) is None


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


def phone_error(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "请填写手机号"
    if not is_valid_mobile(value):
        return "手机号格式不正确，应为11位中国大陆手机号"
    return None


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
