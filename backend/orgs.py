"""The organisation tree, kept by the back end (the system of record): import and export as CSV or
XLSX with the columns `code, name, parent_code, level, district, industries, employers` (lists
separated by `;`), all rows or none, each problem named by its Excel row (unionkit/tabular.py, as
the FAQ import); re-importing updates by code, and organisations missing from the file stay."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Optional

from sqlalchemy import select

from backend.db import db
from backend.models import ORG_LEVELS, Organisation, utcnow
from unionkit import orgtree, tabular
from unionkit.tabular import ImportRejected, Problem

COLUMNS = ("code", "name", "parent_code", "level", "district", "industries", "employers")
ALIASES = {
    "code": "code", "编码": "code", "代码": "code", "name": "name", "名称": "name", "parent_code": "parent_code",
    "上级编码": "parent_code", "上级": "parent_code", "level": "level", "层级": "level", "district": "district",
    "区县": "district", "所在区": "district", "industries": "industries", "行业": "industries",
    "employers": "employers", "覆盖单位": "employers", "单位": "employers",
}
LEVEL_WORDS = {"市总工会": "city", "市": "city", "区": "district", "区总工会": "district", "街道": "street",
               "乡镇": "street", "联合会": "federation", "基层": "grassroots", "基层工会": "grassroots"}
MAX_ROWS = 5000
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_LIST_SPLIT = re.compile(r"[;；\n]+")


@dataclass
class Org:
    code: str
    name: str
    level: str
    parent_code: Optional[str]
    district: Optional[str]
    industries: list[str] = field(default_factory=list)
    employers: list[str] = field(default_factory=list)
    demo: bool = False

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "level": self.level, "parent_code": self.parent_code,
                "district": self.district, "industries": list(self.industries), "employers": list(self.employers),
                "demo": self.demo}


def _org(row: Organisation) -> Org:
    return Org(row.code, row.name, row.level, row.parent_code, row.district, list(row.industries or []),
               list(row.employers or []), bool(row.demo))


class Tree:
    """The tree as read now: by code, children, the root (the city), subtrees, the district names."""

    def __init__(self, orgs: Iterable[Org]):
        self.by_code = {o.code: o for o in orgs}
        self.children: dict[str, list[str]] = {}
        for o in self.by_code.values():
            if o.parent_code:
                self.children.setdefault(o.parent_code, []).append(o.code)
        roots = [o for o in self.by_code.values() if not o.parent_code]
        self.root = next((o for o in roots if o.level == "city"), roots[0] if roots else None)

    def __bool__(self) -> bool:
        return bool(self.by_code)

    def subtree(self, code: str) -> set[str]:
        return orgtree.subtree(code, self.children, self.by_code)

    def parent(self, code: str | None) -> Optional[Org]:
        org = self.by_code.get(code or "")
        return self.by_code.get(org.parent_code) if org and org.parent_code else None

    def of_level(self, level: str) -> list[Org]:
        return sorted((o for o in self.by_code.values() if o.level == level), key=lambda o: o.code)

    def districts(self) -> list[str]:
        return [o.district for o in self.of_level("district") if o.district]

    def places(self) -> list[str]:
        """Place names a worker writes in front of a company name without 市 or 区 (邯郸, 丛台)."""
        names = []
        if self.root:
            city = re.sub(r"[（(][^）)]*[）)]", "", self.root.name)
            for tail in ("市总工会", "总工会", "工会", "市"):
                if city.endswith(tail):
                    city = city[: -len(tail)]
            names.append(city)
        for d in self.districts():
            names += [d, d[:-1] if d.endswith(("区", "县")) and len(d) >= 3 else d]
        return [n for n in dict.fromkeys(names) if len(n) >= 2]

    def as_json(self) -> list[dict]:
        return [o.as_json() for o in sorted(self.by_code.values(), key=_order_key(self))]


def _order_key(tree: Tree):
    def path(o: Org) -> tuple:
        parts, seen, cur = [], set(), o
        while cur is not None and cur.code not in seen:
            seen.add(cur.code)
            parts.append(cur.code)
            cur = tree.by_code.get(cur.parent_code or "")
        return tuple(reversed(parts))

    return path


def load() -> Tree:
    return Tree(_org(r) for r in db().execute(select(Organisation)).scalars())


# ============================================================================ export
def _row(o: dict) -> list:
    return [o["code"], o["name"], o["parent_code"] or "", o["level"], o["district"] or "",
            ";".join(o["industries"]), ";".join(o["employers"])]


def export(kind: str) -> bytes:
    rows = [_row(o) for o in load().as_json()]
    if kind == "xlsx":
        return tabular.to_xlsx([("组织", COLUMNS, rows)], widths=(14, 30, 14, 12, 12, 24, 60))
    return tabular.to_csv(COLUMNS, rows)


# ============================================================================ import
def _split(value: str) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in _LIST_SPLIT.split(value or "") if v.strip()))


def parse(filename: str, data: bytes) -> list[tuple[int, Org]]:
    rows = tabular.read_rows(filename, data)
    if not rows:
        raise ImportRejected([Problem(0, "file", "empty")])
    header = [ALIASES.get(tabular.cell(h).strip().lower()) for h in rows[0]]
    missing = [c for c in ("code", "name", "level") if c not in header]
    if missing:
        raise ImportRejected([Problem(1, c, "missing_column") for c in missing])
    problems: list[Problem] = []
    parsed: list[tuple[int, Org]] = []
    seen: dict[str, int] = {}
    for number, raw in tabular.data_rows(rows, MAX_ROWS):
        v = {name: tabular.cell(raw[i]).strip() if i < len(raw) else "" for i, name in enumerate(header) if name}
        bad = []
        code, name = v.get("code", ""), v.get("name", "")
        level = LEVEL_WORDS.get(v.get("level", ""), v.get("level", "").lower())
        if not code:
            bad.append(("code", "missing"))
        elif not _CODE.match(code):
            bad.append(("code", "format"))
        elif code in seen:
            bad.append(("code", "duplicate_in_file"))
        if not name:
            bad.append(("name", "missing"))
        elif len(name) > 200:
            bad.append(("name", "too_long"))
        if level not in ORG_LEVELS:
            bad.append(("level", "not_allowed"))
        parent = v.get("parent_code") or None
        if parent and parent == code:
            bad.append(("parent_code", "cycle"))
        if len(v.get("district", "")) > 64:
            bad.append(("district", "too_long"))
        if bad:
            problems.extend(Problem(number, f, c) for f, c in bad)
            continue
        seen[code] = number
        parsed.append((number, Org(code, name, level, parent, v.get("district") or None,
                                   _split(v.get("industries", "")), _split(v.get("employers", "")))))
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected([Problem(0, "file", "empty")])
    return parsed


def _check_tree(rows: list[tuple[int, Org]], existing: dict[str, Org]) -> None:
    """Parents exist (in the file or already), no cycles, one city at the root."""
    merged = dict(existing)
    merged.update({o.code: o for _n, o in rows})
    problems = []
    for number, o in rows:
        if o.parent_code and o.parent_code not in merged:
            problems.append(Problem(number, "parent_code", "unknown_parent"))
        elif not o.parent_code and o.level != "city":
            problems.append(Problem(number, "parent_code", "missing"))
    if not problems:
        for number, o in rows:
            seen, cur = set(), o
            while cur is not None and cur.parent_code:
                if cur.code in seen:
                    problems.append(Problem(number, "parent_code", "cycle"))
                    break
                seen.add(cur.code)
                cur = merged.get(cur.parent_code)
    roots = [o for o in merged.values() if not o.parent_code]
    if not problems and len(roots) != 1:
        problems.append(Problem(0, "level", "one_city_root"))
    if problems:
        raise ImportRejected(problems)


def import_file(filename: str, data: bytes, demo: bool = False) -> dict:
    rows = parse(filename, data)
    session = db()
    existing_rows = {r.code: r for r in session.execute(select(Organisation)).scalars()}
    _check_tree(rows, {c: _org(r) for c, r in existing_rows.items()})
    created = updated = 0
    try:
        for _number, o in rows:
            row = existing_rows.get(o.code)
            values = dict(name=o.name, level=o.level, parent_code=o.parent_code, district=o.district,
                          industries=o.industries, employers=o.employers, demo=demo)
            if row is None:
                session.add(Organisation(code=o.code, updated_at=utcnow(), **values))
                created += 1
            elif any(getattr(row, k) != val for k, val in values.items()):
                for k, val in values.items():
                    setattr(row, k, val)
                row.updated_at = utcnow()
                updated += 1
        session.commit()
    except Exception:
        session.rollback()
        raise
    return {"created": created, "updated": updated, "rows": len(rows)}
