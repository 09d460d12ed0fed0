"""Accept either a :class:`Groups` or an array of team labels; per-team item summaries.

:class:`Groups` makes each reduction of an N × K matrix with its own ``np.bincount`` and rebuilds
the N·K index every time; a variance costs five such passes. The agreement indices need count,
mean, variance, median and absolute deviations of every item in every team of a million-row
matrix. Two ways to get them:

* :func:`answer_table` — for whole-number answers on a short scale (Likert, the common case):
  one table of counts per team × item × answer option, built with one small ``np.bincount`` per
  item; everything else follows from the table, independent of the number of respondents.
* :func:`team_item_moments` — any real numbers: the index is built once and three passes are
  made, using a shifted one-pass variance (each column is centred on its overall mean first,
  which keeps the sums of squares well conditioned for bounded answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vrijuit.stats.groups import Groups

__all__ = [
    "MAX_OPTIONS",
    "ItemMoments",
    "TeamItemCounts",
    "answer_table",
    "any_per_row",
    "as_groups",
    "team_item_moments",
    "true_per_row",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def true_per_row(mask: npt.NDArray[np.bool_]) -> IntArray:
    """How many entries of each row of an N × K boolean matrix are true.

    Adds the K columns one by one: for the few items of a scale this is 4–5× faster than
    ``np.count_nonzero(mask, axis=1)``, which reduces along the short row axis.

    >>> true_per_row(np.array([[True, False, True], [False, False, False]])).tolist()
    [2, 0]
    """
    count = np.zeros(mask.shape[0], dtype=np.int64)
    for column in range(mask.shape[1]):
        count += mask[:, column]
    return count


def any_per_row(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Whether each row of an N × K boolean matrix has a true entry.

    ORs the K columns one by one, for the same reason as :func:`true_per_row`: several times
    faster than ``mask.any(axis=1)`` for the few items of a scale.

    >>> any_per_row(np.array([[False, True], [False, False]])).tolist()
    [True, False]
    """
    out = np.zeros(mask.shape[0], dtype=bool)
    for column in range(mask.shape[1]):
        out |= mask[:, column]
    return out


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


#: Answer scales wider than this many options take the float path (the table grows with them).
MAX_OPTIONS = 64
#: Answers are held as int8 while the table is built; one code above the scale marks missing.
_INT8_LOW, _INT8_HIGH = -128, 126


