"""Every union service as a conversation over the web chat, against the real Rasa server, gateway,
back end and Redis; what the worker submitted is checked in the back end."""
from __future__ import annotations

import datetime as dt
import random
import re
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.identities import fresh_id_number, fresh_phone
from actions.wage_arrears import before_holiday
from actions.work_injury import deadline
from unionkit.numbers import CHINA_TZ

CASE_RE = re.compile(r"WQ\d{8}-[A-Z0-9]{4,8}")


def today() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()


def number_in(reply: str, prefix: str) -> str:
    found = re.search(prefix + r"\d{8}-[A-Z0-9]{4,8}", reply)
    assert found, f"no {prefix} number in: {reply}"
    return found.group(0)


def backend_post(stack, path: str, body: dict) -> dict:
    resp = requests.post(f"{stack.backend_url}{path}", json=body, timeout=10,
                         headers={"Authorization": f"Bearer {stack.backend_key}"})
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


def get_case(stack, number: str) -> dict:
    resp = stack.backend_get(f"/v1/cases/{number}")
    assert resp.status_code == 200, resp.text
    return resp.json()


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in (m.get("buttons") or [])]


def joined(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages)


# --------------------------------------------------------------------------- wage arrears
def test_wage_arrears_case_with_retries_a_question_and_evidence_advice(live_stack, web_chat):
    chat = web_chat()
    phone = fresh_phone()
    assert "哪个单位" in chat.say_text("老板拖欠我工资不给")
    assert "多少钱" in chat.say_text("鸿达建筑劳务有限公司")
    # A wrong value is asked again with the reason; the second miss offers a person.
    first = chat.say_text("不知道")
    assert "没看懂金额" in first and "转人工" not in first
    second = chat.say_text("说不上来")
    assert "没看懂金额" in second and "转人工" in second
    assert "多长时间" in chat.say_text("八千块")
    # A question in the middle is answered and the same question comes back.
    assert "多长时间" in chat.say_text("会费怎么交")
    assert "多少人" in chat.say_text("三个月")
    assert "劳动合同" in chat.say_text("就我一个")
    assert "手机号" in chat.say_text(payload="没签")
    assert "11 位" in chat.say_text("12345")
    done = chat.say_text(phone[:3] + " " + phone[3:7] + " " + phone[7:])
    number = number_in(done, "WQ")
    assert "工资条" in done and "考勤" in done and "聊天记录" in done

    case = get_case(live_stack, number)
    holiday = before_holiday(today())
    assert (case["type"], case["phone"], case["status"]) == ("wage_arrears", phone, "open")
    assert case["priority"] == ("urgent" if holiday else "normal")
    details = case["details"]
    assert (details["employer"], details["amount_yuan"], details["months"], details["workers"],
            details["written_contract"]) == ("鸿达建筑劳务有限公司", 8000, 3, 1, "no")
    assert case["channel"] == "web" and case["channel_user"] == f"web:{chat.session_id}"


def test_ten_workers_owed_wages_is_urgent_and_goes_to_a_person(live_stack, web_chat):
    chat = web_chat()
    phone = fresh_phone()
    # The first message already says how many and how long: only the rest is asked.
    assert "哪个单位" in chat.say_text("我们工地十来个人被拖欠了半年工资")
    assert "多少钱" in chat.say_text("包工头刘老板")
    assert "劳动合同" in chat.say_text("一万二")
    assert "手机号" in chat.say_text(payload="签了")
    messages = chat.say(phone)
    reply = joined(messages)
    number = number_in(reply, "WQ")
    assert "紧急" in reply and "12351" in reply
    case = get_case(live_stack, number)
    assert case["priority"] == "urgent"
    assert (case["details"]["workers"], case["details"]["months"], case["details"]["amount_yuan"]) == (10, 6, 12000)
    assert case["details"]["urgent_reason"] == "group"


def test_wages_wanted_for_the_new_year_are_urgent(live_stack, web_chat):
    chat = web_chat()
    chat.say_text("老板欠钱不给，回家过年的路费都没有")
    chat.say_text("顺发装修队")
    chat.say_text("五千")
    chat.say_text("两个月")
    chat.say_text("1")
    chat.say_text(payload="不清楚")
    number = number_in(chat.say_text(fresh_phone()), "WQ")
    case = get_case(live_stack, number)
    assert case["priority"] == "urgent" and case["details"]["before_holiday"] is True


