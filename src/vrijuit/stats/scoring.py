"""Scale scores: reverse keying on the declared bounds and the prorated mean of answered items.

Conventions (docs/statistics/reliability-and-scoring.md):

* Reverse keying is ``x' = (L + H) − x`` with the bounds **declared** by the response format.
  psych's ``alpha()``/``scoreItems()`` use the observed minimum and maximum instead, which shifts
  reversed scores when nobody used an extreme category; we do not copy that.
* A person's scale score is the mean of the items they answered, if they answered at least
  ``min_items``; otherwise it is missing. "Prefer not to say" is stored as missing. This is the
  prorated mean (person-mean imputation), as psych averages "just the items answered".
* Everything is vectorised over all respondents at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.stats._grouping import true_per_row
from vrijuit.stats._validation import as_float_matrix
from vrijuit.stats.instruments import Instrument, Scale
from vrijuit.stats.results import Result

__all__ = [
    "InstrumentScores",
    "ScaleScoreResult",
    "reverse_key",
    "scale_scores",
    "score_instrument",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _check_bounds(values: FloatArray, *, low: float, high: float, name: str) -> None:
    if not high > low:
        raise ValueError(f"high must be larger than low; got low={low!r}, high={high!r}.")
    if values.size == 0:
        return
    # fmin/fmax skip NaN and allocate nothing: cheap on a million rows.
    smallest, largest = np.fmin.reduce(values, axis=None), np.fmax.reduce(values, axis=None)
    if not (smallest < low or largest > high):
        return
    with np.errstate(invalid="ignore"):
        outside = (values < low) | (values > high)
    position = tuple(int(i) for i in np.argwhere(outside)[0])
    where = ", ".join(
        f"{axis} {i + 1}" for axis, i in zip(("row", "column"), position, strict=False)
    )
    raise ValueError(
        f"{name} has the value {float(values[position])!r} at {where}, "
        f"outside the declared bounds {low}..{high}."
    )


def reverse_key(values: Any, *, low: float, high: float) -> FloatArray:
    """Reverse-key answers on the declared bounds: ``x' = (low + high) − x``.

    Missing answers (NaN) stay missing; a value outside ``low..high`` raises ``ValueError``.
    Unlike R's ``psych::alpha``/``psych::reverse.code`` with default ``mini``/``maxi``, the
    bounds are the declared ones, never the observed minimum and maximum.

    Parameters
    ----------
    values
        Answers, any shape.
    low, high
        Lowest and highest answer code of the response format.

    Examples
    --------
    >>> reverse_key([1, 2, 5, np.nan], low=1, high=5).tolist()
    [5.0, 4.0, 1.0, nan]
    """
    array = np.asarray(values, dtype=np.float64)
    _check_bounds(array, low=low, high=high, name="values")
    return (low + high) - array


@dataclass(frozen=True)
class ScaleScoreResult(Result):
    """Person scores of one scale.

    Attributes
    ----------
    scores
        Mean of the answered (keyed) items per person; NaN if fewer than ``min_items`` answered.
    items_used
        Number of answered items per person (also where the score is missing).
    """

    scores: FloatArray
    items_used: IntArray


def scale_scores(
    items: Any,
    *,
    reverse: Sequence[bool] | None = None,
    low: float,
    high: float,
    min_items: int,
) -> ScaleScoreResult:
    """Score a scale: reverse-key the marked items, then average the answered items per person.

    .. math::  \\text{score}_i = \\frac{1}{m_i}\\sum_{k \\text{ answered}} x'_{ik}
               \\quad\\text{if } m_i \\ge m_{\\min}, \\text{ else missing}

    with :math:`x' = (L+H) - x` for reverse-keyed items on the declared bounds ``L..H``.

    Parameters
    ----------
    items
        N × K answers (NaN = not answered or "prefer not to say").
    reverse
        K booleans, true for reverse-keyed items (default: none).
    low, high
        Declared bounds of the response format.
    min_items
        Fewest answered items for a score (1..K).

    Notes
    -----
    R equivalent: ``rowMeans(x, na.rm = TRUE)`` after ``psych::reverse.code(keys, x, mini=L,
    maxi=H)``, set to ``NA`` where ``rowSums(!is.na(x)) < min_items``.

    Examples
    --------
    >>> r = scale_scores([[1, 5, 4], [2, np.nan, np.nan]], reverse=[False, True, False],
    ...                  low=1, high=5, min_items=2)
    >>> r.scores.tolist(), r.items_used.tolist()
    ([2.0, nan], [3, 1])
    """
    matrix = as_float_matrix(items, name="items")
    n_items = matrix.shape[1]
    if n_items == 0:
        raise ValueError("items must have at least one column.")
    keys = np.zeros(n_items, dtype=bool) if reverse is None else np.asarray(reverse, dtype=bool)
    if keys.shape != (n_items,):
        raise ValueError(f"reverse must have one entry per item ({n_items}), got {keys.shape}.")
    if isinstance(min_items, bool) or not 1 <= int(min_items) <= n_items:
        raise ValueError(
            f"min_items must lie in 1..{n_items} (the number of items); got {min_items!r}."
        )
    scores, used, _ = _score(matrix.copy(), keys, low=low, high=high, min_items=int(min_items))
    return ScaleScoreResult(scores=scores, items_used=used)


def _score(
    matrix: FloatArray, keys: npt.NDArray[np.bool_], *, low: float, high: float, min_items: int
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Scores, items used and the keyed matrix; ``matrix`` is keyed in place (no copies)."""
    _check_bounds(matrix, low=low, high=high, name="items")
    for column in np.flatnonzero(keys):
        matrix[:, column] *= -1.0
        matrix[:, column] += low + high
    answered = ~np.isnan(matrix)
    used = true_per_row(answered)  # column by column: 4–5× faster than count_nonzero(axis=1)
    total = np.sum(matrix, axis=1, where=answered)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(used >= min_items, total / used, np.nan)
    return scores, used, matrix


