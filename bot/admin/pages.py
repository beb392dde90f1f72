"""The staff pages under /admin: FAQ list (search, category filter, "try it"), create, edit,
disable, delete, history and restore, import/export, unanswered questions, statistics.
Forms post with the page's CSRF token (checked centrally in bot/app.py)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot.accounts.service import audit
from bot.accounts.views import _safe_next as safe_next, page_role_required
from bot.admin import bp, stats
from bot.admin.api import uploaded_file
from bot.faq import store, transfer, unanswered
from bot.faq.live_index import current_index
from bot.faq.models import FaqEntry, FaqVersion
from unionkit.faq.retrieval import ANSWER_AT, SUGGEST_AT
from bot.faq.store import InvalidEntry
from config.database import Session
from unionkit.strict_json import MAX_INT


def _ids(values: list[str]) -> list[int]:
    """Record ids from a form or query; anything else (or past 64 bits: no such record) is left out."""
    return [int(v) for v in map(str, values) if v.isascii() and v.isdigit() and len(v) <= 19 and int(v) <= MAX_INT]


def _entry(entry_id: int) -> FaqEntry:
    entry = store.get_entry(entry_id)
    if entry is None:
        abort(404)
    return entry


def _deleted_entries() -> list[FaqVersion]:
    """The last version of every entry that no longer exists (so it can be restored)."""
    live = {i for (i,) in Session.query(FaqEntry.id)}
    latest: dict[int, FaqVersion] = {}
    for v in Session.query(FaqVersion).filter(FaqVersion.action == "delete").order_by(FaqVersion.id):
        if v.entry_id not in live:
            latest[v.entry_id] = v
    return sorted(latest.values(), key=lambda v: v.changed_at, reverse=True)[:20]


@bp.get("/admin")
@page_role_required("staff")
def index():
    q = request.args.get("q", "").strip()
    category = request.args.get("category", "")
    status = request.args.get("status", "")
    enabled = {"on": True, "off": False}.get(status)
    tried = request.args.get("try", "").strip()[:500]
    decision = current_index().decide(tried) if tried else None
    matches = current_index().search(tried) if tried else []
    return render_template("admin/index.html", entries=store.list_entries(q, category, enabled), q=q,
                           category=category, status=status, categories=store.categories(), tried=tried,
                           decision=decision, matches=matches, answer_at=ANSWER_AT, suggest_at=SUGGEST_AT,
                           deleted=_deleted_entries())


def _save(change, notice: str, action: str):
    """Runs `change` (returns the entry). Saved: audit, notice, and back to the list showing the
    entry. Bad fields: (None, {field: problem}) to show on the form again."""
    try:
        entry = change()
    except InvalidEntry as exc:
        Session.rollback()
        return None, exc.problems
    audit(current_user.name, action, f"faq:{entry.id}")
    flash(notice)
    return redirect(url_for("admin.index", q=entry.question)), {}


def _form_fields() -> dict:
    return {"question": request.form.get("question", ""), "variants": request.form.get("variants", ""),
            "answer": request.form.get("answer", ""), "category": request.form.get("category", ""),
            "enabled": "enabled" in request.form}


@bp.route("/admin/faqs/new", methods=["GET", "POST"])
@page_role_required("staff")
def create():
    problems: dict = {}
    if request.method == "POST":
        fields = _form_fields()
        from_ids = _ids(request.form.getlist("unanswered_ids"))

        def change() -> FaqEntry:
            entry = store.create_entry(fields, current_user.name, commit=False)
            unanswered.resolve(from_ids, entry)  # the group it was made from is handled
            store.commit_changes()
            return entry

        done, problems = _save(change, "created", "faq_create")
        if done:
            return done
    else:
        # "New entry from group" on the unanswered page: the group's questions pre-filled.
        from_ids = _ids(request.args.get("from_unanswered", "").split(","))
        texts = unanswered.texts_of(from_ids) if from_ids else []
        fields = {"question": texts[0] if texts else "", "variants": "\n".join(texts[1:]), "answer": "",
                  "category": "", "enabled": True}
    return render_template("admin/edit.html", entry=None, fields=fields, problems=problems,
                           categories=store.categories(), unanswered_ids=from_ids)


@bp.route("/admin/faqs/<int:entry_id>/edit", methods=["GET", "POST"])
@page_role_required("staff")
def edit(entry_id: int):
    entry = _entry(entry_id)
    problems: dict = {}
    if request.method == "POST":
        fields = _form_fields()
        done, problems = _save(lambda: store.update_entry(entry, fields, current_user.name), "saved", "faq_update")
        if done:
            return done
    else:
        fields = dict(entry.snapshot(), variants="\n".join(entry.variants or []))
    return render_template("admin/edit.html", entry=entry, fields=fields, problems=problems,
                           categories=store.categories(), unanswered_ids=[])


@bp.post("/admin/faqs/<int:entry_id>/toggle")
@page_role_required("staff")
def toggle(entry_id: int):
    entry = _entry(entry_id)
    store.update_entry(entry, {"enabled": not entry.enabled}, current_user.name, partial=True)
    audit(current_user.name, "faq_enable" if entry.enabled else "faq_disable", f"faq:{entry.id}")
    flash("enabled" if entry.enabled else "disabled")
    return redirect(safe_next(request.form.get("next")) or url_for("admin.index"))


@bp.post("/admin/faqs/<int:entry_id>/delete")
@page_role_required("staff")
def delete(entry_id: int):
    store.delete_entry(_entry(entry_id), current_user.name)
    audit(current_user.name, "faq_delete", f"faq:{entry_id}")
    flash("deleted")
    return redirect(url_for("admin.index"))


@bp.get("/admin/faqs/<int:entry_id>/history")
@page_role_required("staff")
def history(entry_id: int):
    versions = store.history(entry_id)
    if not versions:
        abort(404)
    return render_template("admin/history.html", entry_id=entry_id, entry=store.get_entry(entry_id),
                           versions=versions)


@bp.post("/admin/faqs/<int:entry_id>/versions/<int:version_id>/restore")
@page_role_required("staff")
def restore(entry_id: int, version_id: int):
    version = Session.get(FaqVersion, version_id)
    if version is None or version.entry_id != entry_id:
        abort(404)
    store.restore_version(version, current_user.name)
    audit(current_user.name, "faq_restore", f"faq:{entry_id}", {"version": version.number})
    flash("restored")
    return redirect(url_for("admin.history", entry_id=entry_id))


@bp.route("/admin/transfer", methods=["GET", "POST"])
@page_role_required("staff")
def transfer_page():
    problems, result = [], None
    if request.method == "POST":
        filename, data = uploaded_file()
        if not data:
            problems = [transfer.Problem(0, "file", "empty")]
        else:
            try:
                result = transfer.import_file(filename, data, current_user.name)
                audit(current_user.name, "faq_import", filename or "upload", result)
            except transfer.ImportRejected as exc:
                problems = exc.problems
    return render_template("admin/transfer.html", problems=problems, result=result, columns=transfer.COLUMNS)


@bp.get("/admin/unanswered")
@page_role_required("staff")
def unanswered_page():
    groups = unanswered.open_groups()
    index = current_index()
    # For each group, the entry it most resembles: the default target of "add as phrasings".
    suggestions = [(index.search(g.sample, limit=1) or [None])[0] for g in groups]
    entries = store.list_entries()
    return render_template("admin/unanswered.html", groups=list(zip(groups, suggestions)), entries=entries)


@bp.post("/admin/unanswered/phrasings")
@page_role_required("staff")
def add_phrasings():
    ids = _ids(request.form.getlist("ids"))
    entry_ids = _ids([request.form.get("entry_id", "")])
    if not entry_ids:
        abort(400, description="entry_id must be the id of an FAQ entry")
    entry = _entry(entry_ids[0])
    texts = [t for t in unanswered.texts_of(ids) if t != entry.question and t not in (entry.variants or [])]
    try:
        store.update_entry(entry, {"variants": list(entry.variants or []) + texts}, current_user.name,
                           partial=True, commit=False)
        unanswered.resolve(ids, entry)
        store.commit_changes()
    except InvalidEntry:
        Session.rollback()
        flash("too_many_phrasings")
        return redirect(url_for("admin.unanswered_page"))
    audit(current_user.name, "faq_add_phrasings", f"faq:{entry.id}", {"count": len(texts)})
    flash("phrasings_added")
    return redirect(url_for("admin.unanswered_page"))


@bp.get("/admin/stats")
@page_role_required("staff")
def stats_page():
    try:
        first, last = stats.date_range(request.args.get("from"), request.args.get("to"))
    except stats.BadRange as exc:
        abort(400, description=str(exc))
    figures = stats.for_user(current_user, current_app.extensions["union_backend"], first, last)
    return render_template("admin/stats.html", figures=figures)
