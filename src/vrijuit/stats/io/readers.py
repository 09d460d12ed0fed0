"""Reading CSV, XLSX and SPSS .sav exports into a raw table, with the user's row numbers.

Each reader returns a :class:`RawTable`: the columns as the file has them (numbers where the
file holds numbers, text elsewhere), the row number the user sees for each row (1-based,
counting the header rows; for .sav the SPSS case number), and SPSS value labels. Reading never
guesses an encoding: UTF-8 (with or without byte-order mark) or UTF-16 with a byte-order mark
are read as such, anything else must be named with ``encoding=`` — a wrong guess would corrupt
names without anyone noticing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.stats.io.problems import Notice, ResponseFileError

__all__ = ["CSV_SUFFIXES", "SAV_SUFFIXES", "XLSX_SUFFIXES", "RawTable", "read_raw"]

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
SAV_SUFFIXES = (".sav", ".zsav")
_DELIMITERS = (",", ";", "\t")
_HEAD_BYTES = 1 << 16
_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"')
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


@dataclass(frozen=True, eq=False)
class RawTable:
    """A file's rows before mapping: columns as in the file, with the user's row numbers."""

    frame: pd.DataFrame
    rows: npt.NDArray[np.int64]
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()


TextColumns = Callable[[Sequence[str]], set[str]]
"""Given the header, the columns to read as text (ids, teams): keeps ``007`` as ``007``."""


def read_raw(
    path: Path,
    *,
    text_columns: TextColumns,
    extra_header_rows: int | str,
    sheet: str | None,
    encoding: str | None,
    lang: str,
) -> RawTable:
    """Read ``path`` by its suffix; file-level problems raise :class:`ResponseFileError`."""
    name = str(path)
    if not path.is_file():
        raise ResponseFileError("io.file.not_found", file=name, lang=lang)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        table = _read_csv(path, text_columns, extra_header_rows, encoding, lang)
    elif suffix in XLSX_SUFFIXES:
        table = _read_xlsx(path, text_columns, extra_header_rows, sheet, lang)
    elif suffix in SAV_SUFFIXES:
        table = _read_sav(path, lang)
    else:
        raise ResponseFileError(
            "io.file.unsupported_type",
            file=name,
            value=suffix or "-",
            params={"types": ", ".join((*CSV_SUFFIXES, *XLSX_SUFFIXES, *SAV_SUFFIXES))},
            lang=lang,
        )
    return _drop_empty_rows(table, name, lang)


def _check_header(header: Sequence[str], name: str, lang: str) -> None:
    seen: dict[str, int] = {}
    for position, column in enumerate(header, start=1):
        if column in seen:
            raise ResponseFileError(
                "io.file.duplicate_column",
                file=name,
                row=1,
                column=column,
                params={"first": seen[column], "second": position},
                lang=lang,
            )
        seen[column] = position


def _drop_empty_rows(table: RawTable, name: str, lang: str) -> RawTable:
    """Blank lines are not respondents; they are skipped and reported, never silently."""
    frame = table.frame
    if frame.shape[1] == 0 or len(frame) == 0:
        raise ResponseFileError("io.file.header_only", file=name, lang=lang)
    # Only rows whose first cell is empty can be empty rows: check those rows only.
    empty = np.array(frame.iloc[:, 0].isna().to_numpy(), dtype=bool)
    candidates = np.flatnonzero(empty)
    if len(candidates):
        empty[candidates] = frame.iloc[candidates].isna().to_numpy().all(axis=1)
    if not empty.any():
        return table
    if empty.all():
        raise ResponseFileError("io.file.header_only", file=name, lang=lang)
    skipped = table.rows[empty]
    listed = ", ".join(str(r) for r in skipped[:20]) + (" …" if len(skipped) > 20 else "")
    notice = Notice(
        "io.notice.empty_rows_skipped", {"file": name, "count": len(skipped), "rows": listed}
    )
    keep = ~empty
    return RawTable(
        frame=frame.iloc[np.flatnonzero(keep)].reset_index(drop=True),
        rows=table.rows[keep],
        value_labels=table.value_labels,
        notices=(*table.notices, notice),
    )


def _qualtrics_rows(first_rows: list[list[str]]) -> int:
    """How many rows under the header are Qualtrics' question text and ImportId rows."""
    for index, row in enumerate(first_rows[:2]):
        if any(_IMPORT_ID.match(cell) for cell in row):
            return index + 1
    return 0


