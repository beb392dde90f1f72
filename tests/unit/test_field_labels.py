"""Every question a form asks can be corrected by name, so each has a label the worker reads."""
from __future__ import annotations

from pathlib import Path

import yaml

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain"
NOT_CORRECTED = ("id_consent", "join_confirmed", "tr_waitlist", "st_consent")


def test_every_form_question_has_a_field_label():
    forms, responses = {}, {}
    for path in DOMAIN.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        forms.update(data.get("forms") or {})
        responses.update(data.get("responses") or {})
    missing = [slot for form in forms.values() for slot in form.get("required_slots") or []
               if slot not in NOT_CORRECTED and f"utter_field_label_{slot}" not in responses]
    assert not missing, f"no utter_field_label_ for: {missing}"