@dataclass(frozen=True, eq=False)
class TeamItemCounts:
    """How many members of each team gave each answer to each item, for integer answer scales.

    Built once by :func:`team_item_counts` (one ``np.bincount`` per item over all rows); every
    agreement index then follows from this table in O(teams × items × options), whatever the
    number of respondents. Two tables are kept because R's agreement functions disagree on
    missing data: ``answers`` counts every answer (item-wise, "pairwise"), ``complete_answers``
    only those of rows that answered every item ("listwise"; the same array when no row is
    incomplete).

    Attributes
    ----------
    labels
        Team labels, sorted (as :class:`Groups`).
    low
        The answer that option 0 stands for; option ``a`` is the answer ``low + a``.
    answers
        Teams × items × options counts of all answers.
    complete_answers
        The same for rows without a missing answer.
    responding
        Rows per team with at least one answer.
    complete
        Rows per team with every item answered.
    n_rows
        Respondents (rows) the table was built from.
    """

    labels: npt.NDArray[Any]
    low: int
    answers: IntArray
    complete_answers: IntArray
    responding: IntArray
    complete: IntArray
    n_rows: int

    @property
    def n_items(self) -> int:
        return int(self.answers.shape[1])

    @property
    def n_options(self) -> int:
        return int(self.answers.shape[2])

    def table(self, *, listwise: bool) -> IntArray:
        """The listwise or the item-wise (pairwise) count table."""
        return self.complete_answers if listwise else self.answers

    def moments(self, *, listwise: bool) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per team × item: count, mean and sample variance (n − 1; NaN where count < 2).

        From the option sums S1 = Σ c_a·a and S2 = Σ c_a·a², exact integers in float64, so
        Σ(x − x̄)² = (n·S2 − S1²)/n loses nothing to cancellation.
        """
        counts = self.table(listwise=listwise).astype(np.float64)
        options = np.arange(self.n_options, dtype=np.float64)
        n = counts.sum(axis=2)
        s1 = counts @ options
        s2 = counts @ (options * options)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, self.low + s1 / n, np.nan)
            var = np.where(n > 1, (n * s2 - s1 * s1) / (n * (n - 1.0)), np.nan)
        return n, mean, var

    def medians(self, *, listwise: bool) -> FloatArray:
        """Per team × item the median, R style (mean of the two middle answers for even n).

        The answer at 0-based rank r is the first option whose cumulative count exceeds r.
        """
        cumulative = np.cumsum(self.table(listwise=listwise), axis=2)
        n = cumulative[:, :, -1]
        lower = (cumulative <= ((n - 1) // 2)[:, :, np.newaxis]).sum(axis=2)
        upper = (cumulative <= (n // 2)[:, :, np.newaxis]).sum(axis=2)
        return np.where(n > 0, self.low + (lower + upper) / 2.0, np.nan)

    def absolute_deviations(self, centres: FloatArray, *, listwise: bool) -> FloatArray:
        """Per team × item Σ_i |x_i − centre| over the answers in the table."""
        answers = self.low + np.arange(self.n_options, dtype=np.float64)
        distance = np.abs(answers - centres[:, :, np.newaxis])
        weighted = self.table(listwise=listwise) * np.where(np.isnan(distance), 0.0, distance)
        return np.asarray(weighted.sum(axis=2), dtype=np.float64)


def answer_table(
    matrix: FloatArray,
    grouping: Groups,
    *,
    low: int | None = None,
    high: int | None = None,
    compact_only: bool = True,
) -> TeamItemCounts | None:
    """The answer table of an integer-valued ``matrix``, or ``None`` when it does not apply.

    ``None`` means: an answer is not a whole number in −128..126 (or outside ``low..high`` when
    both are given), the scale would have more than :data:`MAX_OPTIONS` options, or, with
    ``compact_only``, the table would be larger than the data (teams × options > rows, e.g. one
    respondent per team), where the float path is cheaper. Without bounds the range of the
    answers is used.

    The range is checked first (two NaN-ignoring reductions); answers are then converted to int8
    in row blocks of about 2 MB, missing ones to ``high + 1``; then one ``np.bincount`` per item
    over ``code·(A + 1) + (answer − low)``, whose table is small enough to stay in cache (slot A
    holds missing answers; rows with a missing answer are counted in a second half of the
    table, so the listwise table comes from the same pass).
    """
    n_rows, n_items = matrix.shape
    scale = _answer_range(matrix, low=low, high=high)
    if scale is None:
        return None
    lowest, highest = scale
    n_options = highest - lowest + 1
    n_teams = grouping.n_groups
    slots = n_teams * (n_options + 1)
    if n_options > MAX_OPTIONS or (compact_only and slots > max(n_rows, 1 << 16)):
        return None
    converted = _as_answer_codes(matrix, missing_code=highest + 1)
    if converted is None:
        return None
    codes, incomplete, silent = converted
    any_incomplete = bool(incomplete.any())
    base = grouping.codes * (n_options + 1) - lowest
    if any_incomplete:
        base += np.where(incomplete, slots, 0)
    complete_answers = np.empty((n_teams, n_items, n_options), dtype=np.int64)
    answers = np.empty_like(complete_answers) if any_incomplete else complete_answers
    flat = np.empty(n_rows, dtype=np.intp)
    for item in range(n_items):
        np.add(base, codes[:, item], out=flat)
        tally = np.bincount(flat, minlength=2 * slots)
        halves = tally.reshape(2, n_teams, n_options + 1)[:, :, :n_options]
        complete_answers[:, item, :] = halves[0]
        if any_incomplete:
            answers[:, item, :] = halves[0] + halves[1]
    sizes = grouping.sizes()
    return TeamItemCounts(
        labels=grouping.labels,
        low=lowest,
        answers=answers,
        complete_answers=complete_answers,
        responding=sizes - np.bincount(grouping.codes[silent], minlength=n_teams),
        complete=sizes - np.bincount(grouping.codes[incomplete], minlength=n_teams),
        n_rows=n_rows,
    )


def _answer_range(
    matrix: FloatArray, *, low: int | None, high: int | None
) -> tuple[int, int] | None:
    """The declared or observed whole-number range of the answers, if it fits int8."""
    if matrix.size:
        lowest = float(np.fmin.reduce(matrix, axis=None))  # NaN only when nothing is answered
        highest = float(np.fmax.reduce(matrix, axis=None))
    else:
        lowest = highest = float("nan")
    if low is not None and high is not None:
        if lowest < low or highest > high:
            return None
        lowest, highest = low, high
    elif np.isnan(lowest):
        lowest = highest = 0.0
    if not (lowest >= _INT8_LOW and highest <= _INT8_HIGH):  # also rejects ±inf
        return None
    return int(np.floor(lowest)), int(np.ceil(highest))


def _as_answer_codes(
    matrix: FloatArray, *, missing_code: int
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.bool_], npt.NDArray[np.bool_]] | None:
    """int8 answers (missing = ``missing_code``), the incomplete rows and the rows without any
    answer; ``None`` unless every answer is a whole number. The range is checked already."""
    n_rows, n_items = matrix.shape
    codes = np.empty(matrix.shape, dtype=np.int8)
    incomplete = np.zeros(n_rows, dtype=bool)
    silent = np.zeros(n_rows, dtype=bool)
    step = max(1, (1 << 18) // max(n_items, 1))
    with np.errstate(invalid="ignore"):
        for start in range(0, n_rows, step):
            rows = slice(start, start + step)
            block, target = matrix[rows], codes[rows]
            np.copyto(target, block, casting="unsafe")  # NaN and fractions fail the check
            exact = target == block
            if exact.all():
                continue
            missing = np.isnan(block)
            if not (exact | missing).all():
                return None
            target[missing] = missing_code
            per_row = true_per_row(missing)
            incomplete[rows] = per_row > 0
            silent[rows] = per_row == n_items
    return codes, incomplete, silent
