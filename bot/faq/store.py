"""Changing FAQ entries: every change is validated, kept as a version, and announced to every
gateway worker by bumping the FAQ version counter in Redis (bot/faq/live_index.py)."""
from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, conlist, validator

from bot.faq.live_index import bump_version
from bot.faq.models import FaqEntry, FaqVersion
from bot.models import utcnow
from config.database import Session
from unionkit.validation import Invalid, ProblemCode, text, validate

MAX_QUESTION = 200
MAX_VARIANTS = 50
# A WeChat reply is at most 600 Chinese characters (DESIGN); the answer leaves room to spare.
MAX_ANSWER = 500
MAX_CATEGORY = 40
TRUE_WORDS = {"1", "true", "yes", "y", "on", "是", "启用", "开"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "否", "停用", "禁用", "关"}


class InvalidEntry(Invalid):
    """Field problems as {field: code}; codes are explained to staff by the templates."""


def split_variants(value: Any) -> Any:
    """Text with one phrasing per line, or a list: stripped, empty and repeated ones dropped.
    Anything else is left for the model to refuse."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(dict.fromkeys(v.strip() for v in value if v.strip()))
    return value


def parse_enabled(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


class EntryFields(BaseModel):
    """An entry as staff send it (form, JSON body or import row)."""

    question: text(MAX_QUESTION)
    variants: conlist(text(MAX_QUESTION), max_items=MAX_VARIANTS) = []
    answer: text(MAX_ANSWER)
    category: Optional[text(MAX_CATEGORY, required=False)] = ""
    enabled: bool = True

    @validator("variants", pre=True)
    def _split(cls, value):
        if not isinstance(value, (str, list, tuple, type(None))):
            raise ProblemCode(code="not_text")
        return split_variants(value)

    @validator("category", pre=True)
    def _no_category(cls, value):
        return "" if value is None else value

    @validator("enabled", pre=True)
    def _yes_no(cls, value):
        enabled = parse_enabled(value)
        if enabled is None:
            raise ProblemCode(code="not_yes_no")
        return enabled


def clean_fields(data: dict, partial: bool = False) -> dict:
    """Checks and normalises entry fields from a form, JSON body or import row. With `partial`,
    only the fields present are checked (PUT may send a few). Raises InvalidEntry."""
    try:
        out = validate(EntryFields, data, partial=partial)
    except Invalid as exc:
        raise InvalidEntry(exc.problems) from None
    if "variants" in out:  # the standard question is not also a similar one
        out["variants"] = [v for v in out["variants"] if v != out.get("question")]
    return out


def _keep_version(entry: FaqEntry, action: str, actor: str) -> FaqVersion:
    last = (Session.query(FaqVersion.number).filter_by(entry_id=entry.id)
            .order_by(FaqVersion.number.desc()).limit(1).scalar()) or 0
    version = FaqVersion(entry_id=entry.id, number=last + 1, action=action, snapshot=entry.snapshot(),
                         changed_by=actor, changed_at=utcnow())
    Session.add(version)
    return version


def _apply(entry: FaqEntry, fields: dict, actor: str) -> None:
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.updated_by = actor
    entry.updated_at = utcnow()


def create_entry(fields: dict, actor: str, action: str = "create", commit: bool = True) -> FaqEntry:
    fields = clean_fields(fields)
    entry = FaqEntry()
    _apply(entry, fields, actor)
    Session.add(entry)
    Session.flush()
    _keep_version(entry, action, actor)
    if commit:
        commit_changes()
    return entry


def update_entry(entry: FaqEntry, fields: dict, actor: str, partial: bool = False, action: str | None = None,
                 commit: bool = True) -> FaqEntry:
    fields = clean_fields(fields, partial=partial)
    if action is None:
        only_enabled = set(fields) == {"enabled"}
        action = ("enable" if fields["enabled"] else "disable") if only_enabled else "update"
    _apply(entry, fields, actor)
    _keep_version(entry, action, actor)
    if commit:
        commit_changes()
    return entry


def delete_entry(entry: FaqEntry, actor: str) -> None:
    """Removes the entry; its versions stay, so it can be restored from its history."""
    _keep_version(entry, "delete", actor)
    Session.delete(entry)
    commit_changes()


def restore_version(version: FaqVersion, actor: str) -> FaqEntry:
    """Makes the entry look as it did in `version` (recreating it, same id, if it was deleted)."""
    entry = Session.get(FaqEntry, version.entry_id)
    if entry is None:
        entry = FaqEntry(id=version.entry_id)
        Session.add(entry)
    _apply(entry, clean_fields(dict(version.snapshot)), actor)
    Session.flush()
    _keep_version(entry, "restore", actor)
    commit_changes()
    return entry


def history(entry_id: int) -> list[FaqVersion]:
    return Session.query(FaqVersion).filter_by(entry_id=entry_id).order_by(FaqVersion.number.desc()).all()


def get_entry(entry_id: int) -> FaqEntry | None:
    return Session.get(FaqEntry, entry_id)


def list_entries(search: str = "", category: str = "", enabled: bool | None = None) -> list[FaqEntry]:
    query = Session.query(FaqEntry)
    if category:
        query = query.filter(FaqEntry.category == category)
    if enabled is not None:
        query = query.filter(FaqEntry.enabled.is_(enabled))
    entries = query.order_by(FaqEntry.category, FaqEntry.id).all()
    needle = search.strip().lower()
    if needle:
        # Phrasings are JSON; a Python filter keeps it the same on SQLite and PostgreSQL.
        entries = [e for e in entries if needle in " ".join([e.question, e.answer, *(e.variants or [])]).lower()]
    return entries


def categories() -> list[str]:
    return [c for (c,) in Session.query(FaqEntry.category).distinct().order_by(FaqEntry.category) if c]


def commit_changes() -> None:
    Session.commit()
    bump_version()
