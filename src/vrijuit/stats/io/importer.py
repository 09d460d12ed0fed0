"""``read_responses``: a survey export → one tidy row per respondent, or a precise error.

The policy for bad input (documented in ``docs/importing.md``):

* **File-level problems** — the file is missing, empty, has only a header, cannot be decoded,
  has a ragged row, a sheet or a required column is missing, a column maps to nothing —
  raise :class:`ResponseFileError` at once.
* **Row-level problems** — an answer out of range or not recognised, an empty team or id, a
  duplicate respondent id — are all collected (the whole file is checked, not only up to the
  first problem). With ``on_bad_rows="error"`` (the default) they are raised together as one
  ``ResponseFileError`` (code ``io.file.bad_rows``) that carries every problem and lists the
  first 20 with the count of the rest. With ``on_bad_rows="exclude"`` the affected rows are
  left out and each problem is reported in ``ResponseImport.excluded``.
* Nothing is dropped silently: empty lines, ignored columns and columns that could identify a
  person are named in ``ResponseImport.warnings``.

Validation is vectorised over whole columns; only offending rows become messages. Text columns
are checked per distinct value (``pd.factorize``), so a million rows of answer labels cost one
hash pass per column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.stats._validation import check_option
from vrijuit.stats.io.mapping import ColumnMapping, normalise_label
from vrijuit.stats.io.problems import Expectation, Notice, ResponseFileError, RowProblem
from vrijuit.stats.io.readers import RawTable, read_raw
from vrijuit.stats.results import Result, to_jsonable

__all__ = ["ID", "TEAM", "WAVE", "InstrumentLike", "ResponseImport", "read_responses"]

ID = "respondent_id"
TEAM = "team"
WAVE = "wave"

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class _TextLike(Protocol):
    @property
    def en(self) -> str: ...
    @property
    def nl(self) -> str: ...


class _FormatLike(Protocol):
    @property
    def low(self) -> int: ...
    @property
    def high(self) -> int: ...
    @property
    def labels(self) -> Mapping[int, _TextLike]: ...


class _ItemLike(Protocol):
    @property
    def id(self) -> str: ...


class _ScaleLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def items(self) -> Sequence[_ItemLike]: ...
    @property
    def response_format(self) -> _FormatLike: ...


class InstrumentLike(Protocol):
    """What the importer needs of an instrument (``vrijuit.stats.instruments.Instrument``)."""

    @property
    def scales(self) -> Sequence[_ScaleLike]: ...


@dataclass(frozen=True)
class _ItemSpec:
    id: str
    low: float
    high: float
    labels: dict[str, float]  # normalised label (Dutch and English) → number
    shown_labels: dict[str, str]  # per language: the labels as a list for messages


@dataclass(frozen=True, eq=False)
class ResponseImport(Result):
    """An imported response file.

    Attributes
    ----------
    data
        One row per respondent: ``respondent_id``, ``team``, ``wave`` (when asked for), the
        attribute columns (text; empty = missing), then one float column per item id
        (NaN = missing or "prefer not to say").
    rows
        For each row of ``data``, its row number in the file (as the user sees it).
    excluded
        Every problem on an excluded row (``on_bad_rows="exclude"``); a row with two problems
        appears twice. ``excluded_rows`` gives the distinct rows.
    warnings
        Notices: skipped empty lines, columns not imported, identifying columns.
    source
        The file that was read.
    """

    data: pd.DataFrame
    rows: npt.NDArray[np.int64]
    excluded: tuple[RowProblem, ...]
    warnings: tuple[Notice, ...]
    source: str

    @property
    def excluded_rows(self) -> tuple[int, ...]:
        """The distinct file rows that were left out, in file order."""
        return tuple(sorted({p.row for p in self.excluded}))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe summary (the responses themselves stay in ``data``)."""
        return {
            "source": self.source,
            "n_rows": len(self.data),
            "columns": [str(c) for c in self.data.columns],
            "excluded": [p.to_dict() for p in self.excluded],
            "excluded_rows": list(self.excluded_rows),
            "warnings": to_jsonable(self.warnings),
        }


