"""Spreadsheets staff exchange with the service, as CSV (UTF-8 with BOM; GBK read too, as Excel on
Chinese Windows saves it) or XLSX (openpyxl). Shared by the FAQ import (bot/faq/transfer.py) and the
organisation tree (backend/orgs.py): both read every row first and change nothing unless all rows
are good, naming each problem by the row number staff see in Excel (header = row 1)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterable, Sequence

XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Problem:
    row: int  # 0: the file as a whole
    field: str
    code: str

    def as_json(self) -> dict:
        return {"row": self.row, "field": self.field, "code": self.code}


class ImportRejected(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def read_rows(filename: str, data: bytes) -> list[list]:
    """The rows of the first sheet (XLSX) or of the CSV file; ImportRejected when unreadable."""
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
            raise ImportRejected([Problem(0, "file", "unreadable")]) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected([Problem(0, "file", "unreadable")])
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ImportRejected([Problem(0, "file", "unreadable")]) from exc


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def data_rows(rows: list[list], max_rows: int) -> list[tuple[int, list]]:
    """(Excel row number, cells) of the non-empty rows after the header."""
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(cell(v).strip() for v in r)]
    if len(body) > max_rows:
        raise ImportRejected([Problem(0, "file", "too_many_rows")])
    return body


def to_csv(columns: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read it as UTF-8


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]],
            widths: Sequence[int] | None = None, wrap: bool = False) -> bytes:
    """One sheet per (title, columns, rows); the header bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    first = True
    for title, columns, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = title[:31]
        sheet.append(list(columns))
        for row in rows:
            sheet.append(list(row))
        for c in sheet[1]:
            c.font = Font(bold=True)
        for i, width in enumerate(widths or (), start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        if wrap:
            for row in sheet.iter_rows(min_row=2):
                for c in row:
                    c.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
