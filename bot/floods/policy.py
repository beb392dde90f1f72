"""config/floods.yml read once per app, with RATE_LIMIT_<NAME> from the environment on top."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from config.settings import PROJECT_ROOT, Settings

FLOODS_FILE = PROJECT_ROOT / "config" / "floods.yml"


@dataclass(frozen=True)
class FloodPolicy:
    limits: dict[str, str]
    turns: dict = field(default_factory=dict)
    login: dict = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    contained: bool = True

    @classmethod
    def load(cls, settings: Settings, path: Path = FLOODS_FILE) -> "FloodPolicy":
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        limits = dict(data.get("limits") or {})
        unknown = set(settings.rate_limits) - set(limits)
        if unknown:
            raise ValueError(f"RATE_LIMIT_{sorted(unknown)[0].upper()} names no limit in {path.name}; "
                             f"the limits are {', '.join(sorted(limits))}")
        limits.update(settings.rate_limits)
        return cls(limits=limits, turns=dict(data.get("turns") or {}), login=dict(data.get("login") or {}),
                   texts=dict(data.get("texts") or {}), contained=settings.floods_contained)

    def limit(self, name: str) -> str:
        return self.limits[name]

    def text(self, name: str, **values) -> str:
        text = self.texts[name]
        return text.format(**values) if values else text
