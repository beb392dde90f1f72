"""Company names as workers write them, matched to the employers the union tree lists.

A worker writes 顺达物流, 邯郸顺达物流公司 or 顺达物流有限责任公司 for 邯郸市顺达物流有限公司. Both sides
are reduced to a *core*: full-width forms folded (NFKC), spaces, punctuation and bracketed parts
(（邯郸）) dropped, leading place names (河北省, 邯郸市, 丛台区, 某某县 ...) and trailing legal forms
(股份有限公司, 有限责任公司, 集团, 分公司, 公司 ...) stripped. Two cores then score:

- 1.0 when equal;
- 0.80–1.0 when one contains the other, by how much of the longer it covers, unless the shorter
  is a bare trade word (物流, 建筑, 科技: it names no one);
- otherwise difflib's ratio (顺达物留 ~ 顺达物流 is 0.75: below the threshold, as 宏达物流 ~ 顺达物流 is too).

A match needs `THRESHOLD`; the best one wins, and a tie between two different employers is no match
(the worker is asked nothing about it: routing falls back to the district). The README gives the
figures on tests/data/employer_variants.yml.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Iterable, Optional

THRESHOLD = 0.8
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_NOISE = re.compile(r"[\s\u3000·•.,，。、;；:：'\"“”‘’!！?？\-—_/\\|]+")
# A place name in front: a province, a city, a district or county, a town (two to six characters
# and the word for the unit), as many as there are.
_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,6}?(?:省|自治区|特别行政区|市|地区|盟|自治州|州|区|县|旗|镇|乡|街道)")
_PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
              "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
              "内蒙古", "广西", "西藏", "宁夏", "新疆")
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "集团公司", "分公司",
                "总公司", "集团", "公司", "有限", "股份", "项目部", "项目", "工地", "厂")
# Words that on their own name a trade, not an employer.
TRADE_WORDS = frozenset("""物流 快递 速运 科技 建筑 建设 工程 劳务 实业 贸易 商贸 餐饮 外卖 网约车 出行 运输 货运
家政 服务 保洁 制造 电子 机械 纺织 服装 食品 钢铁 化工 医药 房地产 置业 物业 酒店 超市 商场 工地 工厂 公司 老板 项目""".split())


def core(name: str | None, places: Iterable[str] = ()) -> str:
    """The distinctive part of a company name (empty when nothing is left). `places`: place names
    known to the caller (the tree's city and districts) that a worker writes without 市 or 区."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = _BRACKETS.sub("", text)
    text = _NOISE.sub("", text)
    for _ in range(4):  # 河北省邯郸市丛台区...
        stripped = _strip_place(text)
        for place in places:
            if place and stripped.startswith(place) and len(stripped) - len(place) >= 2:
                stripped = stripped[len(place):]
        if stripped == text:
            break
        text = stripped
    changed = True
    while changed:
        changed = False
        for form in _LEGAL_FORMS:
            if text.endswith(form) and len(text) - len(form) >= 2:
                text = text[: -len(form)]
                changed = True
    return text


def _strip_place(text: str) -> str:
    for province in _PROVINCES:
        if text.startswith(province) and len(text) - len(province) >= 2:
            rest = text[len(province):]
            return rest[1:] if rest.startswith("省") else rest
    match = _PLACE.match(text)
    if match and len(text) - match.end() >= 2:
        return text[match.end():]
    return text


def score(a: str, b: str) -> float:
    """How alike two cores are, 0..1."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = sorted((a, b), key=len)
    if short in long_:
        if len(short) < 2 or short in TRADE_WORDS:
            return 0.0
        return 0.8 + 0.2 * len(short) / len(long_)
    return difflib.SequenceMatcher(None, a, b).ratio()


def best_match(name: str | None, candidates: Iterable[tuple[str, str]],
               places: Iterable[str] = ()) -> Optional[tuple[str, str, float]]:
    """(key, listed name, score) of the best candidate among (key, listed employer name) pairs,
    or None when none reaches THRESHOLD or two different keys tie at the top."""
    places = tuple(places)
    wanted = core(name, places)
    if len(wanted) < 2 or wanted in TRADE_WORDS:
        return None
    best: list[tuple[float, str, str]] = []
    for key, listed in candidates:
        s = score(wanted, core(listed, places))
        if s >= THRESHOLD:
            best.append((s, key, listed))
    if not best:
        return None
    best.sort(key=lambda t: -t[0])
    top = best[0]
    if any(s == top[0] and k != top[1] for s, k, _ in best[1:]):
        return None  # two employers fit equally well: not ours to guess
    return top[1], top[2], round(top[0], 3)


def same_employer(a: str | None, b: str | None) -> bool:
    """Whether two names a worker wrote are the same employer (the early warning's clusters)."""
    return score(core(a), core(b)) >= THRESHOLD


def key(name: str | None) -> str:
    """A stable key for one employer as written (its core)."""
    return core(name)[:200]
