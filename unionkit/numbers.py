"""Human-readable record numbers a worker can quote on the phone.

Format: two-letter prefix for the kind of record + date (yyyymmdd, China time) + '-' + four
characters from an alphabet without the look-alikes 0/O and 1/I, e.g. ``RH20261123-7KQ3MX``.

The gateway may generate the number itself (``new_number``) before the back end answers, so
a retried submission is idempotent; the back end accepts any number matching ``NUMBER_RE``.
This module has no dependencies beyond the standard library.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone

# China Standard Time has no daylight saving: a fixed offset is exact.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

PREFIXES: dict[str, str] = {
    "membership": "RH",   # 入会申请
    "case": "WQ",         # 维权 / 求助诉求
    "enrollment": "PX",   # 培训报名
    "founding": "JH",     # 建会申请
    "suggestion": "JY",   # 合理化建议
    "review": "HF",       # 回访（差评或没解决时）
}

# No 0/O and no 1/I (and therefore 32 symbols: 2-9 plus 24 letters).
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# 32**6 ≈ 1e9 per prefix and day: a clash between two clients' numbers is very unlikely, and the
# back end refuses one (409 number_conflict) rather than mixing two people's records.
RANDOM_LENGTH = 6

NUMBER_RE = re.compile(r"^[A-Z]{2}\d{8}-[A-Z0-9]{4,8}$")


def new_number(kind: str, now: datetime | None = None) -> str:
    """A fresh number for a record of ``kind`` (one of PREFIXES' keys, or a 2-letter prefix).

    ``now`` defaults to the current time; aware datetimes are converted to China time,
    naive ones are taken as already being China time.
    """
    prefix = PREFIXES.get(kind, kind)
    if not re.fullmatch(r"[A-Z]{2}", prefix or ""):
        raise ValueError(f"unknown record kind: {kind!r}")
    if now is None:
        now = datetime.now(CHINA_TZ)
    elif now.tzinfo is not None:
        now = now.astimezone(CHINA_TZ)
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{prefix}{now:%Y%m%d}-{suffix}"


def is_valid_number(value: object) -> bool:
    """True when ``value`` is a string in the record-number format (any prefix)."""
    return isinstance(value, str) and NUMBER_RE.match(value) is not None


def normalize_number(value: str) -> str:
    """Upper-case and strip a number typed by a person (``rh20261123-7kq3mx `` -> ``RH20261123-7KQ3MX``)."""
    return value.strip().upper()
