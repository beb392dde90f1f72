"""Conversations that leave the script (issue 10, sections 2 and 3), written once and run over the
web chat (tests/e2e/test_off_script.py) and over WeChat (tests/e2e/test_off_script_wechat.py)
against the real stack. A scenario gets a chat with `say(text)` and `choose(button title)`, both
returning the bot's replies to that turn as one string."""
from __future__ import annotations

import re

from tests.identities import fresh_id_number, fresh_phone

OFFER_HUMAN = "好像不太顺利"


def number_in(reply: str, prefix: str) -> str:
    found = re.search(prefix + r"\d{8}-[A-Z0-9]{4,8}", reply)
    assert found, f"no {prefix} number in: {reply}"
    return found.group(0)


def question_inside_the_join_form(chat) -> dict:
    """怎么入 is not a name, 你们办公室电话多少 and 查询进度 are not an employer: each is understood,
    and the same question comes back. Returns what the summary showed."""
    assert "姓名" in chat.say("我想入会")
    reply = chat.say("怎么入")
    assert "姓名" in reply and "同意" not in reply, reply
    assert "同意" in chat.say("张伟")
    reply = chat.say("为什么要身份证号")  # a question about this form: why it asks
    assert "核实" in reply and "同意" in reply, reply
    assert "身份证号" in chat.say("同意")
    assert "手机号" in chat.say(fresh_id_number())
    assert "单位" in chat.say(fresh_phone())
    reply = chat.say("你们办公室电话多少")
    assert "单位" in reply and "行业" not in reply, reply
    reply = chat.say("查询进度")
    assert "还没有已提交的记录" in reply and "单位" in reply and "行业" not in reply, reply
    assert "行业" in chat.say("顺丰速运有限公司")
    summary = chat.say("快递物流")
    assert "工作单位：顺丰速运有限公司" in summary and "姓名：张伟" in summary, summary
    return {"summary": summary}


def question_inside_the_wage_form(chat, phone: str) -> str:
    """A question about another service is answered and the same question comes back; 大概七八千吧,
    快三个月 and 我们班组十几个 are read. Returns the case number."""
    assert "哪个单位" in chat.say("老板拖欠我工资不给")
    reply = chat.say("工伤怎么认定")
    assert "工伤" in reply and "哪个单位" in reply and "多少钱" not in reply, reply
    assert "多少钱" in chat.say("鸿达建筑劳务有限公司")
    reply = chat.say("大概七八千吧")
    assert "多长时间" in reply and "没看懂" not in reply, reply
    assert "多少人" in chat.say("快三个月")
    assert "劳动合同" in chat.say("我们班组十几个")
    assert "手机号" in chat.say("没签")
    return number_in(chat.say(phone), "WQ")


def switch_with_yes_and_the_kept_form_offered_back(chat, phone: str) -> str:
    """算了，我想先入会 in the wage form: asked whether to switch; yes starts joining; cancelling it
    offers the wage form back, which goes on where it stopped. Returns the case number."""
    assert "哪个单位" in chat.say("老板欠了我三个月工资")
    assert "多少钱" in chat.say("鸿达建筑劳务有限公司")
    reply = chat.say("算了，我想先入会")
    assert "入会申请" in reply and "留着" in reply and "多少钱" not in reply, reply
    reply = chat.choose("好，先办这个")
    assert "姓名" in reply, reply
    reply = chat.say("取消")
    assert "已经取消" in reply and "刚才的欠薪登记还没提交，要继续吗" in reply, reply
    reply = chat.choose("继续欠薪登记")
    assert "接着刚才的欠薪登记" in reply and "多少钱" in reply and "哪个单位" not in reply, reply
    assert "多少人" in chat.say("八千块")  # 三个月 came with the first message
    assert "劳动合同" in chat.say("就我一个")
    assert "手机号" in chat.say("没签")
    return number_in(chat.say(phone), "WQ")


def switch_with_no(chat) -> None:
    """我还要报工伤 in the wage form, then no: back to the question that was asked, nothing stored."""
    assert "哪个单位" in chat.say("老板欠我工资")
    reply = chat.say("我还要报工伤")
    assert "工伤登记" in reply and "留着" in reply, reply
    reply = chat.choose("不，接着填刚才的")
    assert "接着办欠薪登记" in reply and "哪个单位" in reply, reply
    assert "多少钱" in chat.say("鸿达建筑劳务有限公司")


def status_and_a_person_inside_a_form(chat) -> None:
    """查询进度 in the wage form is answered and the form waits; 转人工 hands the chat to a person."""
    assert "哪个单位" in chat.say("老板欠我工资")
    reply = chat.say("查询进度")
    assert "还没有已提交的记录" in reply and "哪个单位" in reply, reply
    reply = chat.say("转人工")
    assert "12351" in reply and "转" in reply and "哪个单位" not in reply, reply


def question_before_the_service(chat) -> None:
    """外卖骑手能入会吗 gets its answer and the service as a button; the button starts the form."""
    reply = chat.say("外卖骑手能入会吗")
    assert "可以" in reply and "姓名" not in reply, reply
    assert "姓名" in chat.choose("现在办理入会")  # the button is there, and it starts the form


def request_starts_the_service(chat) -> None:
    assert "姓名" in chat.say("我要入会")


def offer_a_person_once(chat) -> None:
    """Two failed answers offer a person; a third does not repeat the offer."""
    assert "哪个单位" in chat.say("老板欠我工资")
    assert "多少钱" in chat.say("鸿达建筑劳务有限公司")
    first = chat.say("不知道")
    assert "没看懂金额" in first and OFFER_HUMAN not in first, first
    second = chat.say("说不上来")
    assert "没看懂金额" in second and OFFER_HUMAN in second, second
    third = chat.say("记不清了")
    assert "没看懂金额" in third and OFFER_HUMAN not in third, third
    later = chat.say("七八千")
    assert "多长时间" in later and OFFER_HUMAN not in later, later


def corrections_in_the_join_form(chat) -> None:
    """刚才名字写错了 at the ID question asks for the name again (no cancel, not stored as the ID);
    我刚才打错字了 at the employer question means the phone just given. The summary shows the
    corrected answers."""
    assert "姓名" in chat.say("我想入会")
    assert "同意" in chat.say("张卫")
    assert "身份证号" in chat.say("同意")
    reply = chat.say("刚才名字写错了")
    assert "姓名" in reply and "重新" in reply and "已经取消" not in reply, reply
    reply = chat.say("张伟")
    assert "身份证号" in reply and "同意" not in reply, reply  # the consent already given is kept
    assert "手机号" in chat.say(fresh_id_number())
    wrong, right = fresh_phone(), fresh_phone()
    assert "单位" in chat.say(wrong)
    reply = chat.say("我刚才打错字了")
    assert "手机号" in reply and "重新" in reply and "已经取消" not in reply, reply
    assert "单位" in chat.say(right)
    assert "行业" in chat.say("顺丰速运有限公司")
    summary = chat.say("快递物流")
    assert "姓名：张伟" in summary and right[-4:] in summary and wrong[-4:] not in summary, summary
