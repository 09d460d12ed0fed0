"""How a survey export's columns and answers map onto an instrument: :class:`ColumnMapping`.

A mapping says which export column holds which item or standard column (respondent id, team,
wave, background attributes), which answer labels or codes mean which number, which codes mean
"missing" (for example "prefer not to say"), and which columns to leave out on purpose. It comes
from a small YAML file or from a preset for a survey tool's export (``"qualtrics"``,
``"limesurvey"``); a file may start from a preset and add to it.

Example YAML (every key is optional)::

    preset: qualtrics           # start from a preset
    columns:                    # export column: item id, or respondent_id / team / wave / ...
      Q1_1: ps1
      Afdeling: team
    answers:                    # answer label or code: number, or null for missing
      Helemaal mee eens: 5
      "-99": null
    missing: [Weet ik niet]     # more labels or codes that mean missing
    ignore_columns: [Q_Language]
    unknown_columns: error      # or "ignore": list them as not imported, never silently
    extra_header_rows: 0        # rows under the header to skip, or "auto" (Qualtrics)
    answer_code_pattern: "^A0*([0-9]+)$"   # codes such as A1..A5 whose number is the answer
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from vrijuit.stats.io.problems import Expectation, ResponseFileError
from vrijuit.stats.results import Result

__all__ = ["DEFAULT_MISSING", "PRESETS", "ColumnMapping", "normalise_label"]

DEFAULT_MISSING: tuple[str, ...] = (
    "",
    "prefer not to say",
    "zeg ik liever niet",
    "liever niet zeggen",
    "not applicable",
    "niet van toepassing",
    "n.v.t.",
)
"""Answers that always mean missing: every item offers "prefer not to say" (anonymity.md)."""

_KEYS = (
    "preset",
    "columns",
    "answers",
    "missing",
    "ignore_columns",
    "unknown_columns",
    "extra_header_rows",
    "answer_code_pattern",
)


def normalise_label(label: object) -> str:
    """The form in which answer labels are compared: trimmed and case-folded.

    >>> normalise_label("  Helemaal Mee Eens ")
    'helemaal mee eens'
    """
    return str(label).strip().casefold()


@dataclass(frozen=True)
class ColumnMapping(Result):
    """Export columns → instrument items and standard columns; answer labels → numbers.

    Attributes
    ----------
    name
        ``"default"``, a preset name, or the YAML file it came from.
    columns
        Export column name → target name (an item id or a standard column such as ``team``).
        A column whose name already is an item id or a standard column needs no entry.
    answers
        Answer label or code (compared trimmed and case-insensitively) → number, or ``None``
        for missing. These come on top of the instrument's own labels in Dutch and English.
    missing
        More labels or codes that mean missing (on top of :data:`DEFAULT_MISSING`).
    ignore_columns
        Export columns that are deliberately not imported; they are listed in the warnings.
    unknown_columns
        ``"error"`` (default): a column that maps to nothing stops the import;
        ``"ignore"``: such columns are listed in the warnings as not imported.
    extra_header_rows
        Rows below the header row that are not responses (Qualtrics: question text and
        ImportId); ``"auto"`` detects Qualtrics' rows.
    answer_code_pattern
        A regular expression with one group that captures the answer's number from a code
        (LimeSurvey's ``A1`` .. ``A5`` or ``AO01``).
    identifying_columns
        Export columns that may identify a person (IP address, e-mail, location); never
        imported, and named in a warning so the export can be cleaned.

    Examples
    --------
    >>> m = ColumnMapping.preset("limesurvey")
    >>> m.columns["id"], m.code_number("AO03"), m.code_number("-oth-")
    ('respondent_id', 3.0, None)
    """

    name: str = "default"
    columns: Mapping[str, str] = field(default_factory=dict)
    answers: Mapping[str, float | None] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    ignore_columns: tuple[str, ...] = ()
    unknown_columns: Literal["error", "ignore"] = "error"
    extra_header_rows: int | Literal["auto"] = 0
    answer_code_pattern: str | None = None
    identifying_columns: tuple[str, ...] = ()

    @classmethod
    def preset(cls, name: str) -> ColumnMapping:
        """The mapping for a survey tool's standard export: ``"qualtrics"`` or ``"limesurvey"``."""
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
        return PRESETS[name]

    @classmethod
    def resolve(cls, mapping: ColumnMapping | str | Path | None) -> ColumnMapping:
        """A mapping from a mapping, a preset name, a YAML path, or ``None`` (the default)."""
        if mapping is None:
            return ColumnMapping()
        if isinstance(mapping, ColumnMapping):
            return mapping
        if isinstance(mapping, str) and mapping in PRESETS:
            return PRESETS[mapping]
        return cls.from_file(mapping)

    @classmethod
    def from_file(cls, path: str | Path, *, lang: str = "en") -> ColumnMapping:
        """Read and check a mapping YAML file; errors name the file and the key inside it."""
        source = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except FileNotFoundError:
            raise ResponseFileError("io.file.not_found", file=source, lang=lang) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            row = mark.line + 1 if mark is not None else None
            raise ResponseFileError(
                "io.mapping.yaml_syntax", file=source, row=row, lang=lang
            ) from None
        return cls.from_dict(data if data is not None else {}, name=source, lang=lang)

    @classmethod
    def from_dict(cls, data: Any, *, name: str = "mapping", lang: str = "en") -> ColumnMapping:
        """Build a mapping from parsed YAML, checking every key and value.

        >>> ColumnMapping.from_dict({"columns": {"Q1": "ps1"}, "answers": {"Eens": 4}}).answers
        {'eens': 4.0}
        """

        def fail(path: str, expected: str, value: Any, **params: Any) -> ResponseFileError:
            return ResponseFileError(
                "io.mapping.invalid",
                file=name,
                column=path,
                value=repr(value),
                expected=Expectation(expected, params),
                lang=lang,
            )

        if not isinstance(data, dict):
            raise fail("(top)", "io.expected.mapping", data)
        unknown = [key for key in data if key not in _KEYS]
        if unknown:
            key = str(unknown[0])
            close = difflib.get_close_matches(key, _KEYS, n=1)
            raise ResponseFileError(
                "io.mapping.unknown_key",
                file=name,
                column=key,
                params={"allowed": ", ".join(_KEYS), "suggestion": close[0] if close else "-"},
                lang=lang,
            )
        base = ColumnMapping(name=name)
        if "preset" in data:
            preset = data["preset"]
            if preset not in PRESETS:
                raise fail("preset", "io.expected.one_of", preset, options=", ".join(PRESETS))
            base = replace(PRESETS[preset], name=name)

        columns = dict(base.columns)
        for key, target in _mapping_of(data, "columns", fail).items():
            if not isinstance(target, str) or not target.strip():
                raise fail(f"columns.{key}", "io.expected.column_name", target)
            columns[str(key)] = target.strip()

        answers = dict(base.answers)
        for key, number in _mapping_of(data, "answers", fail).items():
            if number is not None and (
                isinstance(number, bool) or not isinstance(number, int | float)
            ):
                raise fail(f"answers.{key}", "io.expected.number_or_null", number)
            answers[normalise_label(key)] = None if number is None else float(number)

        missing = (*base.missing, *(normalise_label(v) for v in _list_of(data, "missing", fail)))
        ignore = (*base.ignore_columns, *(str(v) for v in _list_of(data, "ignore_columns", fail)))

        unknown_columns = data.get("unknown_columns", base.unknown_columns)
        if unknown_columns not in ("error", "ignore"):
            raise fail(
                "unknown_columns", "io.expected.one_of", unknown_columns, options="error, ignore"
            )
        extra = data.get("extra_header_rows", base.extra_header_rows)
        if extra != "auto" and (isinstance(extra, bool) or not isinstance(extra, int) or extra < 0):
            raise fail("extra_header_rows", "io.expected.rows", extra)
        pattern = data.get("answer_code_pattern", base.answer_code_pattern)
        if pattern is not None:
            try:
                compiled = re.compile(str(pattern))
            except re.error:
                compiled = None
            if compiled is None or compiled.groups != 1:
                raise fail("answer_code_pattern", "io.expected.pattern", pattern)
        return replace(
            base,
            columns=columns,
            answers=answers,
            missing=missing,
            ignore_columns=ignore,
            unknown_columns=unknown_columns,
            extra_header_rows=extra,
            answer_code_pattern=None if pattern is None else str(pattern),
        )

    def missing_labels(self) -> frozenset[str]:
        """Every normalised label or code that means missing."""
        explicit = {key for key, number in self.answers.items() if number is None}
        return frozenset({*DEFAULT_MISSING, *self.missing, *explicit})

    def code_number(self, code: str) -> float | None:
        """The number in an answer code such as ``A4`` (``None`` if it is not such a code)."""
        if self.answer_code_pattern is None:
            return None
        match = re.fullmatch(self.answer_code_pattern, code.strip(), flags=re.IGNORECASE)
        return None if match is None else float(match.group(1))


def _mapping_of(data: dict[str, Any], key: str, fail: Any) -> dict[Any, Any]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(key, "io.expected.mapping", value)
    return value


def _list_of(data: dict[str, Any], key: str, fail: Any) -> list[Any]:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or any(isinstance(v, dict | list) for v in value):
        raise fail(key, "io.expected.list", value)
    return value


# Qualtrics' standard metadata columns (Data & Analysis → Export, "Use numeric values").
_QUALTRICS_META = (
    "StartDate",
    "EndDate",
    "Status",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "DistributionChannel",
    "UserLanguage",
    "Q_RecaptchaScore",
)
_QUALTRICS_IDENTIFYING = (
    "IPAddress",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "LocationLatitude",
    "LocationLongitude",
)
# LimeSurvey's response-table columns (Responses → Export, "Answer codes", "Question code").
_LIMESURVEY_META = ("submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp")
_LIMESURVEY_IDENTIFYING = ("ipaddr", "refurl", "token")

PRESETS: dict[str, ColumnMapping] = {
    "qualtrics": ColumnMapping(
        name="qualtrics",
        columns={"ResponseId": "respondent_id"},
        missing=("-99",),
        ignore_columns=_QUALTRICS_META,
        extra_header_rows="auto",
        identifying_columns=_QUALTRICS_IDENTIFYING,
    ),
    "limesurvey": ColumnMapping(
        name="limesurvey",
        columns={"id": "respondent_id"},
        missing=("-oth-", "n/a"),
        ignore_columns=_LIMESURVEY_META,
        answer_code_pattern=r"AO?0*([0-9]+)",
        identifying_columns=_LIMESURVEY_IDENTIFYING,
    ),
}
"""The shipped presets, by name."""
