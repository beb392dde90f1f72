"""Writes bot/safety/training_nlu_ordinary.yml: the NLU training examples (nlu/*.yml) of intents
that are ordinary union business, as `none` for the safety screen's classifier.

They are the natural picture of what workers write when nobody is in danger (短句 such as 不必了,
先不弄了, 我挂了 were taken as danger before they were in the training data). Left out: the
intents whose examples can describe danger happening now (work injury, hardship, medical aid;
questions about them stay) and
any example a danger pattern hits (the NLU's hardship examples include 不想活了: those are danger).

    .venv/bin/python -m scripts.safety_nlu_ordinary
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.safety.patterns import pattern_category

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bot" / "safety" / "training_nlu_ordinary.yml"
# Intents whose examples may be an emergency or a cry for help in the worker's words.
MAY_BE_DANGER = ("work_injury", "hardship_aid", "medical_mutual_aid")
_ENTITY = re.compile(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})")
HEADER = """# Ordinary worker messages: the NLU training examples (nlu/*.yml) of every intent but work injury,
# hardship and medical aid, less any a danger pattern hits; category none. Generated: do not edit,
# run `.venv/bin/python -m scripts.safety_nlu_ordinary` after the NLU data changes.
"""


def nlu_examples() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "nlu").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            intent = item.get("intent")
            for line in (item.get("examples") or "").splitlines():
                text = _ENTITY.sub(r"\1", re.sub(r"^\s*-\s*", "", line)).strip()
                if intent and text:
                    found.append((intent, text))
    return found


def ordinary(examples: list[tuple[str, str]]) -> list[str]:
    keep = []
    for intent, text in examples:
        category, guarded = pattern_category(text)
        if intent in MAY_BE_DANGER or (category and not guarded):  # questions about them are ordinary
            continue
        keep.append(text)
    return sorted(set(keep))


def main() -> int:
    texts = ordinary(nlu_examples())
    messages = [{"text": text, "category": "none"} for text in texts]
    body = yaml.safe_dump({"messages": messages}, allow_unicode=True, default_flow_style=None, width=200)
    OUT.write_text(HEADER + body, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(texts)} messages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