# --------------------------------------------------------------------------- work injury
def test_work_injury_case_with_date_check_and_the_one_year_limit(live_stack, web_chat):
    chat = web_chat()
    phone = fresh_phone()
    assert "哪天" in chat.say_text("我受工伤了 想申请工伤认定")
    assert "还没到" in chat.say_text("明天")
    assert "怎么受的伤" in chat.say_text("上周三")
    # With no time in it, "右手被压了" reads as happening now: the safety screen would answer it.
    assert "医院" in chat.say_text("上周三在车间操作冲床的时候右手被夹伤了")
    assert "工伤保险" in chat.say_text("右手食指骨折，在市人民医院做了手术")
    assert "手机号" in chat.say_text(payload="不清楚")
    done = chat.say_text(phone)
    number = number_in(done, "WQ")
    monday = today() - dt.timedelta(days=today().weekday())
    injured_on = monday - dt.timedelta(days=5)   # last week's Wednesday
    last_day = deadline(injured_on)
    assert "1 年" in done and f"{last_day.year}年{last_day.month}月{last_day.day}日" in done
    assert "劳动关系证明" in done
    case = get_case(live_stack, number)
    assert (case["type"], case["priority"], case["phone"]) == ("work_injury", "normal", phone)
    assert case["details"]["injured_on"] == injured_on.isoformat()
    assert case["details"]["injury_insurance"] == "unknown"
    assert "冲床" in case["details"]["how"]


def test_a_date_in_the_first_message_is_not_asked_again(live_stack, web_chat):
    chat = web_chat()
    reply = chat.say_text("昨天送外卖路上被车撞了 算工伤吗")
    assert "怎么受的伤" in reply and "哪天" not in reply
    chat.say_text("在人民路口被一辆小轿车撞了")
    chat.say_text("左腿擦伤，在区医院包扎了")
    chat.say_text(payload="交了")
    number = number_in(chat.say_text(fresh_phone()), "WQ")
    assert get_case(live_stack, number)["details"]["injured_on"] == (today() - dt.timedelta(days=1)).isoformat()


def _course(stack, seats: int, title: str) -> dict:
    start = (today() + dt.timedelta(days=30)).isoformat()
    return backend_post(stack, "/v1/courses", {"title": title, "starts_on": start, "location": "职工服务中心",
                                               "seats": seats})


def test_training_lists_courses_as_buttons_and_enrolls_once_per_phone(live_stack, web_chat):
    course = _course(live_stack, 5, f"叉车司机培训{random.randint(100, 999)}班")
    chat = web_chat()
    phone = fresh_phone()
    messages = chat.say("我想报名培训")
    titles = {b["title"]: b["payload"] for b in buttons(messages)}
    mine = [t for t in titles if t.startswith(course["title"])]
    assert mine and "剩5个名额" in mine[0]
    assert "姓名" in chat.say_text(payload=titles[mine[0]])
    assert "手机号" in chat.say_text("李娜")
    done = chat.say_text(phone)
    number = number_in(done, "PX")
    assert "报名成功" in done and course["title"] in done
    enrollment = live_stack.backend_get(f"/v1/enrollments/{number}").json()
    assert (enrollment["course_id"], enrollment["name"], enrollment["phone"], enrollment["status"]) == (
        course["id"], "李娜", phone, "enrolled")

    # The same phone cannot enroll twice in one course: the existing number is given.
    again = web_chat()
    again.say("培训报名")
    again.say_text(payload=titles[mine[0]])
    again.say_text("李娜")
    reply = again.say_text(phone)
    assert "已经报过" in reply and number in reply
    listed = live_stack.backend_get(f"/v1/courses/{course['id']}/enrollments").json()["items"]
    assert [e["number"] for e in listed] == [number]


def test_a_full_course_offers_other_courses_or_the_waiting_list(live_stack, web_chat):
    course = _course(live_stack, 1, f"育婴师周末{random.randint(100, 999)}班")
    backend_post(live_stack, f"/v1/courses/{course['id']}/enrollments", {"name": "占位", "phone": fresh_phone()})
    chat = web_chat()
    titles = {b["title"]: b["payload"] for b in buttons(chat.say("有什么培训课"))}
    full = [t for t in titles if t.startswith(course["title"])][0]
    assert "已满" in full
    reply = chat.say_text(payload=titles[full])
    assert "报满" in reply and "候补" in reply
    # Other courses: the list comes back.
    others = chat.say(payload="看其他课程")
    assert len(buttons(others)) >= 2
    chat.say_text(payload=titles[full])
    assert "姓名" in chat.say_text(payload="排候补")
    chat.say_text("周敏")
    done = chat.say_text(fresh_phone())
    number = number_in(done, "PX")
    assert "候补" in done
    assert live_stack.backend_get(f"/v1/enrollments/{number}").json()["status"] == "waitlisted"