@dataclass(frozen=True)
class InstrumentScores(Result):
    """Scale scores of every respondent for the scored scales of an instrument.

    Attributes
    ----------
    instrument_id
        The instrument that was scored.
    scores
        One column per scale id, one row per respondent (index of the responses); NaN where a
        respondent answered fewer than the scale's ``min_items``.
    items_used
        Answered items per respondent and scale (same shape).
    not_scored
        Scales left out because none of their item columns is in the responses.
    keyed
        Per scale id the N × K reverse-keyed item matrix (NaN = missing), see :meth:`keyed_items`.
    """

    instrument_id: str
    scores: pd.DataFrame
    items_used: pd.DataFrame
    not_scored: tuple[str, ...]
    keyed: Mapping[str, FloatArray]

    def keyed_items(self, scale_id: str) -> FloatArray:
        """The N × K reverse-keyed item matrix of one scale (NaN where not answered)."""
        if scale_id not in self.keyed:
            raise KeyError(f"scale {scale_id!r} was not scored; scored: {', '.join(self.keyed)}.")
        return self.keyed[scale_id]

    def to_dict(self) -> dict[str, Any]:
        """Scores and items used as ``{scale: [per respondent]}`` (the keyed items are left out)."""
        return {
            "instrument_id": self.instrument_id,
            "scores": {c: _jsonable(self.scores[c]) for c in self.scores.columns},
            "items_used": {c: self.items_used[c].tolist() for c in self.items_used.columns},
            "not_scored": list(self.not_scored),
        }


def _jsonable(column: pd.Series[float]) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in column.to_numpy(dtype=np.float64)]


def score_instrument(
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    scales: Sequence[str] | None = None,
) -> InstrumentScores:
    """Score every respondent on the scales of an instrument.

    Parameters
    ----------
    responses
        One row per respondent, one column per item id (answer codes; NaN = missing or "prefer
        not to say"). Other columns are ignored.
    instrument
        A loaded :class:`~vrijuit.stats.instruments.Instrument`.
    scales
        Scale ids to score. ``None`` scores every scale whose item columns are present and
        lists the scales with none of their columns in ``not_scored`` (optional blocks such as
        the leaders' or the unwanted-behaviour block). A scale with only some of its columns,
        or a named scale without its columns, raises ``ValueError``.

    Examples
    --------
    >>> from vrijuit.stats.instruments import load_instrument
    >>> edmondson = load_instrument("edmondson")
    >>> answers = pd.DataFrame({"PS1": [1, 7], "PS2": [7, 1], "PS3": [1, np.nan],
    ...                         "PS4": [7, 1], "PS5": [1, 7], "PS6": [7, 1], "PS7": [7, 1]})
    >>> result = score_instrument(answers, edmondson)
    >>> result.scores["psychological_safety"].tolist()
    [7.0, 1.0]
    >>> result.items_used["psychological_safety"].tolist()
    [7, 6]
    """
    if not isinstance(responses, pd.DataFrame):
        raise TypeError(f"responses must be a pandas DataFrame, got {type(responses).__name__}.")
    chosen: list[Scale]
    not_scored: list[str] = []
    if scales is None:
        chosen = []
        for scale in instrument.scales:
            present = [i for i in scale.item_ids if i in responses.columns]
            if not present:
                not_scored.append(scale.id)
                continue
            chosen.append(scale)
    else:
        chosen = [instrument.scale(scale_id) for scale_id in scales]
    n_rows = len(responses.index)
    score_matrix = np.empty((n_rows, len(chosen)), dtype=np.float64)
    used_matrix = np.empty((n_rows, len(chosen)), dtype=np.int64)
    keyed: dict[str, FloatArray] = {}
    for position, scale in enumerate(
        chosen
    ):  # a loop over the handful of scales; each is vectorised over people
        missing = [i for i in scale.item_ids if i not in responses.columns]
        if missing:
            raise ValueError(
                f"responses lack the item column(s) {', '.join(missing)} of scale {scale.id!r}."
            )
        matrix = _item_matrix(responses, scale)
        fmt = scale.response_format
        score_matrix[:, position], used_matrix[:, position], keyed[scale.id] = _score(
            matrix,
            np.asarray(scale.reverse, dtype=bool),
            low=fmt.low,
            high=fmt.high,
            min_items=scale.min_items,
        )
    columns = pd.Index([scale.id for scale in chosen], dtype=object)
    return InstrumentScores(
        instrument_id=instrument.id,
        scores=pd.DataFrame(score_matrix, index=responses.index, columns=columns, copy=False),
        items_used=pd.DataFrame(used_matrix, index=responses.index, columns=columns, copy=False),
        not_scored=tuple(not_scored),
        keyed=keyed,
    )


def _item_matrix(responses: pd.DataFrame, scale: Scale) -> FloatArray:
    """The scale's item columns as floats, with a clear error for text in a numeric column."""
    columns = list(scale.item_ids)
    try:
        matrix = responses[columns].to_numpy(dtype=np.float64, na_value=np.nan)
        # Under copy-on-write a view comes back read-only; scoring keys the matrix in place.
        return matrix if matrix.flags.writeable else matrix.copy()
    except (TypeError, ValueError):
        for column in columns:
            converted = pd.to_numeric(responses[column], errors="coerce")
            bad = converted.isna() & responses[column].notna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise ValueError(
                    f"item {column!r} has the non-numeric answer {responses[column].iloc[row]!r} "
                    f"in row {row + 1}."
                ) from None
        raise
