"""WeChat text handling: splitting under 2048 bytes, buttons as numbered choices kept in a real Redis,
passive replies that survive any bot text, and the menu file."""
from __future__ import annotations

import redis
from wechatpy import parse_message
from wechatpy.replies import deserialize_reply

from bot.channels.wechat.choices import Choices, render
from bot.channels.wechat.cli import domain_intents
from bot.channels.wechat.menu import click_intents, click_keys, menu_definition, problems
from bot.channels.wechat.protocol import Protocol
from bot.channels.wechat.split import MAX_BYTES, MAX_CHARS, split_text
from bot.rasa_client import BotReply


def test_short_text_is_one_message():
    assert split_text("您好！") == ["您好！"]
    assert split_text("   ") == []


def test_long_text_is_cut_at_sentence_ends():
    sentence = "工会会在三个工作日内联系您，请保持电话畅通。"  # 66 bytes
    text = sentence * 70  # 4620 bytes
    parts = split_text(text)
    assert len(parts) == 3
    assert all(len(p.encode()) <= MAX_BYTES and len(p) <= MAX_CHARS and p.endswith("。") for p in parts)
    assert "".join(parts) == text


def test_a_sentence_longer_than_the_limit_is_cut_at_commas_then_anywhere():
    clauses = "，".join(["拖欠工资要保留证据"] * 200) + "。"
    parts = split_text(clauses)
    assert all(len(p.encode()) <= MAX_BYTES and len(p) <= MAX_CHARS for p in parts) and "".join(parts) == clauses
    assert all(p.endswith(("，", "。")) for p in parts)
    no_breaks = "长" * 1500  # no punctuation at all: 600 characters (1800 bytes) a message
    parts = split_text(no_breaks)
    assert [len(p) for p in parts] == [600, 600, 300] and "".join(parts) == no_breaks
    emoji = "👍" * 1100  # 4 bytes each: the 2048-byte limit comes first
    parts = split_text(emoji)
    assert [len(p.encode()) for p in parts] == [2048, 2048, 304] and "".join(parts) == emoji


def test_buttons_become_numbered_choices_and_numbers_come_back(redis_url):
    text, choices = render([BotReply(text="您好！"), BotReply(text="请选择：", buttons=[
        {"title": "同意", "payload": "/affirm"}, {"title": "不同意", "payload": "/deny"}])])
    assert text == "您好！\n\n请选择：\n回复数字即可选择：\n1. 同意\n2. 不同意"
    store = Choices(redis.Redis.from_url(redis_url, decode_responses=True))
    store.remember("o1", choices)
    assert store.resolve("o1", "2") == {"title": "不同意", "payload": "/deny"}
    assert store.resolve("o1", " １ ") == {"title": "同意", "payload": "/affirm"}  # full-width digit
    assert store.resolve("o1", "2。") == {"title": "不同意", "payload": "/deny"}  # as voice recognition writes it
    assert store.resolve("o1", "3") is None
    assert store.resolve("o1", "13812345678") is None
    assert store.resolve("o2", "1") is None  # another user's choices
    store.remember("o1", [])  # a reply without buttons
    assert store.resolve("o1", "1") is None


def test_passive_reply_keeps_any_bot_text_inside_its_cdata():
    message = parse_message("<xml><ToUserName>gh_a</ToUserName><FromUserName>o1</FromUserName>"
                            "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content>"
                            "<MsgId>5</MsgId></xml>")
    tricky = "工作单位：]]><MsgType>image</MsgType><![CDATA[ 确认提交吗？"
    xml = Protocol("token", "wx1").render(message, tricky, {})
    reply = deserialize_reply(xml)
    assert reply.type == "text" and reply.content == tricky and reply.target == "o1"
    assert Protocol("token", "wx1").render(message, "", {}) == "success"


def test_the_menu_file_is_installable():
    assert problems(domain_intents()) == []
    menu = menu_definition()
    assert click_intents()["JOIN"] == "join_union"
    assert set(click_keys(menu)) == set(click_intents())
