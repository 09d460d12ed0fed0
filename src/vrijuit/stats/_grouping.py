"""Accept either a :class:`Groups` or an array of team labels; per-team item moments in one pass.

:class:`Groups` makes each reduction of an N × K matrix with its own ``np.bincount`` and rebuilds
the N·K index every time; a variance costs five such passes. The agreement indices need count,
mean and variance of every item in every team of a million-row matrix, so
:func:`team_item_moments` builds the index once and makes three passes, using a shifted one-pass
variance (each column is centred on its overall mean first, which keeps the sums of squares
well conditioned for bounded answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vrijuit.stats.groups import Groups

__all__ = ["ItemMoments", "as_groups", "team_item_moments"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def as_groups(groups: Groups | Any, *, n_rows: int) -> Groups:
    """Return ``groups`` as a :class:`Groups` with exactly ``n_rows`` rows."""
    grouping = groups if isinstance(groups, Groups) else Groups.from_labels(groups)
    if grouping.n_rows != n_rows:
        raise ValueError(f"the data have {n_rows} rows but the team labels have {grouping.n_rows}.")
    return grouping


@dataclass(frozen=True, eq=False)
class ItemMoments:
    """Per team × item: answers, mean and sample variance (NaN where count < 2)."""

    count: FloatArray
    mean: FloatArray
    var: FloatArray
    flat_index: IntArray

    def reduce(self, weights: FloatArray) -> FloatArray:
        """Sum an N × K array of weights per team and item (NaN weights count as 0)."""
        n_teams, n_items = self.count.shape
        totals = np.bincount(self.flat_index, weights=weights.ravel(), minlength=n_teams * n_items)
        return np.asarray(totals, dtype=np.float64).reshape(n_teams, n_items)


def team_item_moments(matrix: FloatArray, grouping: Groups) -> ItemMoments:
    """Count, mean and variance (n − 1 divisor) per team and item, NaN-aware (item-wise)."""
    n_items = matrix.shape[1]
    flat = (grouping.codes[:, np.newaxis] * n_items + np.arange(n_items)).ravel()
    missing = np.isnan(matrix)
    complete = not bool(missing.any())
    empty = np.zeros((grouping.n_groups, n_items))
    moments = ItemMoments(count=empty, mean=empty, var=empty, flat_index=flat)
    if complete:  # skip the masking passes over N × K
        count = np.repeat(grouping.sizes().astype(np.float64)[:, np.newaxis], n_items, axis=1)
    else:
        count = moments.reduce((~missing).astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # A rounded shift keeps integer answers integer, so the sums stay exact for Likert data.
        answered = (~missing).sum(axis=0)
        filled = matrix if complete else np.where(missing, 0.0, matrix)
        column_sum = filled.sum(axis=0)
        shift = np.round(np.where(answered > 0, column_sum / np.maximum(answered, 1), 0.0))
        centred = matrix - shift if complete else np.where(missing, 0.0, matrix - shift)
        total = moments.reduce(centred)
        squares = moments.reduce(centred * centred)
        mean = np.where(count > 0, total / count + shift, np.nan)
        ss = np.maximum(squares - np.where(count > 0, total * total / count, 0.0), 0.0)
        var = np.where(count > 1, ss / (count - 1.0), np.nan)
    return ItemMoments(count=count, mean=mean, var=var, flat_index=flat)
