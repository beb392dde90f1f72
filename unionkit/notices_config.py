"""config/notices.yml: the notices' texts, the WeChat templates, the rating's words and the lines of
查询进度 (read by the gateway's notices and by the action server)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

NOTICES_FILE = Path(__file__).resolve().parent.parent / "config" / "notices.yml"


@lru_cache(maxsize=1)
def load() -> dict:
    return yaml.safe_load(NOTICES_FILE.read_text(encoding="utf-8")) or {}


def text(name: str, **values) -> str:
    return load()["texts"][name].format(**values)


def next_step(status: str | None) -> str:
    steps = load()["texts"]["next_steps"]
    return steps.get(status or "", steps["default"])


def rating_text(name: str, **values) -> str:
    return str(load()["rating"][name]).format(**values)


def rating_setting(name: str):
    return load()["rating"][name]


@dataclass(frozen=True)
class Template:
    template_id: str
    url: str
    fields: dict

    def data(self, values: dict) -> dict:
        """WeChat's {"keyword": {"value": ...}}; each value cut to WeChat's 200 characters."""
        out = {}
        for key, pattern in self.fields.items():
            value = str(pattern).format(**values).strip()
            out[key] = {"value": value if len(value) <= 200 else value[:199] + "…"}
        return out


def template(what: str, env: dict | None = None) -> Template | None:
    """The WeChat template for a notice ("status", "message"), or None where none is configured."""
    env = os.environ if env is None else env
    entry = (load().get("wechat_templates") or {}).get(what) or {}
    template_id = env.get(f"WECHAT_TEMPLATE_{what.upper()}") or entry.get("template_id") or ""
    if not template_id:
        return None
    return Template(template_id, entry.get("url") or "", dict(entry.get("fields") or {}))
