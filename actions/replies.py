"""What a worker's reply inside a form is: the answer to the question the form asked, or something
else the form must understand as what it is (a question, another service, a status check, a
greeting, a cancel, a request for a person). Only an answer is ever stored as a value.

Pure functions of the text, the model's intent and the slot asked, so tests call them directly;
the reactions are in actions/forms.py.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from actions.validators import check_name

QUESTION = "_question"
# Each service: the intent that starts it and its form (check_application_status is a look-up,
# not a service one switches to).
SERVICE_FORMS = {
    "join_union": "join_union_form", "wage_arrears": "wage_arrears_form", "work_injury": "work_injury_form",
    "training_signup": "training_form", "legal_aid": "legal_aid_form", "hardship_aid": "hardship_aid_form",
    "medical_mutual_aid": "medical_mutual_aid_form", "found_union": "found_union_form",
    "suggestion": "suggestion_form",
}
FORM_INTENTS = {form: intent for intent, form in SERVICE_FORMS.items()} | {
    "status_lookup_form": "check_application_status"}
# Services with a question intent of their own (<base>_question) and an answer in the domain.
ANSWERED = ("join_union", "wage_arrears", "work_injury", "training_signup", "hardship_aid", "found_union")
CHITCHAT = ("greet", "thank", "goodbye")
# A free-text answer ("describe what happened") longer than this is an answer whatever the model
# thinks it is about: "老板拖欠工资还打人" in the legal aid form is the problem, not a switch.
SHORT = 12
MIN_CONFIDENCE = 0.5

QUESTION_RE = re.compile(r"[？?]|吗|呢$|怎么|怎样|什么|啥|多少|哪|几[点天号时]|咋|如何|能不能|可不可以|是不是|有没有|要不要|"
                         r"多久|多长时间|谁")
PERSON_RE = re.compile(r"人工|真人|工作人员|客服|转人|找个?人|领导|干部|活人|律师.*(联系|打电话)")
# Words that make a short reply a request to the bot, not a name or an employer.
_REQUEST_RE = re.compile(r"查询|进度|转人工|人工|客服|取消|不办了|算了|入会|报名|讨薪|欠薪|工伤|建会|帮扶|互助|投诉|"
                         r"我要|我想|帮我|你好|您好|谢谢|再见|不知道|不清楚|不记得|没有|^好的?$|^嗯+$|^是的?$|^对$")
_ONLY_SYMBOLS = re.compile(r"^[\W\d_]*$")
# Not knowing is an answer the slot's validator explains (what is needed, then a person).
_DONT_KNOW_RE = re.compile(r"不知道|不清楚|说不上来|不记得|记不清|忘了|不晓得")
# A request for a service says so: 我想 / 我要 / 帮我 / 先 / 还要 / 申请 / 报 / 办 / 登记.
_WANT_RE = re.compile(r"想|要|帮我|先|申请|报|办|登记|换")
_LEAVE_RE = re.compile(r"取消|不办|不弄|不填|算了|退出|不要了")
# A correction of an earlier answer: "刚才名字写错了", "手机号输错了", "我要改一下刚才的".
_CORRECTION_RE = re.compile(r"(写|打|填|输|说|弄|搞|报)错|改一下|要改$|重新(填|写|输|说)|手滑")
# In a free-text slot a correction says it is about an earlier answer ("合同写错了" is a description).
_EARLIER_RE = re.compile(r"刚才|刚刚|前面|上面|之前|上一个")
FREE_TEXT_CORRECTION_MAX = 8  # "名字写错了" at a free-text question; "公司把我的工时打错了" is an answer
# Which answer a correction names: words -> the slots they can mean, in any form.
CORRECTION_FIELDS = (
    (re.compile(r"名字|姓名|名儿"), ("name", "tr_name", "mm_name", "fu_contact")),
    (re.compile(r"身份证|证件"), ("id_number", "st_id_number")),
    (re.compile(r"手机|电话|号码|联系方式"), ("phone", "contact_phone", "st_phone", "sg_contact")),
    (re.compile(r"单位|公司|厂|老板|企业"), ("employer", "wa_employer", "fu_company")),
    (re.compile(r"行业|工种"), ("industry",)),
    (re.compile(r"金额|钱|工资|数目|费用|多少"), ("wa_amount", "mm_amount", "ha_income")),
    (re.compile(r"几个月|月份|多久"), ("wa_months",)),
    (re.compile(r"人数|几个人|多少人"), ("wa_headcount", "fu_employees", "ha_household")),
    (re.compile(r"日期|哪天|时间|几号"), ("wi_date",)),
    (re.compile(r"医院"), ("mm_hospital",)),
)
# Longer texts that mention a mistake are answers (a free-text description: "合同上的名字写错了").
CORRECTION_MAX = 16


def base_intent(intent: str | None) -> str | None:
    """join_union_question -> join_union: a refined intent scores and routes as its base."""
    return intent[: -len(QUESTION)] if intent and intent.endswith(QUESTION) else intent


def looks_like_question(text: str) -> bool:
    return bool(QUESTION_RE.search(text or ""))


def plausible_name(text: str) -> bool:
    """A name is 2-15 characters of a name and not a question or a request (怎么入, 查询进度)."""
    words = (text or "").strip()
    return check_name(words)[1] is None and not looks_like_question(words) and not _REQUEST_RE.search(words)


def plausible_employer(text: str) -> bool:
    """An employer is not a question, a request (查询进度, 转人工) or a bare yes/no/don't know."""
    words = (text or "").strip()
    if len(words) < 2 or words.startswith("/") or _ONLY_SYMBOLS.match(words):
        return False
    return not looks_like_question(words) and not _REQUEST_RE.search(words)