def test_parallel_sign_ups_never_overbook(live_stack, web_chat):
    course = _course(live_stack, 2, f"电工复审{random.randint(100, 999)}班")
    payload = '/training_signup{"course_id": "%s"}' % course["id"]
    names = ["张伟", "王芳", "李强", "刘洋", "陈静"]

    def sign_up(name: str) -> str:
        chat = web_chat()
        assert "姓名" in chat.say_text(payload=payload)
        chat.say_text(name)
        return chat.say_text(fresh_phone())

    with ThreadPoolExecutor(len(names)) as pool:
        replies = list(pool.map(sign_up, names))
    listed = live_stack.backend_get(f"/v1/courses/{course['id']}/enrollments").json()["items"]
    statuses = sorted(e["status"] for e in listed)
    assert statuses == ["enrolled", "enrolled", "waitlisted", "waitlisted", "waitlisted"]
    assert sum("报名成功" in r for r in replies) == 2 and sum("候补" in r for r in replies) == 3


# --------------------------------------------------------------------------- legal, hardship, medical
def test_legal_aid_case_for_a_lawyer_within_half_a_working_day(live_stack, web_chat):
    chat = web_chat()
    phone = fresh_phone()
    reply = chat.say_text("公司突然要辞退我，一分钱经济补偿都不给，怎么办")
    assert "手机号" in reply      # the problem was in the first message: only the phone is asked
    done = chat.say_text(phone)
    number = number_in(done, "WQ")
    assert "半个工作日" in done
    case = get_case(live_stack, number)
    assert (case["type"], case["priority"], case["phone"]) == ("legal_aid", "normal", phone)
    assert "辞退" in case["details"]["topic"] and "辞退" in case["summary"]


def test_hardship_aid_case_and_what_the_union_offers(live_stack, web_chat):
    chat = web_chat()
    phone = fresh_phone()
    messages = chat.say("家里实在困难，想申请困难帮扶")
    intro = joined(messages)
    assert "送温暖" in intro and "金秋助学" in intro
    assert {"生病住院", "孩子上学"} <= {b["title"] for b in buttons(messages)}
    assert "几口人" in chat.say_text(payload="生病住院")
    assert "收入" in chat.say_text("四口人")
    assert "手机号" in chat.say_text("每人每月大概六百块")
    number = number_in(chat.say_text(phone), "WQ")
    case = get_case(live_stack, number)
    assert (case["type"], case["phone"]) == ("hardship_aid", phone)
    details = case["details"]
    assert (details["reason_code"], details["household_size"], details["monthly_income_per_person"]) == (
        "illness", 4, 600)


def test_medical_mutual_aid_explains_and_takes_a_claim(live_stack, web_chat):
    chat = web_chat()
    phone = fresh_phone()
    intro = chat.say_text("我想申请职工医疗互助")
    assert "基本医疗保险" in intro and "出院小结" in intro and "登记" in intro
    assert "姓名" in chat.say_text(payload="/affirm")
    assert "医院" in chat.say_text("赵刚")
    assert "多少钱" in chat.say_text("市第一人民医院，上个月住了两周")
    assert "手机号" in chat.say_text("一万二")
    number = number_in(chat.say_text(phone), "WQ")
    case = get_case(live_stack, number)
    assert (case["type"], case["details"]["name"], case["details"]["out_of_pocket_yuan"]) == (
        "medical_mutual_aid", "赵刚", 12000)

    # Only asking: no case.
    asking = web_chat()
    assert "基本医疗保险" in asking.say_text("大病住院了，工会的医疗互助能帮上吗")
    reply = asking.say_text(payload="/deny")
    assert "申请医疗互助" in reply
    assert live_stack.backend_get("/v1/cases", channel_user=f"web:{asking.session_id}").json()["items"] == []


# --------------------------------------------------------------------------- founding, suggestions
def test_found_union_request_and_the_joint_union_for_small_firms(live_stack, web_chat):
    chat = web_chat()
    phone = fresh_phone()
    assert "单位全称" in chat.say_text("我们公司想成立工会，怎么弄")
    assert "多少职工" in chat.say_text("深圳市华强电子厂")
    assert "联系人" in chat.say_text("十几个人")
    assert "手机号" in chat.say_text("陈明")
    done = chat.say_text(phone)
    number = number_in(done, "JH")
    assert "25" in done and "联合工会" in done
    record = live_stack.backend_get(f"/v1/union-founding-requests/{number}").json()
    assert (record["company"], record["employees"], record["contact_name"], record["phone"]) == (
        "深圳市华强电子厂", 11, "陈明", phone)


