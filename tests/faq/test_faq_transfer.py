"""FAQ import and export (CSV and XLSX): a round trip keeps every field; a file with bad rows
changes nothing and names the rows."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from bot.faq import store, transfer
from bot.faq.models import FaqEntry, FaqVersion
from config.database import Session


@pytest.fixture()
def app(make_app, database_url):
    return make_app(database_url=database_url)


def state() -> list[tuple]:
    return sorted((e.id, e.question, tuple(e.variants), e.answer, e.category, e.enabled)
                  for e in Session.query(FaqEntry).all())


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_export_then_import_changes_nothing(app):
    with app.app_context():
        before = state()
        for render, name in ((transfer.export_csv, "faq.csv"), (transfer.export_xlsx, "faq.xlsx")):
            result = transfer.import_file(name, render(store.list_entries()), "li")
            assert result == {"created": 0, "updated": 0, "rows": len(before)}
        assert state() == before


def test_exported_xlsx_has_the_columns_and_one_phrasing_per_line(app):
    with app.app_context():
        sheet = load_workbook(io.BytesIO(transfer.export_xlsx(store.list_entries()))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("question", "similar_questions", "answer", "category", "enabled")
        entry = store.list_entries()[0]
        row = next(r for r in rows if r[0] == entry.question)
        assert row[1].split("\n") == entry.variants and row[4] == "1"
        text = transfer.export_csv(store.list_entries()).decode("utf-8-sig")
        parsed = list(csv.reader(io.StringIO(text)))
        assert parsed[0] == list(transfer.COLUMNS) and len(parsed) == len(rows)


def test_import_creates_and_updates(app):
    with app.app_context():
        existing = store.list_entries()[0]
        data = xlsx([["标准问题", "相似问法", "答案", "分类", "启用"],
                     [existing.question, "新问法一\n新问法二", "新的答案。有问题拨打 12351。", "会费会籍", "是"],
                     ["工会食堂几点开饭", "", "11:30 开饭，凭会员卡打九折。", "生活", 0]])
        assert transfer.import_file("faq.xlsx", data, "li") == {"created": 1, "updated": 1, "rows": 2}
        assert existing.variants == ["新问法一", "新问法二"] and existing.answer.startswith("新的答案")
        created = Session.query(FaqEntry).filter_by(question="工会食堂几点开饭").one()
        assert created.enabled is False and created.updated_by == "li"
        assert Session.query(FaqVersion).filter_by(entry_id=created.id, action="import").count() == 1


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_with_bad_rows_changes_nothing_and_names_the_rows(app, kind):
    rows = [["question", "similar_questions", "answer", "category", "enabled"],
            ["工会食堂几点开饭", "饭堂几点开", "11:30 开饭。", "生活", "1"],     # row 2: fine
            ["", "", "没有问题的答案", "", "1"],                               # row 3: no question
            ["职工书屋周末开吗", "", "答" * 501, "", "1"],                      # row 4: answer too long
            ["工会食堂几点开饭", "", "重复", "", "1"],                           # row 5: same as row 2
            ["驿站能洗澡吗", "", "部分驿站可以。", "", "maybe"]]                 # row 6: enabled?
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        data, name = out.getvalue().encode("gb18030"), "faq.csv"  # as Excel on Chinese Windows saves it
    else:
        data, name = xlsx(rows), "faq.xlsx"
    with app.app_context():
        before = state()
        versions = Session.query(FaqVersion).count()
        with pytest.raises(transfer.ImportRejected) as rejected:
            transfer.import_file(name, data, "li")
        assert [(p.row, p.field, p.code) for p in rejected.value.problems] == [
            (3, "question", "required"), (4, "answer", "too_long"), (5, "question", "duplicate_in_file"),
            (6, "enabled", "not_yes_no")]
        assert state() == before and Session.query(FaqVersion).count() == versions


def test_unreadable_and_headerless_files_are_refused(app):
    with app.app_context():
        with pytest.raises(transfer.ImportRejected) as broken:
            transfer.import_file("faq.xlsx", b"PK\x03\x04 not really a workbook", "li")
        assert broken.value.problems[0].code == "unreadable"
        with pytest.raises(transfer.ImportRejected) as headless:
            transfer.import_file("faq.csv", "会费多少,0.5%\n".encode(), "li")
        assert {p.code for p in headless.value.problems} == {"missing_column"}
