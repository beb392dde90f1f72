"""The Official Account's custom menu and its CLICK key -> intent table (config/wechat_menu.yml)."""
from __future__ import annotations

from functools import lru_cache

import yaml

from config.settings import PROJECT_ROOT

MENU_FILE = PROJECT_ROOT / "config" / "wechat_menu.yml"
# WeChat's limits on a custom menu.
MAX_TOP_BUTTONS = 3
MAX_SUB_BUTTONS = 5


@lru_cache(maxsize=1)
def _load() -> dict:
    return yaml.safe_load(MENU_FILE.read_text(encoding="utf-8")) or {}


def click_intents() -> dict[str, str]:
    return dict(_load().get("clicks") or {})


def menu_definition() -> dict:
    """The body of WeChat's menu/create call."""
    return {"button": list(_load().get("menu") or [])}


def click_keys(menu: dict) -> list[str]:
    keys = []
    for button in menu["button"]:
        for item in button.get("sub_button") or [button]:
            if item.get("type") == "click":
                keys.append(item.get("key"))
    return keys


def problems(known_intents: set[str]) -> list[str]:
    """What is wrong with the menu file (empty when it can be installed)."""
    menu, clicks = menu_definition(), click_intents()
    found = []
    if not 1 <= len(menu["button"]) <= MAX_TOP_BUTTONS:
        found.append(f"the menu needs 1 to {MAX_TOP_BUTTONS} top-level buttons")
    for button in menu["button"]:
        if len(button.get("sub_button") or []) > MAX_SUB_BUTTONS:
            found.append(f"{button.get('name')}: more than {MAX_SUB_BUTTONS} sub-buttons")
    for key in click_keys(menu):
        if key not in clicks:
            found.append(f"click key {key} has no intent in clicks")
    for key, intent in clicks.items():
        if intent not in known_intents:
            found.append(f"click key {key}: {intent} is not an intent of the domain")
    return found
