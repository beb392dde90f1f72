"""User-facing texts the gateway and the actions send themselves (when Rasa is down, WeChat notices,
handoff notices, texts an action puts together).

They live with every other reply in the Rasa domain (bot/domain/*.yml, `responses:`), so all
Chinese a worker reads is kept in one place; this module reads them from there.
"""
from __future__ import annotations

import random
from functools import lru_cache

import yaml

from pathlib import Path

# The Rasa domain files: read as data (YAML), by the gateway and the actions alike.
DOMAIN_DIR = Path(__file__).resolve().parent.parent / "bot" / "domain"


@lru_cache(maxsize=1)
def _responses() -> dict[str, list[dict]]:
    responses: dict[str, list[dict]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        responses.update(data.get("responses") or {})
    return responses


def response(name: str, **values) -> dict:
    """A response variant as {"text", "buttons"}; {placeholders} filled from `values`."""
    variants = _responses().get(name)
    if not variants:
        raise KeyError(f"no response {name!r} in bot/domain")
    chosen = random.choice(variants)
    text = chosen.get("text", "")
    if values:
        text = text.format(**values)
    return {"text": text, "buttons": list(chosen.get("buttons") or [])}


def text(name: str, **values) -> str:
    return response(name, **values)["text"]
