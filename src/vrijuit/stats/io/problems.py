"""What can go wrong in an import, as structured data that renders in Dutch or English.

An import problem is never only a sentence: the CLI, the web app and the tests need the file,
the row (as the user sees it in a spreadsheet), the column, the offending value and what was
expected. Each problem keeps those fields and a message ``code`` (a key in
``locale/io.yaml``); ``message(lang)`` renders the sentence when it is shown.

*File-level* problems (the file cannot be read, a column is missing, ...) raise
:class:`ResponseFileError`. *Row-level* problems (a value out of range, a missing team, ...)
are :class:`RowProblem` records: all of them are collected, and either raised together in one
``ResponseFileError`` (the default) or reported as excluded rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vrijuit.i18n import translate
from vrijuit.stats.results import Result, to_jsonable

__all__ = ["MAX_LISTED_PROBLEMS", "Expectation", "Notice", "ResponseFileError", "RowProblem"]

MAX_LISTED_PROBLEMS = 20
"""How many row problems an error message spells out; the rest are counted."""


@dataclass(frozen=True)
class Expectation(Result):
    """What a value should have looked like: a message key with its parameters.

    >>> Expectation("io.expected.whole_number", {"low": 1, "high": 5}).text("nl")
    'een heel getal van 1 tot en met 5'
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The expectation as a phrase in ``lang``.

        A parameter given as ``{"en": ..., "nl": ...}`` (such as answer labels) is taken in
        ``lang``.
        """
        params = {
            name: value[lang] if isinstance(value, Mapping) and lang in value else value
            for name, value in self.params.items()
        }
        return translate(self.key, lang, **params)


@dataclass(frozen=True)
class RowProblem(Result):
    """One bad value on one row.

    Attributes
    ----------
    code
        Message key, e.g. ``"io.row.out_of_range"``.
    file
        The file's name as given.
    row
        The row as the user sees it: 1-based, counting the header row(s) (in a .sav file, the
        SPSS case number).
    column
        The column's name in the file (not the item id it maps to).
    value
        The value exactly as read (``""`` when empty).
    expected
        What the value should have been.
    other_rows
        For duplicate respondent ids: the other rows with the same id.

    Examples
    --------
    >>> p = RowProblem(code="io.row.out_of_range", file="a.csv", row=8, column="Q1", value="7",
    ...     expected=Expectation("io.expected.whole_number", {"low": 1, "high": 5}))
    >>> p.message("en")
    "a.csv, row 8, column 'Q1': '7' is out of range; expected a whole number from 1 to 5."
    """

    code: str
    file: str
    row: int
    column: str
    value: str
    expected: Expectation
    other_rows: tuple[int, ...] = ()

    def message(self, lang: str = "en") -> str:
        """The problem as one sentence in ``lang``."""
        return translate(
            self.code,
            lang,
            file=self.file,
            row=self.row,
            column=self.column,
            value=self.value,
            expected=self.expected.text(lang),
            other_rows=", ".join(str(r) for r in self.other_rows),
        )


@dataclass(frozen=True)
class Notice(Result):
    """Something the user should know about an import that succeeded (a warning).

    >>> Notice("io.notice.empty_rows_skipped", {"file": "a.csv", "count": 1, "rows": "9"}).message()
    'a.csv: skipped 1 empty row(s): 9.'
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        """The notice as one sentence in ``lang``."""
        return translate(self.code, lang, **self.params)


class ResponseFileError(ValueError):
    """A response file that cannot be imported as it is.

    The structured fields stay available for rendering in either language; ``str(error)`` is the
    message in the language the import was asked for (English by default).

    Attributes
    ----------
    code
        Message key, e.g. ``"io.file.missing_columns"`` or ``"io.file.bad_rows"``.
    file, row, column, value, expected
        Where and what, when they apply (``None`` otherwise).
    params
        Further message parameters (lists of columns, suggestions, counts).
    problems
        For ``io.file.bad_rows``: every row problem found (the message lists the first
        :data:`MAX_LISTED_PROBLEMS`).

    Examples
    --------
    >>> error = ResponseFileError("io.file.empty", file="leeg.csv")
    >>> error.message("nl")
    'leeg.csv is leeg: er staat geen kopregel en geen gegevens in.'
    """

    def __init__(
        self,
        code: str,
        *,
        file: str,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        expected: Expectation | None = None,
        params: Mapping[str, Any] | None = None,
        problems: Sequence[RowProblem] = (),
        lang: str = "en",
    ) -> None:
        self.code = code
        self.file = file
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        self.params: dict[str, Any] = dict(params or {})
        self.problems: tuple[RowProblem, ...] = tuple(problems)
        self.lang = lang
        super().__init__(self.message(lang))

    def message(self, lang: str = "en") -> str:
        """The error in ``lang``; for bad rows, followed by the listed row problems."""
        text = translate(
            self.code,
            lang,
            file=self.file,
            row=self.row,
            column=self.column,
            value=self.value,
            expected=self.expected.text(lang) if self.expected else "",
            **self.params,
        )
        if not self.problems:
            return text
        lines = [text, *(f"  - {p.message(lang)}" for p in self.problems[:MAX_LISTED_PROBLEMS])]
        hidden = len(self.problems) - MAX_LISTED_PROBLEMS
        if hidden > 0:
            lines.append("  " + translate("io.file.more_problems", lang, count=hidden))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The error's structured fields, JSON-safe."""
        return {
            "code": self.code,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": to_jsonable(self.expected),
            "params": to_jsonable(self.params),
            "problems": [p.to_dict() for p in self.problems],
        }
