"""actions.extract on what workers really type: money, spans, dates, phones, IDs, headcounts, employers."""
from __future__ import annotations

import datetime as dt

import pytest

from actions.extract import (extract_employer, extract_id_number, extract_phone, money_range, parse_date,
                             parse_headcount, parse_money, parse_months, to_number, today_in_china, wage_months)

# A Wednesday, so "this week" and "last week" both have days before and after it.
TODAY = dt.date(2025, 3, 12)


@pytest.mark.parametrize("text, expected", [
    ("八千块", 8000),
    ("8千", 8000),
    ("8000元", 8000),
    ("一万二", 12000),
    ("1.2万", 12000),
    ("一点五万", 15000),
    ("两万五千元", 25000),
    ("两千五", 2500),
    ("三千五百块钱", 3500),
    ("欠了我三千五", 3500),
    ("￥3500", 3500),
    ("5k", 5000),
    ("大概六千多块钱", 6000),
    ("一个月4000", 4000),
    ("工资欠了三个月 一共两万四", 24000),
    ("老板欠我 12000 元", 12000),
    ("８０００", 8000),
    ("壹万贰仟元", 12000),
    ("差不多两万", 20000),
    ("一直没发 大概两千", 2000),
    ("三百块", 300),
    ("1,500元", 1500),
])
def test_money(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize("text", ["三个月", "20多人", "13812345678", "不知道", "", "就欠了一点"])
def test_no_money(text):
    assert parse_money(text) is None


@pytest.mark.parametrize("text, expected", [
    ("三个月", 3),
    ("3个月", 3),
    ("半年", 6),
    ("一年半", 18),
    ("两个多月", 2),
    ("一个半月", 1.5),
    ("半个月", 0.5),
    ("20天", 0.7),
    ("3", 3),
    ("俩月", 2),
    ("两三个月", 2),
    ("快一年了", 12),
    ("两年", 24),
    ("十个月", 10),
    ("欠了一个月", 1),
    ("已经拖了五个月了", 5),
    ("两周", 0.5),
])
def test_months(text, expected):
    assert parse_months(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["从上个月开始", "不记得", "每月都拖", ""])
def test_no_months(text):
    assert parse_months(text) is None


@pytest.mark.parametrize("text, expected", [
    ("十来个人", 10),
    ("20多人", 20),
    ("二十几个", 20),
    ("十几个", 11),
    ("一百多号人", 100),
    ("我们俩", 2),
    ("仨", 3),
    ("就我一个", 1),
    ("只有我自己", 1),
    ("几十个人", 20),
    ("15", 15),
    ("3", 3),
    ("我们班组三十个工友", 30),
    ("五六个人", 5),
    ("全厂两百多名员工", 200),
    ("12个", 12),
    ("大概八个师傅", 8),
    ("四口人", 4),
    ("家里5口", 5),
])
def test_headcount(text, expected):
    assert parse_headcount(text) == expected


@pytest.mark.parametrize("text", ["工资欠了三个月", "欠了八千块", "不清楚"])
def test_no_headcount(text):
    assert parse_headcount(text) is None


@pytest.mark.parametrize("text, expected", [
    ("昨天", dt.date(2025, 3, 11)),
    ("昨晚下班的时候", dt.date(2025, 3, 11)),
    ("前天", dt.date(2025, 3, 10)),
    ("大前天", dt.date(2025, 3, 9)),
    ("今天上午", dt.date(2025, 3, 12)),
    ("刚才", dt.date(2025, 3, 12)),
    ("上周三", dt.date(2025, 3, 5)),
    ("上星期五", dt.date(2025, 3, 7)),
    ("上礼拜天", dt.date(2025, 3, 9)),
    ("这周一", dt.date(2025, 3, 10)),
    ("周一", dt.date(2025, 3, 10)),
    ("周五", dt.date(2025, 3, 7)),       # this week's Friday is still to come: the last one
    ("星期三", dt.date(2025, 3, 12)),
    ("3月5号", dt.date(2025, 3, 5)),
    ("三月五日", dt.date(2025, 3, 5)),
    ("3月5日下午", dt.date(2025, 3, 5)),
    ("12月1号", dt.date(2024, 12, 1)),   # a December date in March happened last year
    ("2024年3月5日", dt.date(2024, 3, 5)),
    ("2024-03-05", dt.date(2024, 3, 5)),
    ("2024/3/5", dt.date(2024, 3, 5)),
    ("3/5", dt.date(2025, 3, 5)),
    ("去年12月3号", dt.date(2024, 12, 3)),
    ("今年1月20号", dt.date(2025, 1, 20)),
    ("上个月10号", dt.date(2025, 2, 10)),
    ("本月1号", dt.date(2025, 3, 1)),
    ("8号", dt.date(2025, 3, 8)),
    ("20号", dt.date(2025, 2, 20)),      # the 20th is still to come this month
    ("三天前", dt.date(2025, 3, 9)),
    ("一周前", dt.date(2025, 3, 5)),
    ("两个星期前", dt.date(2025, 2, 26)),
    ("半个月前", dt.date(2025, 2, 25)),
])
def test_dates(text, expected):
    assert parse_date(text, TODAY) == expected


def test_dates_across_a_year_end():
    new_year = dt.date(2025, 1, 2)
    assert parse_date("上个月10号", new_year) == dt.date(2024, 12, 10)
    assert parse_date("上周一", new_year) == dt.date(2024, 12, 23)
    assert parse_date("12月30号", new_year) == dt.date(2024, 12, 30)
    assert parse_date("前天", new_year) == dt.date(2024, 12, 31)


def test_future_dates_only_when_asked():
    assert parse_date("3月20号", TODAY, past=False) == dt.date(2025, 3, 20)
    assert parse_date("明天", TODAY, past=False) == dt.date(2025, 3, 13)


@pytest.mark.parametrize("text", ["不记得了", "2月30号", "13月2号", "好久了", ""])
def test_no_date(text):
    assert parse_date(text, TODAY) is None


def test_today_is_china_time():
    # China is UTC+8 all year: the date there is never behind UTC's.
    utc_today = dt.datetime.now(dt.timezone.utc).date()
    assert today_in_china() in (utc_today, utc_today + dt.timedelta(days=1))


@pytest.mark.parametrize("text, expected", [
    ("13812345678", "13812345678"),
    ("电话138 1234 5678", "13812345678"),
    ("+86-139-0000-1111", "13900001111"),
    ("8613912345678", "13912345678"),
    ("我的手机是13812345678谢谢", "13812345678"),
    ("幺三八一二三四五六七八", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("联系我：177-1234-0000", "17712340000"),
])
def test_phone(text, expected):
    assert extract_phone(text) == expected


@pytest.mark.parametrize("text", ["1381234567", "12345678901", "电话没有", "010-12345678"])
def test_no_phone(text):
    assert extract_phone(text) is None


@pytest.mark.parametrize("text, expected", [
    ("11010519491231002X", "11010519491231002X"),
    ("身份证 110105 19491231 002x", "11010519491231002X"),
    ("我的身份证号是440306199003070123", "440306199003070123"),
])
def test_id_number(text, expected):
    assert extract_id_number(text) == expected


@pytest.mark.parametrize("text", ["13812345678", "4403061990030701", "没带身份证"])
def test_no_id_number(text):
    assert extract_id_number(text) is None


@pytest.mark.parametrize("text, expected", [
    ("我在顺丰速运有限公司上班", "顺丰速运有限公司"),
    ("美团的骑手", "美团"),
    ("给万科的工地干活", "万科的工地"),
    ("老王装修", "老王装修"),
    ("深圳市华强电子厂", "深圳市华强电子厂"),
    ("我们是做外卖的，平台是饿了么", "饿了么"),
    ("公司叫鸿达物流有限公司", "鸿达物流有限公司"),
    ("富士康", "富士康"),
    ("单位是市第一人民医院", "市第一人民医院"),
    ("在华润万家超市当收银员", "华润万家超市"),
    ("中建三局项目部", "中建三局项目部"),
])
def test_employer(text, expected):
    assert extract_employer(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "123"])
def test_no_employer(text):
    assert extract_employer(text) is None


@pytest.mark.parametrize("token, expected", [("俩", 2), ("十", 10), ("一百二十", 120), ("二零二四", 2024), ("x", None)])
def test_to_number(token, expected):
    assert to_number(token) == expected


@pytest.mark.parametrize("text, urgent", [
    ("工友从脚手架上摔下来了 昏迷不醒", True),
    ("手还在流血", True),
    ("腿动不了", True),
    ("从二楼掉下来了", True),
    ("手指被划了个口子", False),
    ("没流血", False),
    ("上个月扭了脚", False),
])
def test_urgent_injury_wording(text, urgent):
    from actions.extract import is_urgent_injury
    assert is_urgent_injury(text) is urgent


@pytest.mark.parametrize("text, self_harm", [
    ("讨不到工资我就跳楼", True),
    ("我不想活了", True),
    ("想寻短见", True),
    ("活着没意思", True),
    ("工资不发 愁死了", False),
])
def test_self_harm_wording(text, self_harm):
    from actions.extract import mentions_self_harm
    assert mentions_self_harm(text) is self_harm


@pytest.mark.parametrize("text, answer", [
    ("签了", "yes"), ("没签", "no"), ("不清楚", "unknown"), ("/affirm", "yes"), ("/deny", "no"),
    ("口头说的 没有合同", "no"), ("好像交了", "yes"), ("不办了", None), ("有没有用", None), ("随便", None),
])
def test_yes_no(text, answer):
    from actions.extract import parse_yes_no
    assert parse_yes_no(text) == answer


def test_holidays_make_arrears_urgent():
    from actions.extract import mentions_holiday
    from actions.wage_arrears import before_holiday
    assert mentions_holiday("回家过年的路费都没有") and not mentions_holiday("欠了三个月")
    assert before_holiday(dt.date(2026, 2, 1))        # Spring Festival 2026: 17 February
    assert before_holiday(dt.date(2025, 9, 28))       # National Day
    assert not before_holiday(dt.date(2025, 6, 15))


# --------------------------------------------------------------------------- workers' own words (issue 10)
@pytest.mark.parametrize("text, expected", [
    ("大概七八千吧", 8000),          # a range is its upper figure
    ("七八千", 8000),
    ("五六千块", 6000),
    ("一两万", 20000),
    ("三四百块钱", 400),
    ("一万出头", 10000),
    ("两个月工资，一个月五千", 10000),  # months of wages times the monthly wage
    ("欠了两个月的工资 每月6000", 12000),
    ("三个月工资 月薪4500", 13500),
    ("一个半月的工资，一个月四千", 6000),
])
def test_money_in_workers_words(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize("text", ["两个月工资", "欠了三个月的工钱"])
def test_months_of_wages_without_the_wage_is_no_amount_yet(text):
    assert parse_money(text) is None
    assert wage_months(text) is not None


def test_money_range_and_wage_months():
    assert money_range("七八千") == (7000, 8000)
    assert money_range("七九千") is None
    assert wage_months("两个月工资") == 2
    assert wage_months("一个半月的工资") == 1.5
    assert wage_months("八千块") is None


@pytest.mark.parametrize("text, expected", [
    ("快三个月", 3),
    ("快三个月了", 3),
    ("大半年", 8),
    ("小半年", 5),
    ("从去年十月到现在", 5.3),       # 1 October 2024 to 12 March 2025
    ("去年10月开始就没发", 5.3),
    ("十月份到现在", 5.3),           # October without a year: the last one
    ("今年一月以来", 2.3),
    ("从三月初开始", 0.4),
])
def test_months_in_workers_words(text, expected):
    assert parse_months(text, TODAY) == pytest.approx(expected)


@pytest.mark.parametrize("text, expected", [
    ("我们班组十几个", 11),
    ("二三十个", 20),
    ("二三十个工友", 20),
    ("班组里七八个人", 7),
])
def test_headcount_in_workers_words(text, expected):
    assert parse_headcount(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("前天晚上", dt.date(2025, 3, 10)),
    ("昨天夜里", dt.date(2025, 3, 11)),
    ("上个月底", dt.date(2025, 2, 28)),
    ("上月底", dt.date(2025, 2, 28)),
    ("这个月初", dt.date(2025, 3, 1)),
    ("上个月中旬", dt.date(2025, 2, 15)),
    ("二月下旬", dt.date(2025, 2, 25)),
    ("三月底", dt.date(2024, 3, 31)),    # the end of this March is still to come
    ("去年12月底", dt.date(2024, 12, 31)),
    ("上周末", dt.date(2025, 3, 8)),
    ("周末", dt.date(2025, 3, 8)),
])
def test_dates_in_workers_words(text, expected):
    assert parse_date(text, TODAY) == expected