def correction(text: str) -> tuple[str, ...] | None:
    """The slots a correction names (an empty tuple: it names none, so it means the last answer);
    None when the text is no correction."""
    words = (text or "").strip()
    if len(words) > CORRECTION_MAX or not _CORRECTION_RE.search(words) or re.search(r"\d{3}", words):
        return None
    for pattern, slots in CORRECTION_FIELDS:
        if pattern.search(words):
            return slots
    return ()


def classify(text: str, intent: str | None, confidence: float, own_intent: str | None,
             parser: Callable[[str], Any] | None) -> str:
    """What a reply to the form's question is. One of
    answer   - store it as the slot's value (the slot's validator still checks it);
    cancel, human - leave it to the rules (cancel the form, hand over to a person);
    correct  - a correction of an earlier answer (correction() says which): ask it again;
    switch   - another service (intent names it); question - answer it, ask again;
    status   - list the chat's records, ask again; repeat - the service already running;
    greet, thank, goodbye, ack - say a word, ask again.
    `parser` recognises an answer to this slot (None: a free-text slot, where anything long is one)."""
    text = (text or "").strip()
    base = base_intent(intent)
    if text.startswith("/"):  # a button: its payload is what the worker chose
        if base in ("cancel", "request_human"):
            return "cancel" if base == "cancel" else "human"
        if base in SERVICE_FORMS and base != own_intent:
            return "switch"
        return "answer" if parser is None or parser(text) not in (None, False) or "{" in text else "ack"
    if correction(text) is not None and (parser is not None or _EARLIER_RE.search(text) or (
            len(text) <= FREE_TEXT_CORRECTION_MAX and correction(text))):
        return "correct"
    if parser is not None and parser(text) not in (None, False):
        return "answer"  # "十几个人" is a headcount even if the model hears request_human
    if _DONT_KNOW_RE.search(text) and not _LEAVE_RE.search(text):
        return "answer"  # 记不清了 is not a cancel, whatever the model hears
    if base == "cancel" and not re.search(r"\d", text):
        return "cancel"
    if base == "request_human" and PERSON_RE.search(text):
        return "human"
    long_free_text = parser is None and len(text) > SHORT
    if long_free_text or confidence < MIN_CONFIDENCE:
        return "answer"
    if parser is None and intent == own_intent:
        return "answer"  # a free-text answer about this very service: "在工地摔的" in the injury form
    if parser is None and base in SERVICE_FORMS and intent == base and not _WANT_RE.search(text):
        return "answer"  # "生病住院" as a hardship reason is not a request for medical mutual aid
    if base in SERVICE_FORMS:
        if intent != base or (looks_like_question(text) and base == own_intent):
            return "question"  # 怎么入 asked in the join form; 工伤怎么认定 in the wage form
        return "repeat" if base == own_intent else "switch"
    if base == "faq" or (base == "out_of_scope" and looks_like_question(text) and parser is not None):
        return "question"
    if base == "check_application_status":
        return "status"
    if base in CHITCHAT:
        return base
    if base in ("affirm", "deny") and parser is not None:
        return "ack"  # 好的 / 嗯 to a question that wants a value
    return "answer"
