"""Values read out of what workers type: money, durations, dates, phone and ID numbers, headcounts,
employer names. Workers write 八千块, 8千, 一万二, 三个月, 上周三, 十来个人: every parser takes
free text and returns a normalised value, or None when the text holds none.

Chinese numerals are converted with cn2an; dates are resolved against today in China time.
No Rasa imports: the form validators call these and the unit tests exercise them directly.

Dates: jionlp's parse_time was evaluated and not taken. It installs with a clean `pip check`, but
brings ~90 MB of dependencies and a 1.4 s import with a banner, resolves 周日 / 12月1号 into the
future (a report of an injury needs the past), and does not read 刚才; the parser below covers the
same forms and is tested in tests/unit/test_extract.py. dateparser 1.5.0 (2026-11, languages=["zh"])
was tried on 2026-12-02: of 前天晚上, 上个月底, 上周三, 3月5号, 三月五日, 三天前, 上个月10号, 12月1号,
刚才, 15号 it read none (only 昨天 and 前天), and it needs a `regex` newer than Rasa 3.6 allows.
"""
from __future__ import annotations

import datetime as dt
import re

import cn2an

from unionkit.numbers import CHINA_TZ

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，：／－　", "0123456789.,:/- ")
_CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖幺俩"
_CN_DIGIT_VALUE = {ch: str(v) for v, chars in enumerate(
    ["零〇", "一壹幺", "二两贰俩", "三叁", "四肆", "五伍", "六陆", "七柒", "八捌", "九玖"]) for ch in chars}
_CN_UNITS = "十百千万亿拾佰仟"
# A number as workers write it: 8000, 1.2万, 8千, 一万二, 两千五百, 三点五万, 十.
_NUMBER = rf"(?:\d+(?:\.\d+)?[{_CN_UNITS}]*|[{_CN_DIGITS}{_CN_UNITS}]+(?:点[{_CN_DIGITS}]+[{_CN_UNITS}]*)?)(?:\d+)?"
_NUMBER_RE = re.compile(_NUMBER)


def today_in_china() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()


def _clean(text: str) -> str:
    return (text or "").translate(_FULLWIDTH).strip()