def read_responses(
    path: str | Path,
    *,
    instrument: InstrumentLike,
    mapping: ColumnMapping | str | Path | None = None,
    id_column: str | None = ID,
    team_column: str = TEAM,
    wave_column: str | None = None,
    attribute_columns: Sequence[str] = (),
    scales: Sequence[str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    on_bad_rows: Literal["error", "exclude"] = "error",
    lang: str = "en",
) -> ResponseImport:
    """Read a survey export (.csv, .xlsx or .sav) and check every value against the instrument.

    Parameters
    ----------
    path
        The export. CSV: delimiter ``,`` ``;`` or tab (sniffed from the header), UTF-8 with or
        without byte-order mark (UTF-16 with a byte-order mark too); other encodings only when
        named with ``encoding=``. XLSX: the first sheet unless ``sheet=`` names one. SAV: value
        labels are used and SPSS user-missing values become missing.
    instrument
        Its items (with their response formats and answer labels) are the expected columns.
    mapping
        A :class:`ColumnMapping`, a preset name (``"qualtrics"``, ``"limesurvey"``) or a YAML
        file. Column names are mapped first; the ``*_column`` arguments name the columns after
        mapping.
    id_column
        The respondent id column (required; ids must be unique). ``None`` when the export has
        no ids: the file's row numbers become the ids (``row-2``, ``row-3``, ...).
    team_column, wave_column, attribute_columns
        The team (required on every row), the optional wave and background attributes
        (gender, position level, ...; may be empty on a row).
    scales
        Only require the items of these scale ids (default: every scale).
    sheet, encoding
        See ``path``.
    on_bad_rows
        ``"error"``: any row problem raises one error listing all of them.
        ``"exclude"``: rows with problems are left out and reported in ``excluded``.
    lang
        Language of ``str(error)``; the structured fields allow rendering in either language.

    Returns
    -------
    ResponseImport
        ``data``, the file ``rows`` of the kept rows, ``excluded`` problems, ``warnings``.

    Notes
    -----
    Row numbers are those a spreadsheet shows: the header is row 1, the first response is
    row 2 (row 4 in a Qualtrics export with its two extra header rows); in a .sav file they are
    SPSS case numbers. An answer is valid when it is empty, a missing label or code, a whole
    number within the response format's bounds, one of the instrument's answer labels (Dutch or
    English, case-insensitive), or a label or code from the mapping. Comparable R code:
    ``readr::read_delim()``/``haven::read_sav(user_na = FALSE)`` followed by checks by hand.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from types import SimpleNamespace as NS
    >>> agree = NS(low=1, high=5, labels={1: NS(en="Disagree", nl="Oneens"),
    ...                                   5: NS(en="Agree", nl="Eens")})
    >>> tool = NS(scales=[NS(id="climate", response_format=agree, items=[NS(id="q1")])])
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("respondent_id;team;q1\\nr1;A;Eens\\nr2;B;2\\n")
    >>> result = read_responses(folder / "a.csv", instrument=tool)
    >>> result.data["q1"].tolist(), result.rows.tolist()
    ([5.0, 2.0], [2, 3])
    >>> _ = (folder / "b.csv").write_text("respondent_id,team,q1\\nr1,A,7\\n")
    >>> try:
    ...     read_responses(folder / "b.csv", instrument=tool)
    ... except ResponseFileError as error:
    ...     problem = error.problems[0]
    >>> problem.row, problem.column, problem.value, problem.expected.text("nl")
    (2, 'q1', '7', 'een heel getal van 1 tot en met 5')
    """
    check_option(on_bad_rows, name="on_bad_rows", allowed=("error", "exclude"))
    file_path = Path(path)
    name = str(path)
    resolved = ColumnMapping.resolve(mapping)
    items = _item_specs(instrument, scales, resolved)
    standard = {team_column: TEAM}
    if id_column is not None:
        standard[id_column] = ID
    if wave_column is not None:
        standard[wave_column] = WAVE
    for attribute in attribute_columns:
        standard[attribute] = attribute

    def text_columns(header: Sequence[str]) -> set[str]:
        return {c for c in header if resolved.columns.get(c, c) in standard}

    raw = read_raw(
        file_path,
        text_columns=text_columns,
        extra_header_rows=resolved.extra_header_rows,
        sheet=sheet,
        encoding=encoding,
        lang=lang,
    )
    plan, notices = _plan_columns(raw, name, items, standard, resolved, lang)
    # The instrument's own "prefer not to say" wording, in both languages, means missing.
    own = getattr(instrument, "prefer_not_to_say", None)
    extra_missing = frozenset(
        normalise_label(getattr(own, lang)) for lang in ("en", "nl") if own is not None
    )
    return _validate(
        raw, name, plan, items, standard, resolved, on_bad_rows, lang, notices, extra_missing
    )


def _item_specs(
    instrument: InstrumentLike, scales: Sequence[str] | None, mapping: ColumnMapping
) -> dict[str, _ItemSpec]:
    chosen = list(instrument.scales)
    if scales is not None:
        known = {s.id for s in chosen}
        unknown = [s for s in scales if s not in known]
        if unknown:
            raise ValueError(f"unknown scale id(s) {unknown}; the instrument has {sorted(known)}.")
        chosen = [s for s in chosen if s.id in set(scales)]
    specs: dict[str, _ItemSpec] = {}
    for scale in chosen:
        fmt = scale.response_format
        labels: dict[str, float] = {}
        shown: dict[str, list[str]] = {"en": [], "nl": []}
        for code, text in sorted(fmt.labels.items()):
            for lang in ("en", "nl"):
                wording = str(getattr(text, lang))
                labels[normalise_label(wording)] = float(code)
                shown[lang].append(wording)
        labels.update({k: v for k, v in mapping.answers.items() if v is not None})
        for item in scale.items:
            specs.setdefault(
                item.id,
                _ItemSpec(
                    id=item.id,
                    low=float(fmt.low),
                    high=float(fmt.high),
                    labels=labels,
                    shown_labels={lang: ", ".join(words) for lang, words in shown.items()},
                ),
            )
    return specs


def _plan_columns(
    raw: RawTable,
    name: str,
    items: Mapping[str, _ItemSpec],
    standard: Mapping[str, str],
    mapping: ColumnMapping,
    lang: str,
) -> tuple[dict[str, str], list[Notice]]:
    """target name → file column, after checking that nothing is missing, doubled or unknown."""
    found = [str(c) for c in raw.frame.columns]
    plan: dict[str, str] = {}
    unknown: list[str] = []
    ignored: list[str] = []
    identifying: list[str] = []
    for column in found:
        target = mapping.columns.get(column, column)
        if target in items or target in standard:
            if target in plan:
                raise ResponseFileError(
                    "io.file.same_target",
                    file=name,
                    row=1,
                    column=column,
                    params={"other": plan[target], "target": target},
                    lang=lang,
                )
            plan[target] = column
        elif column in mapping.identifying_columns:
            identifying.append(column)
        elif column in mapping.ignore_columns:
            ignored.append(column)
        else:
            unknown.append(column)
    required = [*standard, *items]
    missing = [t for t in required if t not in plan]
    if missing:
        unused = [c for c in found if c not in plan.values()]
        hints = []
        for target in missing:
            close = difflib.get_close_matches(target, unused, n=1, cutoff=0.6)
            if close:
                hints.append(f"{target} ← {close[0]}")
        raise ResponseFileError(
            "io.file.missing_columns",
            file=name,
            row=1,
            params={
                "missing": ", ".join(missing),
                "found": ", ".join(found),
                "suggestions": "; ".join(hints) if hints else "-",
            },
            lang=lang,
        )
    if unknown and mapping.unknown_columns == "error":
        raise ResponseFileError(
            "io.file.unknown_columns",
            file=name,
            row=1,
            params={"columns": ", ".join(unknown), "count": len(unknown)},
            lang=lang,
        )
    notices = list(raw.notices)
    not_imported = ignored + unknown
    if not_imported:
        notices.append(
            Notice(
                "io.notice.columns_not_imported",
                {"file": name, "count": len(not_imported), "columns": ", ".join(not_imported)},
            )
        )
    if identifying:
        notices.append(
            Notice(
                "io.notice.identifying_columns",
                {"file": name, "columns": ", ".join(identifying)},
            )
        )
    return plan, notices


def _shown(value: Any) -> str:
    """A value as the user typed it: whole numbers without ``.0``."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _convert_item(
    column: pd.Series,
    spec: _ItemSpec,
    missing: frozenset[str],
    mapping: ColumnMapping,
    sav_labels: Mapping[float, str] | None,
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Numbers for one item column, and masks of out-of-range and unrecognised values."""
    numeric_missing = _numeric_codes(missing) | {
        code for code, label in (sav_labels or {}).items() if normalise_label(label) in missing
    }
    numeric_recodes = {
        float(k): v for k, v in mapping.answers.items() if v is not None and _is_number(k)
    }
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        unknown = np.zeros(len(values), dtype=bool)
    else:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        converted = np.array(
            [_convert_text(u, spec, missing, mapping) for u in uniques], dtype=np.float64
        ).reshape(-1)
        # NaN marks an unrecognised value here; +inf stands in for "missing on purpose".
        lookup = np.append(converted, np.inf)
        values = lookup[codes]  # code -1 (empty) picks the appended "missing" slot
        unknown = np.isnan(values)
        values[np.isinf(values)] = np.nan
    for code, number in numeric_recodes.items():
        values[values == code] = number
    if numeric_missing:
        values[np.isin(values, list(numeric_missing))] = np.nan
    answered = ~np.isnan(values)
    with np.errstate(invalid="ignore"):
        out_of_range = answered & (
            (values < spec.low) | (values > spec.high) | (values != np.round(values))
        )
    return values, out_of_range, unknown


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _numeric_codes(labels: Iterable[str]) -> set[float]:
    return {float(label) for label in labels if label and _is_number(label)}


def _convert_text(
    value: Any, spec: _ItemSpec, missing: frozenset[str], mapping: ColumnMapping
) -> float:
    """One distinct text value → its number, +inf for missing, NaN when not recognised."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return float(value)
    key = normalise_label(value)
    if key in missing:
        return np.inf
    if key in spec.labels:
        return spec.labels[key]
    if _is_number(key) and key not in ("nan", "inf", "-inf", "infinity"):
        number = float(key)
        return np.inf if number in _numeric_codes(missing) else number
    code = mapping.code_number(key)
    return np.nan if code is None else code


def _as_text(column: pd.Series) -> tuple[pd.Series, npt.NDArray[np.intp]]:
    """Ids, teams and attributes as trimmed text, with a code per row (-1 = empty).

    Works on the distinct values (one hash pass), so a million ids cost a fraction of a second;
    a .sav or .xlsx may hold these columns as numbers, which become text without ``.0``.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    distinct_values = uniques.to_numpy(dtype=object)
    if pd.api.types.is_numeric_dtype(uniques.dtype):
        texts = np.array([_shown(u) for u in distinct_values], dtype=object)
    else:
        texts = np.array([str(u).strip() for u in distinct_values], dtype=object)
    unchanged = bool(np.all(texts == distinct_values)) and not bool(np.any(texts == ""))
    if unchanged and isinstance(column.dtype, pd.StringDtype):
        # The common case: text that needed no trimming is returned as it was read.
        return column.reset_index(drop=True), codes
    # "A" and "A " are one team: factorize the trimmed texts again.
    merged, distinct = pd.factorize(texts)
    merged = np.where(texts == "", -1, merged) if len(texts) else merged
    row_codes = np.append(merged, -1)[codes]
    values = np.append(np.asarray(distinct, dtype=object), np.array([None], dtype=object))[
        row_codes
    ]
    return pd.Series(values, dtype="str"), row_codes


def _validate(
    raw: RawTable,
    name: str,
    plan: Mapping[str, str],
    items: Mapping[str, _ItemSpec],
    standard: Mapping[str, str],
    mapping: ColumnMapping,
    on_bad_rows: str,
    lang: str,
    notices: list[Notice],
    extra_missing: frozenset[str],
) -> ResponseImport:
    frame, rows = raw.frame, raw.rows
    problems: list[RowProblem] = []

    def report(
        mask: BoolArray, column: str, code: str, expected: Expectation, shown: pd.Series
    ) -> None:
        for index in np.flatnonzero(mask):
            value = shown.iloc[index]
            problems.append(
                RowProblem(
                    code=code,
                    file=name,
                    row=int(rows[index]),
                    column=column,
                    value="" if pd.isna(value) else _shown(value),
                    expected=expected,
                )
            )

    text_out: dict[str, pd.Series] = {}
    targets = {v: k for k, v in standard.items()}  # output name → argument name
    for output in (ID, TEAM, WAVE):
        if output not in targets:
            continue
        column = plan[targets[output]]
        text, codes = _as_text(frame[column])
        report(
            codes < 0,
            column,
            f"io.row.missing_{output}",
            Expectation(f"io.expected.{output}"),
            frame[column],
        )
        text_out[output] = text
        if output == ID:
            problems.extend(_duplicate_ids(codes, text, rows, name, column))
    if ID not in text_out:
        text_out[ID] = pd.Series([f"row-{r}" for r in rows], dtype="str")
    for target, output in standard.items():
        if output not in (ID, TEAM, WAVE):
            text_out[output] = _as_text(frame[plan[target]])[0]

    missing = mapping.missing_labels() | extra_missing
    # One float matrix for all items: the DataFrame is built on it without copying.
    # Column-major, so that each item is written contiguously and pandas (which stores a
    # block as items × rows) takes the transpose as it is.
    matrix = np.empty((len(frame), len(items)), dtype=np.float64, order="F")
    for position, (item_id, spec) in enumerate(items.items()):
        column = plan[item_id]
        values, out_of_range, unknown = _convert_item(
            frame[column], spec, missing, mapping, raw.value_labels.get(column)
        )
        bounds = {"low": _shown(spec.low), "high": _shown(spec.high)}
        report(
            out_of_range,
            column,
            "io.row.out_of_range",
            Expectation("io.expected.whole_number", bounds),
            frame[column],
        )
        if spec.shown_labels["en"]:
            expected = Expectation("io.expected.answer", {**bounds, "labels": spec.shown_labels})
        else:
            expected = Expectation("io.expected.whole_number_or_empty", bounds)
        report(unknown, column, "io.row.unknown_answer", expected, frame[column])
        matrix[:, position] = values

    order = {c: i for i, c in enumerate(frame.columns)}
    problems.sort(key=lambda p: (p.row, order.get(p.column, 0), p.code))
    if problems and on_bad_rows == "error":
        bad_rows = len({p.row for p in problems})
        raise ResponseFileError(
            "io.file.bad_rows",
            file=name,
            params={"count": len(problems), "rows": bad_rows},
            problems=problems,
            lang=lang,
        )
    kept = rows
    if problems:
        keep = ~np.isin(rows, [p.row for p in problems])
        matrix, kept = matrix[keep], rows[keep]
        text_out = {k: v[keep].reset_index(drop=True) for k, v in text_out.items()}
    data = pd.DataFrame(matrix, columns=list(items), copy=False)
    for position, (output, text) in enumerate(text_out.items()):
        data.insert(position, output, text)
    return ResponseImport(
        data=data,
        rows=kept,
        excluded=tuple(problems),
        warnings=tuple(notices),
        source=name,
    )


def _duplicate_ids(
    codes: npt.NDArray[np.intp],
    ids: pd.Series,
    rows: npt.NDArray[np.int64],
    name: str,
    column: str,
) -> list[RowProblem]:
    """One problem per row whose id appears more than once, naming the other rows."""
    present = codes >= 0
    counts = np.bincount(codes[present]) if present.any() else np.zeros(0, dtype=np.intp)
    doubled = np.zeros(len(codes), dtype=bool)
    doubled[present] = counts[codes[present]] > 1
    same: dict[int, list[int]] = {}
    for index in np.flatnonzero(doubled):
        same.setdefault(int(codes[index]), []).append(int(rows[index]))
    return [
        RowProblem(
            code="io.row.duplicate_id",
            file=name,
            row=int(rows[index]),
            column=column,
            value=str(ids.iloc[index]),
            expected=Expectation("io.expected.unique_id"),
            other_rows=tuple(r for r in same[int(codes[index])] if r != int(rows[index])),
        )
        for index in np.flatnonzero(doubled)
    ]
