"""Fresh, valid identities for the tests that file for a worker: the back end refuses a second
membership application with the same ID number and phone, so two tests must never draw the same one
(three random digits collided within one run)."""
from __future__ import annotations

import datetime as dt
import random

from unionkit.pii import id_number_checksum

_drawn: set[str] = set()


def fresh_id_number(area: str = "440306") -> str:
    """A valid 18-digit ID number not drawn before in this process: a random birthday from 1970 to
    2000 and a random sequence (11 million of them)."""
    while True:
        born = dt.date(1970, 1, 1) + dt.timedelta(days=random.randrange(11_000))
        first17 = f"{area}{born:%Y%m%d}{random.randint(0, 999):03d}"
        if first17 not in _drawn:
            _drawn.add(first17)
            return first17 + id_number_checksum(first17)


def fresh_phone() -> str:
    return "139" + f"{random.randint(0, 99_999_999):08d}"