# --- CSV -------------------------------------------------------------------------------------


def _encoding_of(head: bytes, encoding: str | None) -> str:
    if encoding is not None:
        return encoding
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def _encoding_error(path: Path, encoding: str, lang: str) -> ResponseFileError:
    """Locate the first byte that does not decode: offset, row and the bytes themselves."""
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        start = exc.start
    else:  # pragma: no cover - only reached if pandas and Python disagree
        start = 0
    # Count records, not lines: a quoted cell may span lines (Qualtrics' question texts do).
    prefix = data[:start].decode(encoding, errors="replace")
    records = sum(1 for _ in csv.reader(io.StringIO(prefix)))
    row = records + 1 if prefix == "" or prefix.endswith(("\n", "\r")) else records
    line_start = data.rfind(b"\n", 0, start) + 1
    return ResponseFileError(
        "io.file.encoding",
        file=str(path),
        row=row,
        value=data[start : start + 4].hex(" "),
        params={
            "encoding": encoding,
            "offset": start,
            "position": start - line_start + 1,
            "suggestion": "cp1252",
        },
        lang=lang,
    )


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most columns (quotes respected)."""
    best, best_count = ",", 1
    for delimiter in _DELIMITERS:
        count = len(next(csv.reader([header_line], delimiter=delimiter), []))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _read_csv(
    path: Path,
    text_columns: TextColumns,
    extra_header_rows: int | str,
    encoding: str | None,
    lang: str,
) -> RawTable:
    name = str(path)
    with path.open("rb") as handle:
        head_bytes = handle.read(_HEAD_BYTES)
    if not head_bytes.strip():
        raise ResponseFileError("io.file.empty", file=name, lang=lang)
    chosen = _encoding_of(head_bytes, encoding)
    try:
        decoder = codecs.getincrementaldecoder(chosen)()
    except LookupError:
        raise ResponseFileError(
            "io.file.unknown_encoding", file=name, value=chosen, lang=lang
        ) from None
    try:
        head = decoder.decode(head_bytes, final=len(head_bytes) < _HEAD_BYTES)
    except UnicodeDecodeError:
        raise _encoding_error(path, chosen, lang) from None
    head = head.lstrip("\ufeff")
    lines = head.splitlines()
    if not lines or not lines[0].strip():
        raise ResponseFileError("io.file.empty", file=name, lang=lang)
    delimiter = _sniff_delimiter(lines[0])
    first = list(csv.reader(io.StringIO(head), delimiter=delimiter))
    header = [c.strip() for c in first[0]]
    _check_header(header, name, lang)
    extra = _qualtrics_rows(first[1:3]) if extra_header_rows == "auto" else int(extra_header_rows)
    as_text = text_columns(header)
    try:
        frame = pd.read_csv(
            path,
            sep=delimiter,
            encoding=chosen,
            encoding_errors="strict",
            header=0,
            names=header,
            skiprows=range(1, 1 + extra),
            dtype=dict.fromkeys(as_text, str),
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            engine="c",
            low_memory=False,
        )
    except UnicodeDecodeError:
        raise _encoding_error(path, chosen, lang) from None
    except pd.errors.EmptyDataError:  # pragma: no cover - the head check above catches it first
        raise ResponseFileError("io.file.empty", file=name, lang=lang) from None
    except pd.errors.ParserError as exc:
        ragged = _RAGGED.search(str(exc))
        if ragged is None:
            raise ResponseFileError(
                "io.file.unreadable", file=name, params={"detail": str(exc)}, lang=lang
            ) from None
        raise ResponseFileError(
            "io.file.ragged_row",
            file=name,
            row=int(ragged.group(2)),
            params={"expected_fields": int(ragged.group(1)), "found_fields": int(ragged.group(3))},
            lang=lang,
        ) from None
    # Row 1 is the header, then the skipped extra header rows, then the responses.
    rows = np.arange(len(frame), dtype=np.int64) + 2 + extra
    return RawTable(frame=frame, rows=rows)


# --- XLSX ------------------------------------------------------------------------------------


def _read_xlsx(
    path: Path,
    text_columns: TextColumns,
    extra_header_rows: int | str,
    sheet: str | None,
    lang: str,
) -> RawTable:
    name = str(path)
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged or non-xlsx file
        raise ResponseFileError(
            "io.file.unreadable", file=name, params={"detail": str(exc)}, lang=lang
        ) from None
    with book:
        sheets = [str(s) for s in book.sheet_names]
        if sheet is not None and sheet not in sheets:
            raise ResponseFileError(
                "io.file.sheet_missing",
                file=name,
                value=sheet,
                params={"sheets": ", ".join(sheets)},
                lang=lang,
            )
        grid = pd.read_excel(
            book, sheet_name=sheet if sheet is not None else sheets[0], header=None, dtype=object
        )
    if grid.empty:
        raise ResponseFileError("io.file.empty", file=name, lang=lang)
    header = [
        f"#{i + 1}" if pd.isna(v) or not str(v).strip() else str(v).strip()
        for i, v in enumerate(grid.iloc[0])
    ]
    # Formatted but empty columns without a heading are an artefact of Excel, not data.
    keep = [not (h.startswith("#") and grid.iloc[1:, i].isna().all()) for i, h in enumerate(header)]
    grid = grid.loc[:, keep]
    header = [h for h, k in zip(header, keep, strict=True) if k]
    _check_header(header, name, lang)
    body = grid.iloc[1:].reset_index(drop=True)
    body.columns = pd.Index(header)
    if extra_header_rows == "auto":
        first = [[str(v) for v in body.iloc[i]] for i in range(min(2, len(body)))]
        extra = _qualtrics_rows(first)
    else:
        extra = int(extra_header_rows)
    body = body.iloc[extra:].reset_index(drop=True)
    as_text = text_columns(header)
    for column in body.columns:
        if column not in as_text:
            body[column] = _numbers_where_possible(body[column])
    rows = np.arange(len(body), dtype=np.int64) + 2 + extra
    return RawTable(frame=body, rows=rows)


def _numbers_where_possible(column: pd.Series) -> pd.Series:
    """A column of numeric cells as float64; mixed columns stay objects for the validator."""
    values = column.to_numpy(dtype=object)
    numeric = pd.to_numeric(column, errors="coerce")
    if bool((numeric.notna() | column.isna()).all()):
        return numeric.astype(np.float64)
    return pd.Series(values, dtype=object)


# --- SPSS .sav -------------------------------------------------------------------------------


def _read_sav(path: Path, lang: str) -> RawTable:
    import pyreadstat

    name = str(path)
    try:
        # user_missing=False: SPSS user-missing values (e.g. 9 = "prefer not to say") read as NaN.
        frame, meta = pyreadstat.read_sav(str(path), user_missing=False)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and OSError
        raise ResponseFileError(
            "io.file.unreadable", file=name, params={"detail": str(exc)}, lang=lang
        ) from None
    if frame.shape[1] == 0:  # pragma: no cover - pyreadstat cannot write such a file to test
        raise ResponseFileError("io.file.empty", file=name, lang=lang)
    labels = {
        str(column): {float(code): str(text) for code, text in mapping.items()}
        for column, mapping in (meta.variable_value_labels or {}).items()
        if all(isinstance(code, int | float) for code in mapping)
    }
    rows = np.arange(len(frame), dtype=np.int64) + 1  # SPSS case numbers
    return RawTable(frame=frame, rows=rows, value_labels=labels)
