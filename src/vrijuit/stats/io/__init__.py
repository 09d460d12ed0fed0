"""Importing survey responses from CSV, XLSX and SPSS .sav exports, with precise errors.

``read_responses`` turns an export into one row per respondent with the instrument's item ids
as numeric columns, and reports every bad value with its file, row, column, value and what was
expected, in Dutch or English. See ``docs/importing.md`` for the rules.
"""

from vrijuit.stats.io.importer import ID, TEAM, WAVE, InstrumentLike, ResponseImport, read_responses
from vrijuit.stats.io.mapping import DEFAULT_MISSING, PRESETS, ColumnMapping
from vrijuit.stats.io.problems import Expectation, Notice, ResponseFileError, RowProblem

__all__ = [
    "DEFAULT_MISSING",
    "ID",
    "PRESETS",
    "TEAM",
    "WAVE",
    "ColumnMapping",
    "Expectation",
    "InstrumentLike",
    "Notice",
    "ResponseFileError",
    "ResponseImport",
    "RowProblem",
    "read_responses",
]
