"""`flask --app server wechat sync-menu`: installs config/wechat_menu.yml as the account's menu."""
from __future__ import annotations

import json

import click
import requests
import yaml
from flask import current_app
from flask.cli import AppGroup
from wechatpy.exceptions import WeChatClientException

from bot.channels.wechat import menu
from config.settings import PROJECT_ROOT

wechat_cli = AppGroup("wechat", help="WeChat Official Account tools.")


def domain_intents() -> set[str]:
    intents: set[str] = set()
    for path in (PROJECT_ROOT / "bot" / "domain").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intents.update(i if isinstance(i, str) else next(iter(i)) for i in data.get("intents") or [])
    return intents


@wechat_cli.command("sync-menu")
@click.option("--dry-run", is_flag=True, help="Print the menu instead of installing it.")
def sync_menu(dry_run):
    """Install the custom menu through WeChat's menu/create API."""
    found = menu.problems(domain_intents())
    if found:
        raise click.ClickException("config/wechat_menu.yml: " + "; ".join(found))
    definition = menu.menu_definition()
    if dry_run:
        click.echo(json.dumps(definition, ensure_ascii=False, indent=2))
        return
    channel = current_app.extensions.get("wechat")
    if channel is None or channel.service.api is None:
        raise click.ClickException("set WECHAT_TOKEN, WECHAT_APP_ID and WECHAT_APP_SECRET first")
    try:
        channel.service.api.create_menu(definition)
    except WeChatClientException as exc:
        raise click.ClickException(f"WeChat refused the menu: {exc.errcode} {exc.errmsg}") from exc
    except requests.RequestException as exc:
        raise click.ClickException(f"WeChat API unreachable: {exc}") from exc
    click.echo(f"menu installed: {len(definition['button'])} buttons, "
               f"{len(menu.click_keys(definition))} click keys")
