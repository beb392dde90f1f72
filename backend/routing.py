"""Which union works a request (issue 13), decided when it is filed:

1. `employer`: the grassroots union whose employers match the worker's employer
   (unionkit/employers.py: 顺达物流 matches 邯郸市顺达物流有限公司);
2. `industry`: for new forms of employment (外卖, 快递, 网约车, 货车, 家政 ...), the industry
   federation of the worker's district, else the city's;
3. `district`: the street union the worker names, else the district union of the worker's district;
4. `city`: the root of the tree.

The district is the one the worker answered (the record's `district`), else one named in what they
wrote (我在丛台区). When rules 2–3 would need it and it is not known, the answer says so
(`needs_district`) with the districts to offer as buttons; the record goes to the city meanwhile
and is routed again when the worker answers (POST /v1/records/<number>/route).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from backend.orgs import Org, Tree
from unionkit import employers

# New forms of employment (新就业形态): the words that tell each, and the industry name federations list.
NEW_FORMS = {
    "外卖": ("外卖", "骑手", "美团", "饿了么", "送餐", "闪送"),
    "快递": ("快递", "快递员", "顺丰", "中通", "圆通", "申通", "韵达", "极兔", "京东物流", "菜鸟", "邮政速递", "派件"),
    "网约车": ("网约车", "滴滴", "代驾", "专车", "快车司机", "出租车", "曹操出行", "高德打车"),
    "货车": ("货车", "货运", "卡车", "大车司机", "货拉拉", "满帮", "运满满", "物流司机"),
    "家政": ("家政", "保洁", "保姆", "月嫂", "育儿嫂", "护工", "钟点工"),
}


@dataclass
class Route:
    org: Optional[str]
    rule: str                     # employer | industry | district | city | none (no tree)
    district: Optional[str] = None
    needs_district: bool = False
    industry: Optional[str] = None
    matched_employer: Optional[str] = None
    score: Optional[float] = None

    def as_json(self, tree: Tree) -> dict:
        org = tree.by_code.get(self.org or "")
        return {"org": self.org, "org_name": org.name if org else None, "rule": self.rule,
                "district": self.district, "needs_district": self.needs_district, "industry": self.industry,
                "matched_employer": self.matched_employer, "score": self.score,
                "districts": tree.districts() if self.needs_district else []}


def new_form(*texts: str | None) -> Optional[str]:
    """The new form of employment the words tell, if any (外卖, 快递 ...)."""
    joined = " ".join(t for t in texts if t)
    for industry, words in NEW_FORMS.items():
        if industry in joined or any(w in joined for w in words):
            return industry
    return None


def district_in(tree: Tree, *texts: str | None) -> Optional[str]:
    """A district of the tree the worker named (丛台区, or 丛台 without the 区)."""
    joined = " ".join(t for t in texts if t)
    if not joined:
        return None
    for name in sorted(tree.districts(), key=len, reverse=True):
        short = name[:-1] if name.endswith(("区", "县", "市")) and len(name) >= 3 else name
        if name in joined or (len(short) >= 2 and short in joined):
            return name
    return None


def normalize_district(tree: Tree, value: str | None) -> Optional[str]:
    """A district as answered (a button's title, 丛台, 丛台区) to the tree's name, or None."""
    if not value:
        return None
    value = value.strip()
    for name in tree.districts():
        if value == name or (name.startswith(value) and len(value) >= 2):
            return name
    return district_in(tree, value)


def _grassroots(tree: Tree) -> Iterable[tuple[str, str]]:
    for org in tree.of_level("grassroots"):
        for employer in org.employers:
            yield org.code, employer


def _federation(tree: Tree, industry: str, district: Optional[str]) -> tuple[Optional[Org], bool]:
    """The federation for `industry` in `district`, else the city's; and whether a district-level
    one exists at all (then the district matters)."""
    serving = [o for o in tree.of_level("federation") if industry in o.industries]
    local = [o for o in serving if o.district]
    if district:
        here = next((o for o in local if o.district == district), None)
        if here:
            return here, bool(local)
    citywide = next((o for o in serving if not o.district), None)
    return citywide, bool(local)


def route(tree: Tree, employer: str | None = None, industry: str | None = None, district: str | None = None,
          words: Iterable[str | None] = ()) -> Route:
    words = [w for w in words if w]
    if not tree:
        return Route(None, "none")
    root = tree.root.code if tree.root else None
    district = normalize_district(tree, district) or district_in(tree, *words, employer)
    if employer:
        match = employers.best_match(employer, _grassroots(tree), tree.places())
        if match:
            code, listed, score = match
            return Route(code, "employer", district=district or tree.by_code[code].district,
                         matched_employer=listed, score=score)
    form = new_form(industry, employer, *words)
    if form:
        fed, district_matters = _federation(tree, form, district)
        if fed and (fed.district or district or not district_matters):
            return Route(fed.code, "industry", district=district, industry=form)
        if district_matters and not district:
            return Route(fed.code if fed else root, "industry" if fed else "city", industry=form,
                         needs_district=True)
    if district:
        streets = [o for o in tree.of_level("street") if o.district == district]
        named = next((o for o in streets if any(o.name in w or _short(o.name) in w for w in words)), None)
        if named:
            return Route(named.code, "district", district=district, industry=form)
        office = next((o for o in tree.of_level("district") if o.district == district), None)
        if office:
            return Route(office.code, "district", district=district, industry=form)
    return Route(root, "city", district=district, industry=form, needs_district=not district and bool(tree.districts()))


def _short(name: str) -> str:
    """中华街道工会 -> 中华街道 (what a worker would write)."""
    name = re.sub(r"[（(][^）)]*[）)]", "", name)
    for tail in ("总工会", "工会联合会", "工会"):
        if name.endswith(tail) and len(name) - len(tail) >= 2:
            return name[: -len(tail)]
    return name


# ============================================================================ what a record tells
def facts(kind: str, record: Any) -> dict:
    """Employer, industry and the worker's words of a record, for route()."""
    details = getattr(record, "details", None) or {}
    words = []
    if isinstance(details, dict):
        words += [str(w) for w in details.get("worker_words") or [] if w][:20]
        words += [str(v) for k, v in details.items() if isinstance(v, str) and k not in ("employer",)]
    employer = {"membership": getattr(record, "employer", None), "founding": getattr(record, "company", None)}.get(
        kind) or (details.get("employer") if isinstance(details, dict) else None)
    industry = getattr(record, "industry", None) if kind == "membership" else (
        details.get("industry") if isinstance(details, dict) else None)
    for attr in ("summary", "text"):
        if getattr(record, attr, None):
            words.append(str(getattr(record, attr)))
    return {"employer": employer, "industry": industry, "words": words}
