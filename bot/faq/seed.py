"""The starting FAQ (seed_faq.yml), read by the migration that creates the tables and by the
retrieval evaluation."""
from __future__ import annotations

from pathlib import Path

import yaml

SEED_FILE = Path(__file__).with_name("seed_faq.yml")


def seed_entries(path: Path = SEED_FILE) -> list[dict]:
    """[{question, variants, answer, category, enabled}] in file order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [{"question": str(e["question"]).strip(), "variants": [str(v).strip() for v in e.get("variants") or []],
             "answer": str(e["answer"]).strip(), "category": str(e.get("category") or "").strip(),
             "enabled": bool(e.get("enabled", True))} for e in data.get("entries") or []]
