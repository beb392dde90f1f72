"""FAQ import and export as CSV or XLSX (openpyxl). Columns: question, similar_questions (one per
line), answer, category, enabled. An import checks every row first and changes nothing unless all
rows are good; problems are reported by row number as staff see it in Excel (header = row 1)."""
from __future__ import annotations

from bot.faq.models import FaqEntry
from bot.faq.store import InvalidEntry, clean_fields, commit_changes, create_entry, update_entry
from config.database import Session
from unionkit.pii import mask_text
from unionkit.tabular import ImportRejected, Problem, cell as _cell, data_rows, read_rows, to_csv, to_xlsx

__all__ = ["ImportRejected", "Problem", "export_csv", "export_xlsx", "import_file", "parse"]

COLUMNS = ("question", "similar_questions", "answer", "category", "enabled")
# Header names accepted on import (staff may relabel the header row in Chinese).
ALIASES = {
    "question": "question", "标准问题": "question", "问题": "question",
    "similar_questions": "similar_questions", "similar questions": "similar_questions", "相似问法": "similar_questions",
    "相似问题": "similar_questions", "answer": "answer", "答案": "answer", "category": "category", "分类": "category",
    "enabled": "enabled", "启用": "enabled", "是否启用": "enabled",
}
MAX_ROWS = 2000


def _row(entry: FaqEntry) -> list:
    # Questions may come from what workers typed (the unanswered page): masked like every export.
    # The answer is the union's own text (an office's number in it is meant to be read).
    return [mask_text(entry.question), "\n".join(mask_text(v) for v in entry.variants or []), entry.answer,
            entry.category, "1" if entry.enabled else "0"]


def export_csv(entries: list[FaqEntry]) -> bytes:
    return to_csv(COLUMNS, (_row(e) for e in entries))


def export_xlsx(entries: list[FaqEntry]) -> bytes:
    return to_xlsx([("FAQ", COLUMNS, (_row(e) for e in entries))], widths=(36, 36, 70, 14, 8), wrap=True)


def parse(filename: str, data: bytes) -> list[tuple[int, dict]]:
    """(row number, clean fields) for every data row; raises ImportRejected listing every problem."""
    rows = read_rows(filename, data)
    if not rows:
        raise ImportRejected([Problem(0, "file", "empty")])
    header = [ALIASES.get(_cell(h).strip().lower()) for h in rows[0]]
    missing = [c for c in ("question", "answer") if c not in header]
    if missing:
        raise ImportRejected([Problem(1, c, "missing_column") for c in missing])
    problems: list[Problem] = []
    parsed: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    body = data_rows(rows, MAX_ROWS)
    for number, raw in body:
        values = {name: _cell(raw[i]) if i < len(raw) else "" for i, name in enumerate(header) if name}
        try:
            fields = clean_fields({"question": values.get("question"), "variants": values.get("similar_questions"),
                                   "answer": values.get("answer"), "category": values.get("category"),
                                   "enabled": values.get("enabled")})
        except InvalidEntry as bad:
            problems.extend(Problem(number, f, c) for f, c in bad.problems.items())
            continue
        if fields["question"] in seen:
            problems.append(Problem(number, "question", "duplicate_in_file"))
            continue
        seen[fields["question"]] = number
        parsed.append((number, fields))
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected([Problem(0, "file", "empty")])
    return parsed


def import_file(filename: str, data: bytes, actor: str) -> dict:
    """All rows or nothing: an entry with the same standard question is updated, others are
    created. Returns {"created", "updated"}."""
    rows = parse(filename, data)
    existing = {e.question: e for e in Session.query(FaqEntry).all()}
    created = updated = 0
    try:
        for _number, fields in rows:
            entry = existing.get(fields["question"])
            if entry is None:
                create_entry(fields, actor, action="import", commit=False)
                created += 1
            elif entry.snapshot() != fields:
                update_entry(entry, fields, actor, action="import", commit=False)
                updated += 1
        commit_changes()
    except Exception:
        Session.rollback()
        raise
    return {"created": created, "updated": updated, "rows": len(rows)}
