"""Reading HR export files (CSV or XLSX) into rows of text, with their row numbers.

Only reading happens here; what the rows mean is decided in ``hrimport``. Row numbers are the
ones a person sees in a spreadsheet: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_ROWS = 200_000


class HrFileError(ValueError):
    """The file as a whole cannot be used (its message is shown to the administrator)."""


@dataclass(frozen=True)
class Table:
    filename: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number, column -> trimmed text)


def normalise_header(name: str) -> str:
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def read_table(filename: str, content: bytes, required: set[str]) -> Table:
    """Read a CSV (comma, semicolon or tab; UTF-8 or Windows-1252) or the first XLSX sheet."""
    if filename.lower().endswith(".xlsx"):
        header, raw_rows = _read_xlsx(filename, content)
    elif filename.lower().endswith((".csv", ".txt")):
        header, raw_rows = _read_csv(content)
    else:
        raise HrFileError(
            _("%(file)s: use a .csv or .xlsx file.") % {"file": filename},
        )
    columns = [normalise_header(name) for name in header]
    missing = sorted(required - set(columns))
    if missing:
        raise HrFileError(
            _("%(file)s: required columns are missing: %(columns)s.")
            % {"file": filename, "columns": ", ".join(missing)}
        )
    duplicates = sorted({name for name in columns if name and columns.count(name) > 1})
    if duplicates:
        raise HrFileError(
            _("%(file)s: these columns appear more than once: %(columns)s.")
            % {"file": filename, "columns": ", ".join(duplicates)}
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(raw_rows, start=2):
        if not any(value.strip() for value in values):
            continue  # blank lines at the end of an export are not rows
        cells = {
            name: (values[i].strip() if i < len(values) else "")
            for i, name in enumerate(columns)
            if name
        }
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise HrFileError(
                _("%(file)s: more than %(limit)s rows.") % {"file": filename, "limit": MAX_ROWS}
            )
    return Table(filename=filename, columns=columns, rows=rows)


def _read_csv(content: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel on Windows
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    all_rows = list(reader)
    if not all_rows:
        raise HrFileError(_("The file is empty."))
    return all_rows[0], all_rows[1:]


def _read_xlsx(filename: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise HrFileError(
            _("%(file)s: this is not a readable .xlsx file.") % {"file": filename}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        all_rows = [
            [_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    if not all_rows:
        raise HrFileError(_("The file is empty."))
    return all_rows[0], all_rows[1:]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as a number comes back as 12.0
    return str(value)