def to_number(token: str) -> float | None:
    """One number token (8000, 8千, 一万二, 1.2万, 两千五, 三点五万, 俩) as a float."""
    token = _clean(token).replace(",", "")
    if not token:
        return None
    if token in ("俩", "两"):
        return 2.0
    if "点" in token:  # cn2an reads 1.5万 but not 一点五万: spell the digits first
        token = "".join(_CN_DIGIT_VALUE.get(ch, ch) for ch in token).replace("点", ".")
    token = token.replace("俩", "两").replace("幺", "一")
    if len(token) == 2 and all(ch in _CN_DIGIT_VALUE for ch in token):
        low, high = int(_CN_DIGIT_VALUE[token[0]]), int(_CN_DIGIT_VALUE[token[1]])
        if high == low + 1:  # 五六个, 两三个月: a range, keep the lower end
            return float(low)
    if token.isdigit() and token.isascii():  # 8000, also a phone number: keep it exact
        return float(token)
    try:
        return float(cn2an.cn2an(token, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _as_int(value: float | None) -> int | None:
    return None if value is None else int(round(value))


# --------------------------------------------------------------------------- money
_MONEY_UNIT = r"(?:块钱|块|元|圆|rmb|RMB|人民币)"
_K_SUFFIX = r"(?:[kK](?![a-zA-Z]))"
_MONEY_RE = re.compile(rf"[¥￥]?\s*({_NUMBER})\s*({_K_SUFFIX}|多|来)?\s*({_MONEY_UNIT})?")
# A number followed by one of these is not an amount of money.
_MIN_BARE_AMOUNT = 50
_NOT_MONEY_AFTER = re.compile(r"^\s*(?:多|来)?\s*(?:个月|个多月|月|天|年|周|个星期|星期|个人|人|号|日|名|位|次|岁|小时|点钟|层|米|公里)")


# 七八千, 五六千块, 两三万, 一两万: two neighbouring digits before a unit are a range.
_RANGE_RE = re.compile(r"([一二两三四五六七八九])([二两三四五六七八九])\s*([十百千万])")
# 两个月工资 / 三个月的工资: an amount counted in months of the monthly wage.
_WAGE_MONTHS_RE = re.compile(rf"({_NUMBER}|半)\s*个?(半)?\s*月\s*的?\s*(?:工资|工钱|薪水|薪资)")
_MONTHLY_WAGE_RE = re.compile(rf"(?:一个月|每个?月|月薪|月工资|工资一个月|一月)\s*(?:是|有|拿|就|大概|差不多)?\s*({_NUMBER})")


def money_range(text: str) -> tuple[int, int] | None:
    """七八千 -> (7000, 8000), 五六千块 -> (5000, 6000), 一两万 -> (10000, 20000)."""
    found = _RANGE_RE.search(_clean(text))
    if not found:
        return None
    low, high = (int(_CN_DIGIT_VALUE[ch]) for ch in found.group(1, 2))
    if high != low + 1:
        return None
    unit = {"十": 10, "百": 100, "千": 1000, "万": 10000}[found.group(3)]
    return low * unit, high * unit


def wage_months(text: str) -> float | None:
    """How many months of wages an amount is given in: 两个月工资 -> 2, 一个半月的工资 -> 1.5."""
    found = _WAGE_MONTHS_RE.search(_clean(text))
    if not found:
        return None
    count = 0.5 if found.group(1) == "半" else to_number(found.group(1))
    if count is None:
        return None
    return count + (0.5 if found.group(2) else 0)


def parse_money(text: str) -> int | None:
    """An amount in yuan: 八千块 -> 8000, 8千 -> 8000, 8000元 -> 8000, 一万二 -> 12000,
    1.2万 -> 12000, 5k -> 5000, ￥3500 -> 3500. Amounts with a money word win over bare numbers.
    A range (七八千, 五六千块) is its upper figure: what the worker says may be owed, for an officer
    to check; 一万出头 is 10000; 两个月工资，一个月五千 is 10000 (months of wages need the wage)."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", _clean(text))  # 1,500
    months = wage_months(text)
    if months is not None:
        wage = _MONTHLY_WAGE_RE.search(text)
        value = to_number(wage.group(1)) if wage else None
        return _as_int(months * value) if value else None
    span = money_range(text)
    if span:
        # 七八千 -> 8000; 七八千五 does not occur in speech, so nothing follows the unit.
        return span[1]
    bare: int | None = None
    for match in _MONEY_RE.finditer(text):
        token, suffix, unit = match.group(1), match.group(2), match.group(3)
        value = to_number(token)
        if value is None or value <= 0:
            continue
        if suffix and suffix.lower() == "k":
            value *= 1000
        has_money_word = bool(unit) or match.group(0).lstrip().startswith(("¥", "￥")) or bool(
            suffix and suffix.lower() == "k")
        if has_money_word:
            return _as_int(value)
        # A bare number is an amount only when it is plausible as one (not the 一 of 一共).
        if (bare is None and value >= _MIN_BARE_AMOUNT and not _NOT_MONEY_AFTER.match(text[match.end(1):])
                and not _is_phone_like(token)):
            bare = _as_int(value)
    return bare


def _is_phone_like(token: str) -> bool:
    return token.isdigit() and len(token) >= 11


# --------------------------------------------------------------------------- durations
_DURATION_RE = re.compile(
    rf"({_NUMBER}|半)?\s*(个)?\s*(多|来|半)?\s*(个)?\s*(年|个月|月|周|个星期|星期|礼拜|天|日)(半)?")


# 从去年十月到现在, 三月份开始, 自今年2月以来: a span from a month until today.
_SINCE_MONTH_RE = re.compile(
    r"(今年|去年|前年)?\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月份?\s*(初|中|底|末)?\s*"
    r"(?:到现在|到今天|到目前|至今|开始|以来|起)")
_ABOUT_SPANS = {"大半年": 8.0, "小半年": 5.0, "大半个月": 0.7, "一年多": 12.0}


def _months_since(prefix: str | None, month_token: str, part: str | None, today: dt.date) -> float | None:
    month = _small_number(month_token)
    if not month or month > 12:
        return None
    year = today.year - {"今年": 0, "去年": 1, "前年": 2, None: 0}[prefix]
    day = {"中": 15, "底": 28, "末": 28}.get(part or "", 1)
    start = dt.date(year, month, day)
    if prefix is None and start > today:
        start = dt.date(year - 1, month, day)
    if start > today:
        return None
    return max(round((today - start).days / 30.44, 1), 0.1)


def parse_months(text: str, today: dt.date | None = None) -> float | None:
    """A span of time in months (one decimal): 三个月 -> 3, 半年 -> 6, 一年半 -> 18,
    两个多月 -> 2, 一个半月 -> 1.5, 半个月 -> 0.5, 20天 -> 0.7, 3 -> 3 (a bare number is months),
    快三个月 -> 3, 大半年 -> 8, 从去年十月到现在 -> the months since 1 October last year."""
    text = _clean(text)
    found = _SINCE_MONTH_RE.search(text)
    if found:
        return _months_since(found.group(1), found.group(2), found.group(3), today or today_in_china())
    for words, months in _ABOUT_SPANS.items():
        if words in text:
            return months
    if re.fullmatch(r"\d+(?:\.\d+)?|[一二两三四五六七八九十]+", text):
        value = to_number(text)
        return None if value is None or value <= 0 else round(value, 1)
    for match in _DURATION_RE.finditer(text):
        count_token, _, modifier, _, unit, trailing_half = match.groups()
        if unit == "日" and count_token is None:
            continue
        if unit == "月" and count_token is None and modifier != "半":
            continue  # 月 alone (上个月, 每月) is not a span
        if count_token == "半":
            count = 0.5
        elif count_token:
            count = to_number(count_token)
            if count is None:
                continue
        elif modifier == "半":
            count = 0
        else:
            continue
        if modifier == "半" or trailing_half:
            count += 0.5
        per_unit = {"年": 12, "个月": 1, "月": 1, "周": 7 / 30, "个星期": 7 / 30, "星期": 7 / 30,
                    "礼拜": 7 / 30, "天": 1 / 30, "日": 1 / 30}[unit]
        months = round(count * per_unit, 1)
        if months > 0:
            return months
    return None


# --------------------------------------------------------------------------- headcounts
_ALONE_RE = re.compile(r"就我(一个|自己)?|只有我|我一个人|我自己|就一个人|本人|一个人")
_HEADCOUNT_RE = re.compile(
    rf"(几十|几百|{_NUMBER}|俩|仨)\s*(多|来|几)?\s*(个|号|名|位|口)?\s*(多|来)?\s*(人|工人|工友|兄弟|员工|职工|师傅|个)?")


def parse_headcount(text: str) -> int | None:
    """How many people (a lower bound): 十来个人 -> 10, 20多人 -> 20, 二十几个 -> 20,
    十几个 -> 11, 一百多号人 -> 100, 我们俩 -> 2, 就我一个 -> 1, 几十个人 -> 20, 15 -> 15."""
    text = _clean(text)
    if re.fullmatch(r"\d+", text):
        return int(text) if int(text) > 0 else None
    best = None
    for match in _HEADCOUNT_RE.finditer(text):
        token, mod1, measure, mod2, noun = match.groups()
        if not (measure or noun or token in ("俩", "仨") or re.fullmatch(r"[\d十百千两俩仨一二三四五六七八九]+", text.strip())):
            continue
        if _NOT_A_HEADCOUNT.match(text[match.end(1):]):
            continue
        if token == "几十":
            value = 20
        elif token == "几百":
            value = 200
        elif token == "仨":
            value = 3
        elif token == "十" and mod1 == "几":
            value = 11  # 十几 = between eleven and nineteen
        elif money_range(token):
            value = money_range(token)[0]  # 二三十个: the lower end, as 五六个
        else:
            number = to_number(token)
            if number is None:
                continue
            value = int(number)
            if mod1 == "几":  # 二十几 = twenty-something
                value = value
        if value > 0:
            best = value
            break
    if best is None and _ALONE_RE.search(text):
        return 1
    return best


_NOT_A_HEADCOUNT = re.compile(r"^\s*(?:多|来|几)?\s*个?\s*(?:月|天|年|块|元|万|千|小时|星期|礼拜|号(?!人))")


# --------------------------------------------------------------------------- dates
_WEEKDAYS = {"一": 0, "1": 0, "二": 1, "2": 1, "三": 2, "3": 2, "四": 3, "4": 3, "五": 4, "5": 4,
             "六": 5, "6": 5, "日": 6, "天": 6, "七": 6, "7": 6}
_RELATIVE_DAYS = [("大前天", -3), ("前天", -2), ("前日", -2), ("昨天", -1), ("昨日", -1), ("昨晚", -1),
                  ("昨儿", -1), ("今天", 0), ("今日", 0), ("今早", 0), ("今晚", 0), ("今儿", 0), ("刚才", 0),
                  ("刚刚", 0), ("早上", None), ("明天", 1), ("后天", 2)]
_DAY = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_MONTH = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_ISO_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_YEAR_MONTH_DAY_RE = re.compile(rf"(今年|去年|前年)\s*{_MONTH}\s*月(?:份)?\s*{_DAY}\s*[日号]")
_MONTH_DAY_RE = re.compile(rf"(?<![\d年]){_MONTH}\s*月(?:份)?\s*{_DAY}\s*[日号]?")
_SLASH_MONTH_DAY_RE = re.compile(r"(?<![\d.])(\d{1,2})\s*[/.]\s*(\d{1,2})(?![\d./])")
_MONTH_REL_DAY_RE = re.compile(rf"(上个?月|这个?月|本月)\s*{_DAY}\s*[日号]")
_BARE_DAY_RE = re.compile(rf"(?<![月\d]){_DAY}\s*[日号](?![人])")
_WEEK_RE = re.compile(r"(上上|上|这|本|下)?\s*(?:个)?\s*(?:周|星期|礼拜)\s*([一二三四五六日天1-7])")
_MONTH_PART_RE = re.compile(rf"(上上个?月|上个?月|这个?月|本月|(?:(今年|去年)\s*)?{_MONTH}\s*月份?)\s*(底|末|初|中旬|上旬|下旬|中)")
_MONTH_PART_DAY = {"初": 1, "上旬": 5, "中": 15, "中旬": 15, "下旬": 25}
_WEEKEND_RE = re.compile(r"(上上|上|这|本)?\s*个?\s*(?:周末|礼拜六日)")
_AGO_RE = re.compile(rf"({_NUMBER}|半)\s*(?:个)?\s*(天|日|周|星期|礼拜|月)\s*(?:以前|之前|前)")


def _small_number(token: str) -> int | None:
    value = to_number(token)
    return None if value is None else int(value)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _minus_months(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 - months
    return index // 12, index % 12 + 1


def _month_part(found: re.Match, today: dt.date, past: bool) -> dt.date | None:
    """上个月底 -> the last day of last month, 这个月初 -> the 1st, 三月中 -> 15 March."""
    which, year_word, month_token, part = found.groups()
    if month_token:
        month = _small_number(month_token)
        if not month or month > 12:
            return None
        year = today.year - {"今年": 0, "去年": 1}.get(year_word or "", 0)
    else:
        back = 2 if which.startswith("上上") else 1 if which.startswith("上") else 0
        year, month = _minus_months(today, back)
    if part in ("底", "末"):
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        day = dt.date(next_year, next_month, 1) - dt.timedelta(days=1)
    else:
        day = dt.date(year, month, _MONTH_PART_DAY[part])
    if past and day > today:
        if month_token and not year_word:
            return _safe_date(day.year - 1, day.month, day.day)
        return today  # 这个月底 said of the past: it cannot be later than today
    return day


def parse_date(text: str, today: dt.date | None = None, past: bool = True) -> dt.date | None:
    """A calendar date: 昨天, 前天, 上周三, 周一, 3月5号, 三月五日, 2024年3月5日, 2024-03-05, 3/5,
    上个月10号, 15号, 三天前, 一周前. Relative to `today` (default: today in China time).
    With past=True (reports of things that happened) a date without a year that would lie in the
    future is taken from last year, and a bare weekday or day of month means the latest one."""
    text = _clean(text)
    today = today or today_in_china()

    found = _ISO_RE.search(text)
    if found:
        return _safe_date(int(found.group(1)), int(found.group(2)), int(found.group(3)))

    found = _YEAR_MONTH_DAY_RE.search(text)
    if found:
        year = today.year - {"今年": 0, "去年": 1, "前年": 2}[found.group(1)]
        month, day = _small_number(found.group(2)), _small_number(found.group(3))
        return _safe_date(year, month, day) if month and day else None

    found = _MONTH_PART_RE.search(text)
    if found:
        return _month_part(found, today, past)

    found = _MONTH_REL_DAY_RE.search(text)
    if found:
        year, month = _minus_months(today, 1 if found.group(1).startswith("上") else 0)
        day = _small_number(found.group(2))
        return _safe_date(year, month, day) if day else None

    found = _MONTH_DAY_RE.search(text) or _SLASH_MONTH_DAY_RE.search(text)
    if found:
        month, day = _small_number(found.group(1)), _small_number(found.group(2))
        if not month or not day or month > 12:
            return None
        candidate = _safe_date(today.year, month, day)
        if candidate and past and candidate > today:
            candidate = _safe_date(today.year - 1, month, day)
        return candidate

    found = _WEEKEND_RE.search(text)
    if found:  # a weekend is its Saturday
        monday = today - dt.timedelta(days=today.weekday())
        saturday = monday + dt.timedelta(days=5 + {"上上": -14, "上": -7}.get(found.group(1) or "", 0))
        return saturday - dt.timedelta(days=7) if past and saturday > today else saturday

    found = _WEEK_RE.search(text)
    if found:
        which, weekday = found.group(1), _WEEKDAYS[found.group(2)]
        monday = today - dt.timedelta(days=today.weekday())
        offset = {"上上": -14, "上": -7, "下": 7, "这": 0, "本": 0}.get(which or "", 0)
        candidate = monday + dt.timedelta(days=offset + weekday)
        if not which and past and candidate > today:
            candidate -= dt.timedelta(days=7)
        return candidate

    found = _AGO_RE.search(text)
    if found:
        count = 0.5 if found.group(1) == "半" else to_number(found.group(1))
        if count is None:
            return None
        unit = found.group(2)
        if unit == "月":
            return today - dt.timedelta(days=int(round(count * 30)))
        days = count * (7 if unit in ("周", "星期", "礼拜") else 1)
        return today - dt.timedelta(days=int(round(days)))

    for word, offset in _RELATIVE_DAYS:
        if word in text and offset is not None:
            return today + dt.timedelta(days=offset)

    found = _BARE_DAY_RE.search(text)
    if found:
        day = _small_number(found.group(1))
        if not day:
            return None
        candidate = _safe_date(today.year, today.month, day)
        if candidate is None or (past and candidate > today):
            year, month = _minus_months(today, 1)
            candidate = _safe_date(year, month, day)
        return candidate
    return None


# --------------------------------------------------------------------------- phone and ID numbers
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")
_ID_RE = re.compile(r"(?<![0-9])(\d{17}[\dXx])(?![0-9A-Za-z])")


def _digits_joined(text: str) -> str:
    """Spaces and dashes between digits removed; Chinese digits spelled out (幺三八 -> 138)."""
    text = _clean(text)
    if sum(ch in _CN_DIGIT_VALUE for ch in text) >= 7:
        text = "".join(_CN_DIGIT_VALUE.get(ch, ch) for ch in text)
    return re.sub(r"(?<=\d)[\s\-]+(?=[\dXx])", "", text)


def extract_phone(text: str) -> str | None:
    """A mainland mobile number in free text: '电话138 1234 5678' -> '13812345678',
    '+86-139-0000-1111' -> '13900001111', '幺三八一二三四五六七八' -> '13812345678'."""
    found = _PHONE_RE.search(_digits_joined(text))
    return found.group(1) if found else None


def extract_id_number(text: str) -> str | None:
    """An 18-character ID number shape in free text (checked separately by validators.check_id_number)."""
    found = _ID_RE.search(_digits_joined(text))
    return found.group(1).upper() if found else None


# --------------------------------------------------------------------------- employer names
# Platforms and big employers workers name without a suffix.
KNOWN_EMPLOYERS = (
    "美团", "饿了么", "顺丰", "京东", "滴滴", "货拉拉", "闪送", "中通", "圆通", "韵达", "申通", "极兔",
    "菜鸟", "邮政", "德邦", "百世", "达达", "UU跑腿", "快狗打车", "曹操出行", "T3出行", "富士康",
    "比亚迪", "盒马", "拼多多", "叮咚买菜", "朴朴", "肯德基", "麦当劳", "海底捞", "沃尔玛", "永辉",
)
_SUFFIXES = ("有限责任公司", "股份有限公司", "有限公司", "集团", "公司", "分公司", "工厂", "制品厂", "厂",
             "项目部", "工地", "建筑队", "施工队", "装修队", "车队", "超市", "商场", "酒店", "宾馆", "饭店",
             "餐厅", "餐馆", "酒楼", "物业", "医院", "学校", "幼儿园", "快递站", "驿站", "网点", "站点",
             "门店", "专卖店", "店", "中心", "家政", "工作室", "合作社", "农场", "矿")
_EMPLOYER_RE = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9()（）]{1,30}?(?:" + "|".join(_SUFFIXES) + r"))")
_LEADING = re.compile(r"^(?:我(?:们)?(?:现在|目前|之前|原来)?(?:是|在|给|跟)|老板是|单位(?:是|叫|名字叫|名称是)?|"
                      r"公司(?:是|叫|名字叫)|在|给|帮|就职于|受雇于|雇主是|是|叫|就是|那个|这个|一家|一个)+")
_TRAILING = re.compile(r"(?:上班|干活|打工|工作|做事|跑单|送外卖|送快递|开车|当[\u4e00-\u9fff]{1,4}|的)+$")
_FILLER = re.compile(r"[，,。.！!？?、\s]+")


def extract_employer(text: str) -> str | None:
    """The employer named in free text: '我在顺丰速运有限公司上班' -> '顺丰速运有限公司',
    '美团的骑手' -> '美团', '给万科的工地干活' -> '万科的工地'. A short answer without a known
    suffix is taken as the name itself ('老王装修'), minus fillers like 我在 ... 上班."""
    text = _clean(text)
    if not text:
        return None
    for part in _FILLER.split(text):
        part = _TRAILING.sub("", _LEADING.sub("", part))
        found = _EMPLOYER_RE.search(part)
        if found:
            name = _LEADING.sub("", found.group(1))
            if len(name) >= 2 and name not in _SUFFIXES:
                return name
    for known in KNOWN_EMPLOYERS:
        if known.lower() in text.lower():
            return known
    name = _TRAILING.sub("", _LEADING.sub("", _FILLER.sub("", text)))
    if 2 <= len(name) <= 40 and not re.fullmatch(r"[\d\s]+", name):
        return name
    return None


# --------------------------------------------------------------------------- yes / no answers
# Not answers to a yes/no question: leaving the form, or a question back.
_NOT_YES_NO_RE = re.compile(r"不办|不弄|不填|不报|不申请|不登记|算了|取消|退出|[？?]|吗|有没有|是不是|怎么|什么|为什么")
_UNKNOWN_RE = re.compile(r"不知道|不清楚|不确定|不晓得|不了解|没注意|忘了|说不好|搞不清|/unknown")
_NO_RE = re.compile(r"没有|没签|没交|没买|没上|没给|没办|没|无|不是|否|不签|不交|/deny|^不$|^不用")
_YES_RE = re.compile(r"有|签了|签过|交了|交过|买了|上了|是的|是|对|嗯|好|办了|/affirm|^签$|^交$")


def parse_yes_no(text: str) -> str | None:
    """'yes', 'no' or 'unknown' for answers like 签了 / 没签 / 不清楚 (and the /affirm, /deny
    buttons); None when the answer says none of these."""
    text = _clean(text)
    if not text or (_NOT_YES_NO_RE.search(text) and not text.startswith("/")):
        return None
    if _UNKNOWN_RE.search(text):
        return "unknown"
    if _NO_RE.search(text):
        return "no"
    if _YES_RE.search(text):
        return "yes"
    return None


# --------------------------------------------------------------------------- urgent wording
# Injuries that need an ambulance now (DESIGN: bleeding, unconscious, fell from height).
_URGENT_INJURY_RE = re.compile(
    r"(?<!没)(?<!不)(?:流血|出血|血流不止|止不住血|大出血|昏迷|昏过去|晕过去|晕倒|不省人事|没有?意识|叫不醒|没反应|"
    r"没呼吸|没气了|抽搐|从.{0,8}(?:楼|架|梯|高处|屋顶|塔吊|脚手架).{0,4}(?:摔|掉|跌|坠)|高处坠落|坠落|"
    r"(?:摔|掉|跌|坠)下来|动不了|不能动|起不来|站不起来|骨头露|断了|压在下面|被埋|触电|烧伤很重|大面积烧伤)")
_SELF_HARM_RE = re.compile(r"不想活|寻短见|活着没意思|活不下去|自杀|轻生|寻死|跳楼|跳河|喝农药|割腕|一死了之|去死|结束生命|想死")


def is_urgent_injury(text: str) -> bool:
    """Wording that means someone needs an ambulance now: still bleeding, unconscious, fell from
    height, cannot move."""
    return bool(_URGENT_INJURY_RE.search(_clean(text)))


def mentions_self_harm(text: str) -> bool:
    return bool(_SELF_HARM_RE.search(_clean(text)))


_HOLIDAY_RE = re.compile(r"过年|春节|年前|年底|年关|回家过年|中秋|国庆|端午|五一|节前|过节|元旦")


def mentions_holiday(text: str) -> bool:
    """Wages wanted before a holiday (过年, 春节, 中秋, 国庆 ...): the union treats these as urgent."""
    return bool(_HOLIDAY_RE.search(_clean(text)))


# --------------------------------------------------------------------------- consent and confirmation
_CONSENT_NO_RE = re.compile(r"^/deny|不同意|不愿意|不提交|先不|不要|不用|不行|不可以|不换|不了|不是|^不$|^否|^no$|继续刚才|接着填|"
                            r"继续填|还是先")
_CONSENT_YES_RE = re.compile(r"^/affirm|同意|愿意|可以|^好|^行|确认|提交|没问题|是的|^是$|^对|^嗯|^ok$|^yes$|换吧|先办|就这样")


def parse_consent(text: str) -> bool | None:
    """True / False for 同意 / 不同意, 确认提交 / 先不提交, 好 / 不用了 (and the /affirm, /deny
    buttons); None when the reply says neither."""
    text = _clean(text).lower().rstrip("。.!！~")
    if not text:
        return None
    if _CONSENT_NO_RE.search(text):
        return False
    if _CONSENT_YES_RE.search(text):
        return True
    return None
