"""Vectorised grouped kernels: the one place where per-team sums, means and variances are made.

Every team statistic in the engine reduces to sums over the rows of a team. Instead of a Python
loop over teams (or pandas ``groupby().apply``), a :class:`Groups` maps each row to an integer
team code once, and every reduction is a single ``np.bincount`` over all rows — for a matrix of
items, a single ``bincount`` over ``code * K + item``. That keeps a million respondents in 20,000
teams well under a second.

Missing values are NaN and are skipped per cell (pairwise, item by item); each reduction returns
the counts it used so callers can apply their own minimum-n rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.stats._validation import as_float_matrix

__all__ = ["Groups"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Groups:
    """Row → group codes for vectorised reductions.

    Attributes
    ----------
    codes
        One integer per row in ``0 .. n_groups - 1``.
    labels
        The group label of each code, in sorted order of the labels.

    Examples
    --------
    >>> g = Groups.from_labels(["b", "a", "b", "b"])
    >>> g.labels.tolist(), g.sizes().tolist()
    (['a', 'b'], [1, 3])
    >>> g.mean([1.0, 2.0, 3.0, np.nan]).tolist()
    [2.0, 2.0]
    """

    codes: IntArray
    labels: npt.NDArray[Any]

    @classmethod
    def from_labels(cls, labels: Any) -> Groups:
        """Factorise group labels (any hashable values, no missing ones) into codes."""
        series = pd.Series(np.asarray(labels))
        if series.isna().any():
            first = int(np.flatnonzero(series.isna().to_numpy())[0])
            raise ValueError(f"group label is missing in row {first + 1}.")
        codes, uniques = pd.factorize(series, sort=True)
        return cls(codes=codes.astype(np.int64), labels=np.asarray(uniques))

    @property
    def n_groups(self) -> int:
        return int(self.labels.shape[0])

    @property
    def n_rows(self) -> int:
        return int(self.codes.shape[0])

    def sizes(self) -> IntArray:
        """Rows per group."""
        return np.bincount(self.codes, minlength=self.n_groups).astype(np.int64)

    def _flat_index(self, n_columns: int) -> IntArray:
        return (self.codes[:, np.newaxis] * n_columns + np.arange(n_columns)).ravel()

    def _check_rows(self, matrix: FloatArray) -> None:
        if matrix.shape[0] != self.n_rows:
            raise ValueError(
                f"values have {matrix.shape[0]} rows but the grouping has {self.n_rows}."
            )

    def _reduce(self, matrix: FloatArray, weights: FloatArray) -> FloatArray:
        """Sum ``weights`` (shaped like ``matrix``) per group and column."""
        n_columns = matrix.shape[1]
        if n_columns == 1:  # one column: the codes are the index, no N-sized index to build
            totals = np.bincount(self.codes, weights=weights.ravel(), minlength=self.n_groups)
            return np.asarray(totals, dtype=np.float64).reshape(self.n_groups, 1)
        totals = np.bincount(
            self._flat_index(n_columns),
            weights=weights.ravel(),
            minlength=self.n_groups * n_columns,
        )
        return np.asarray(totals, dtype=np.float64).reshape(self.n_groups, n_columns)

    def count(self, values: Any) -> FloatArray:
        """Non-missing values per group (and per column for a matrix)."""
        matrix = as_float_matrix(values, name="values")
        self._check_rows(matrix)
        return _shape_like(self._count(matrix), values)

    def _count(self, matrix: FloatArray) -> FloatArray:
        missing = np.isnan(matrix)
        if not missing.any():  # nothing missing: every row counts, one plain bincount
            sizes = self.sizes().astype(np.float64)
            return np.repeat(sizes[:, np.newaxis], matrix.shape[1], axis=1)
        return self._reduce(matrix, (~missing).astype(np.float64))

    def sum(self, values: Any) -> FloatArray:
        """Sum of the non-missing values per group (0 for a group with none)."""
        matrix = as_float_matrix(values, name="values")
        self._check_rows(matrix)
        out = self._reduce(matrix, np.nan_to_num(matrix, nan=0.0))
        return _shape_like(out, values)

    def mean(self, values: Any) -> FloatArray:
        """Mean of the non-missing values per group (NaN for a group with none)."""
        matrix = as_float_matrix(values, name="values")
        self._check_rows(matrix)
        count = self._count(matrix)
        total = self._reduce(matrix, np.nan_to_num(matrix, nan=0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(count > 0, total / count, np.nan)
        return _shape_like(out, values)

    def broadcast(self, per_group: Any) -> FloatArray:
        """Spread a per-group value (or per-group row of a matrix) back to the rows."""
        array = np.asarray(per_group, dtype=np.float64)
        if array.shape[0] != self.n_groups:
            raise ValueError(f"expected {self.n_groups} group values, got {array.shape[0]}.")
        return array[self.codes]

    def sum_of_squares(self, values: Any) -> FloatArray:
        """Sum of squared deviations from the group mean (two-pass, numerically stable)."""
        matrix = as_float_matrix(values, name="values")
        self._check_rows(matrix)
        means = self.mean(matrix)
        deviations = matrix - means[self.codes]
        out = self._reduce(matrix, np.nan_to_num(deviations * deviations, nan=0.0))
        return _shape_like(out, values)

    def var(self, values: Any, *, ddof: int = 1) -> FloatArray:
        """Variance per group of the non-missing values (NaN where count <= ddof)."""
        matrix = as_float_matrix(values, name="values")
        count = self.count(matrix)
        squares = self.sum_of_squares(matrix)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(count > ddof, squares / (count - ddof), np.nan)
        return _shape_like(out, values)

    def subset(self, mask: Any) -> Groups:
        """The grouping restricted to the rows where ``mask`` is true; labels are kept."""
        keep = np.asarray(mask, dtype=bool)
        return Groups(codes=self.codes[keep], labels=self.labels)


def _shape_like(out: FloatArray, values: Any) -> FloatArray:
    """Return a 1-D result for 1-D input, the (groups × columns) matrix otherwise."""
    if np.ndim(values) == 1:
        return np.asarray(out[:, 0])
    return out
