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

# What the masks look for in free text: every way the extractors (actions/extract.py,
# actions/validators.py) accept a number, so a number the bot would read is never shown in full.
_ARABIC = {**{str(d): str(d) for d in range(10)}, **{chr(0xFF10 + d): str(d) for d in range(10)}}
_HANZI = {ch: str(v) for v, chars in enumerate(
    ["零〇", "一壹幺", "二两贰俩", "三叁", "四肆", "五伍", "六陆", "七柒", "八捌", "九玖"]) for ch in chars}
_CHECK_X = frozenset("XxＸｘ")
# Between the groups of one number, as people type them: spaces (also the ideographic one), dashes,
# dots, commas, slashes and brackets; at most this many in a row.
_SEPARATORS = frozenset(" \t\u00a0\u3000-－‐–—_.．·,，、/／()（）")
_MAX_GAP = 3
_PLUS = frozenset("+＋")

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


def _digit_runs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) of each run of one kind of digit (Arabic or full-width, or Chinese
    numerals); an X right after Arabic digits ends its run (the check character of an ID number)."""
    runs, i, n = [], 0, len(text)
    while i < n:
        table = _ARABIC if text[i] in _ARABIC else _HANZI if text[i] in _HANZI else None
        if table is None:
            if text[i] in _CHECK_X and runs and text[runs[-1][1] - 1] in _ARABIC and (
                    i + 1 == n or not (text[i + 1].isascii() and text[i + 1].isalnum())):
                runs.append((i, i + 1, "X"))  # 13040219900307000 X: the check character typed apart
            i += 1
            continue
        j = i
        while j < n and text[j] in table:
            j += 1
        digits = "".join(table[ch] for ch in text[i:j])
        if table is _ARABIC and j < n and text[j] in _CHECK_X:
            digits += "X"
            j += 1
        runs.append((i, j, digits))
        i = j
    return runs


def _chains(text: str, runs: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    """Runs one number may be made of: next to each other, or apart by a few separators only."""
    chains: list[list[tuple[int, int, str]]] = []
    for run in runs:
        if chains:
            gap = text[chains[-1][-1][1]:run[0]]
            if len(gap) <= _MAX_GAP and all(ch in _SEPARATORS for ch in gap) and "X" not in chains[-1][-1][2]:
                chains[-1].append(run)
                continue
        chains.append([run])
    return chains


def _as_pii(digits: str) -> str | None:
    """The masked form when these digits are a mobile number (also with 86 / 0086 before it) or
    have the shape of an ID number, else None."""
    if _ID_SHAPE_RE.match(digits):
        return mask_id_number(digits)
    for prefix in ("", "86", "0086"):
        if digits.startswith(prefix) and MOBILE_RE.match(digits[len(prefix):]):
            return mask_phone(digits[len(prefix):])
    return None


def find_pii(text: str) -> list[tuple[int, int, str]]:
    """Where ID numbers and mobile numbers are in free text, in every form the extractors read:
    ``130402 19880314 1924``, ``1304 0219 8803 1419 24``, ``+8613912345678``, ``0086-139…``,
    full-width ``８６１３９…``, ``幺三八一二三四五六七八``, ``(138)1234-5678``. Returns (start, end,
    masked form) for each; a longer reading wins over a shorter one that starts at the same place."""
    found = []
    for chain in _chains(text, _digit_runs(text)):
        i = 0
        while i < len(chain):
            best = None
            digits = ""
            for j in range(i, len(chain)):
                if j > i and not chain[j - 1][2].isdigit():
                    break  # an X only ends a number
                digits += chain[j][2]
                if len(digits) > 22:
                    break
                masked = _as_pii(digits)
                if masked is not None:
                    best = (j, masked)
            if best is None:
                i += 1
                continue
            j, masked = best
            start = chain[i][0]
            if start > 0 and text[start - 1] in _PLUS:
                start -= 1
            found.append((start, chain[j][1], masked))
            i = j + 1
    return found


def mask_text(text: str) -> str:
    """Masks ID numbers and mobile numbers inside free text (find_pii: every form the bot reads),
    each replaced by its masked form: ``110***********1234``, ``138****5678``."""
    if not isinstance(text, str) or not text:
        return text
    spans = find_pii(text)
    if not spans:
        return text
    out, last = [], 0
    for start, end, masked in spans:
        out += [text[last:start], masked]
        last = end
    out.append(text[last:])
    return "".join(out)


def has_pii(text: str) -> bool:
    return bool(find_pii(text)) if isinstance(text, str) else False


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