def test_suggestion_with_and_without_a_contact(live_stack, web_chat):
    chat = web_chat()
    phone = fresh_phone()
    assert "建议" in chat.say_text("我想提个建议")
    text = "建议在工业园区多设几个户外劳动者驿站，夏天送外卖的能歇脚喝口水"
    assert "姓名和手机号" in chat.say_text(text)
    done = chat.say_text(f"王强 {phone}")
    number = number_in(done, "JY")
    record = live_stack.backend_get(f"/v1/suggestions/{number}").json()
    assert (record["text"], record["name"], record["phone"]) == (text, "王强", phone)

    anonymous = web_chat()
    anonymous.say_text("给工会提点意见：服务中心周末能不能也开门，平时上班没空去")
    done = anonymous.say_text(payload="匿名")
    record = live_stack.backend_get(f"/v1/suggestions/{number_in(done, 'JY')}").json()
    assert record["name"] is None and record["phone"] is None and "周末" in record["text"]


# --------------------------------------------------------------------------- status, cancel, fallback
def test_status_lists_this_chats_records(live_stack, web_chat):
    chat = web_chat()
    assert "手机号" in chat.say_text("公司一直不给交社保，我想找律师咨询")
    number = number_in(chat.say_text(fresh_phone()), "WQ")
    reply = chat.say_text("查询进度")
    assert number in reply and "已受理" in reply


def test_status_by_id_number_needs_the_phone_on_file_too(live_stack, web_chat):
    id_number, phone = fresh_id_number("310104"), fresh_phone()
    application = backend_post(live_stack, "/v1/membership-applications", {
        "name": "孙丽", "id_number": id_number, "phone": phone, "employer": "某物流公司"})

    stranger = web_chat()
    assert "身份证" in stranger.say_text("我的申请到哪一步了")
    assert "18 位" in stranger.say_text(payload="/affirm")
    assert "手机号" in stranger.say_text(id_number)
    reply = stranger.say_text(fresh_phone())          # knows the ID number, not the phone
    assert "没有查到" in reply and application["number"] not in reply and "孙丽" not in reply

    owner = web_chat()
    owner.say_text("查询进度")
    owner.say_text(payload="/affirm")
    owner.say_text(id_number)
    reply = owner.say_text(phone)
    assert application["number"] in reply and "已提交" in reply  # the desk's status words (config/desk.yml)


def test_cancel_leaves_a_form_and_files_nothing(live_stack, web_chat):
    chat = web_chat()
    chat.say_text("老板欠我工资")
    chat.say_text("某某餐馆")
    assert "取消" in chat.say_text("算了不办了")
    # The form is gone: a phone now is not an answer to anything.
    chat.say_text(fresh_phone())
    assert live_stack.backend_get("/v1/cases", channel_user=f"web:{chat.session_id}").json()["items"] == []


def test_second_fallback_in_a_row_offers_a_person(live_stack, web_chat):
    chat = web_chat()
    first = joined(chat.say(payload="/nlu_fallback"))
    assert "换个说法" in first and "工作人员" not in first
    # Not the same words again: a person is offered.
    second = chat.say(payload="/nlu_fallback")
    assert "换个说法" not in joined(second) and "工作人员" in joined(second)
    assert "/request_human" in {b["payload"] for b in buttons(second)}


def test_out_of_scope_says_what_the_assistant_can_do(live_stack, web_chat):
    chat = web_chat()
    messages = chat.say("帮我订一张明天去广州的火车票")
    offered = {b["payload"] for b in buttons(messages)}
    assert {"/wage_arrears", "/work_injury", "/training_signup"} <= offered


def test_service_buttons_start_each_service(live_stack, web_chat):
    expected = {"/wage_arrears": "哪个单位", "/work_injury": "哪天", "/legal_aid": "什么问题",
                "/hardship_aid": "什么困难", "/found_union": "单位全称", "/suggestion": "建议"}
    for payload, question in expected.items():
        chat = web_chat()
        assert question in chat.say_text(payload=payload), payload


def test_back_end_down_the_case_waits_in_the_outbox_and_the_worker_gets_a_number(live_stack, web_chat):
    import json

    import redis

    chat = web_chat()
    phone = fresh_phone()
    live_stack.stop_backend()
    try:
        assert "手机号" in chat.say_text("公司要我签自愿放弃社保的协议，我不想签，怎么办")
        number = number_in(chat.say_text(phone), "WQ")
        r = redis.Redis.from_url(live_stack.redis_url, decode_responses=True)
        assert json.loads(r.hget("outbox:items", number))["body"]["phone"] == phone
        # The worker can see it already, marked as still being filed.
        assert number in chat.say_text("查询进度")
    finally:
        live_stack.start_backend()
    resp = live_stack.wait_for_record(f"/v1/cases/{number}")
    assert resp.status_code == 200 and resp.json()["type"] == "legal_aid"
