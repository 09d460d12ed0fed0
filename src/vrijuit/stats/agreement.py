"""Within-team agreement: rwg, rwg(J), Lindell's r*wg(J), a_wg and the average deviation (AD).

Agreement indices are item-level statistics: they ask whether the members of one team give the
same answers. Every function here works on all teams at once (one ``np.bincount`` per sum, via
:class:`~vrijuit.stats.groups.Groups`) and returns a :class:`TeamAgreement` with one value per
team, the number of respondents used and the number of items used.

Missing data follow R ``multilevel`` 2.8 (Bliese), whose functions are not consistent with each
other; we copy that on purpose so results can be checked against R:

* ``rwg`` drops missing answers of the one item;
* ``rwg_j`` and ``rwg_j_lindell`` use item-wise (pairwise) variances by default (2.8) and offer
  ``missing="listwise"`` (the default up to 2.7);
* ``awg`` and ``average_deviation`` always drop incomplete rows (listwise).

Speed: when every answer is a whole number (a Likert scale, the common case) the multi-item
indices are derived from one table of counts per team × item × answer option (see
:func:`team_item_counts`), so after one cheap counting pass their cost no longer depends on the
number of respondents. Build that table once with :func:`team_item_counts` and pass it as
``counts=`` to let several indices share it; without it each function builds its own (or, for
other data, takes the general float path). Both paths give the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from vrijuit.stats._grouping import (
    MAX_OPTIONS,
    ItemMoments,
    TeamItemCounts,
    answer_table,
    as_groups,
    team_item_moments,
)
from vrijuit.stats._validation import as_float_matrix, as_float_vector, check_option
from vrijuit.stats.groups import Groups
from vrijuit.stats.results import Result

__all__ = [
    "NULL_DISTRIBUTIONS_5",
    "TeamAgreement",
    "TeamItemCounts",
    "average_deviation",
    "awg",
    "null_variance",
    "rwg",
    "rwg_j",
    "rwg_j_lindell",
    "team_item_counts",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NullDistribution = Literal[
    "uniform", "slight_skew", "moderate_skew", "heavy_skew", "triangular", "normal"
]

#: Response probabilities P(1..5) behind the 5-point alternative nulls of LeBreton & Senter
#: (2008). The variances are computed from these, never copied, so they can be checked.
NULL_DISTRIBUTIONS_5: dict[str, tuple[float, ...]] = {
    "uniform": (0.2, 0.2, 0.2, 0.2, 0.2),
    "slight_skew": (0.05, 0.15, 0.20, 0.35, 0.25),
    "moderate_skew": (0.0, 0.10, 0.15, 0.40, 0.35),
    "heavy_skew": (0.0, 0.0, 0.10, 0.40, 0.50),
    "triangular": (0.11, 0.22, 0.34, 0.22, 0.11),
    "normal": (0.07, 0.24, 0.38, 0.24, 0.07),
}


@dataclass(frozen=True, eq=False)
class TeamAgreement(Result):
    """One agreement index per team.

    Attributes
    ----------
    index
        Which index: ``"rwg"``, ``"rwg_j"``, ``"rwg_j_lindell"``, ``"awg"``, ``"ad_mean"`` or
        ``"ad_median"``.
    labels
        Team labels, sorted.
    n
        Respondents used per team (see each function for the missing-data rule).
    values
        The index per team; NaN where it is undefined (one respondent, an inadmissible mean).
    items_used
        Items that entered the value of each team (0 where the value is NaN).
    null_variance
        The null ("expected random") variance σ²E for the rwg family, else ``None``.
    """

    index: str
    labels: npt.NDArray[Any]
    n: IntArray
    values: FloatArray
    items_used: IntArray
    null_variance: float | None = None

    @property
    def mean(self) -> float:
        """Mean over the teams with a defined value (NaN if there are none)."""
        finite = self.values[~np.isnan(self.values)]
        return float(finite.mean()) if finite.size else float("nan")

    @property
    def median(self) -> float:
        """Median over the teams with a defined value (NaN if there are none)."""
        finite = self.values[~np.isnan(self.values)]
        return float(np.median(finite)) if finite.size else float("nan")


def null_variance(
    n_options: int,
    *,
    distribution: NullDistribution = "uniform",
    probabilities: Sequence[float] | None = None,
) -> float:
    """Null ("expected random") response variance σ²E for an A-point response format.

    σ²E = Σ_a p_a (a − μ_p)², with μ_p = Σ_a p_a·a over the options a = 1..A. The uniform
    (rectangular) null is p_a = 1/A, which gives (A² − 1)/12 (James, Demaree & Wolf 1984).
    The alternative nulls for response bias (LeBreton & Senter 2008) are built in for 5-point
    formats only, from their probability vectors (:data:`NULL_DISTRIBUTIONS_5`). For other
    formats pass ``probabilities``: the 6–11-point table that circulates for these nulls could
    not be verified, so it is deliberately not shipped.

    Parameters
    ----------
    n_options
        Number of response options A (≥ 2).
    distribution
        A named null; anything but ``"uniform"`` requires ``n_options == 5``.
    probabilities
        P(1..A), non-negative and summing to 1; overrides ``distribution`` (which must then be
        left at ``"uniform"``).

    Returns
    -------
    float
        σ²E, the divisor of rwg-type indices.

    Notes
    -----
    R: ``multilevel::rwg(x, grpid, ranvar=2)`` takes σ²E as ``ranvar`` and leaves it to you.

    Examples
    --------
    >>> null_variance(5)
    2.0
    >>> null_variance(7)
    4.0
    >>> round(null_variance(5, distribution="slight_skew"), 4)
    1.34
    >>> round(null_variance(3, probabilities=[0.25, 0.5, 0.25]), 4)
    0.5
    """
    if isinstance(n_options, bool) or not isinstance(n_options, int | np.integer):
        raise TypeError(f"n_options must be an integer, got {n_options!r}.")
    if n_options < 2:
        raise ValueError(f"n_options must be at least 2, got {n_options}.")
    check_option(distribution, name="distribution", allowed=tuple(NULL_DISTRIBUTIONS_5))
    if probabilities is not None:
        if distribution != "uniform":
            raise ValueError("pass either distribution or probabilities, not both.")
        p = np.asarray(probabilities, dtype=np.float64)
        if p.ndim != 1 or p.shape[0] != n_options:
            raise ValueError(
                f"probabilities must have one value per option ({n_options}), got shape {p.shape}."
            )
        if np.any(~np.isfinite(p)) or np.any(p < 0) or not np.isclose(p.sum(), 1.0, atol=1e-9):
            raise ValueError("probabilities must be non-negative and sum to 1.")
    elif distribution == "uniform":
        return (n_options**2 - 1) / 12.0
    elif n_options != 5:
        raise ValueError(
            f"the {distribution!r} null is only defined here for 5-point formats; for "
            f"{n_options} options pass probabilities=... instead."
        )
    else:
        p = np.asarray(NULL_DISTRIBUTIONS_5[distribution], dtype=np.float64)
    options = np.arange(1, n_options + 1, dtype=np.float64)
    centre = float(p @ options)
    return float(p @ (options - centre) ** 2)


def _check_null(value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"null_variance must be a positive number, got {value!r}.")
    return value


def _complete_rows(matrix: FloatArray) -> npt.NDArray[np.bool_]:
    return np.asarray(~np.isnan(matrix).any(axis=1))


def team_item_counts(items: Any, groups: Groups | Any, *, low: int, high: int) -> TeamItemCounts:
    """Count the answers per team × item × option once, for all multi-item agreement indices.

    c_jka = the number of members of team j who gave answer ``low + a`` to item k. Every
    multi-item index follows from these counts: n_jk = Σ_a c_jka, the mean and the variance from
    Σ_a c_jka·a and Σ_a c_jka·a², the median from the cumulative counts and the average deviation
    as Σ_a c_jka·|answer_a − centre| / n. Building the table costs one pass over the data;
    pass it as ``counts=`` to :func:`rwg_j`, :func:`rwg_j_lindell`, :func:`awg` and
    :func:`average_deviation` so a report counts each scale once. Missing answers (NaN) are
    left out; a second table keeps only complete rows for the listwise indices.

    Parameters
    ----------
    items
        Respondents × items matrix of whole-number answers from ``low`` to ``high``; NaN =
        missing.
    groups
        A :class:`Groups` or one team label per respondent.
    low, high
        The declared answer scale, e.g. 1 and 5; at most 64 options.

    Returns
    -------
    TeamItemCounts
        The count tables (``answers``: all answers; ``complete_answers``: complete rows only),
        the team ``labels``, and per team the rows with any answer (``responding``) and the
        complete rows (``complete``).

    Raises
    ------
    ValueError
        If an answer is not a whole number from ``low`` to ``high``.

    Notes
    -----
    Memory is teams × items × options × 8 bytes per table. R has no equivalent; ``multilevel``
    recomputes per team (``tapply``).

    Examples
    --------
    >>> counts = team_item_counts([[1, 2], [2, 2], [5, 4]], ["a", "a", "b"], low=1, high=5)
    >>> counts.answers[0].tolist()  # team "a": item 1 got a 1 and a 2; item 2 got two 2s
    [[1, 1, 0, 0, 0], [0, 2, 0, 0, 0]]
    >>> rwg_j([[1, 2], [2, 2], [5, 4]], ["a", "a", "b"], null_variance=2.0,
    ...       counts=counts).values.round(4).tolist()
    [0.9333, nan]
    """
    matrix = as_float_matrix(items, name="items")
    grouping = as_groups(groups, n_rows=matrix.shape[0])
    for name, bound in (("low", low), ("high", high)):
        if isinstance(bound, bool) or not float(bound).is_integer():  # False for NaN and inf
            raise TypeError(f"{name} must be a whole number, got {bound!r}.")
    low, high = int(low), int(high)
    if low >= high or high - low + 1 > MAX_OPTIONS:
        raise ValueError(
            f"low..high must span 2 to {MAX_OPTIONS} options, got low={low}, high={high}."
        )
    table = answer_table(matrix, grouping, low=low, high=high, compact_only=False)
    if table is None:
        raise ValueError(
            f"items must be whole numbers from {low} to {high} (or NaN) to be counted; "
            "leave counts= out for other data."
        )
    return table


def _shape_of(values: Any) -> tuple[int, int]:
    """Rows and columns of a matrix (a vector is one column) without converting it."""
    shape = np.shape(values)
    return int(shape[0]), int(shape[1]) if len(shape) > 1 else 1


def _table_or_matrix(
    items: Any, groups: Groups | Any, counts: TeamItemCounts | None
) -> TeamItemCounts | tuple[FloatArray, Groups]:
    """The answer table when the answers are whole numbers, else the float matrix and teams."""
    if counts is None:
        matrix = as_float_matrix(items, name="items")
        grouping = as_groups(groups, n_rows=matrix.shape[0])
        table = answer_table(matrix, grouping)
        return (matrix, grouping) if table is None else table
    if not isinstance(counts, TeamItemCounts):
        raise TypeError(f"counts must come from team_item_counts(), got {type(counts).__name__}.")
    rows, columns = _shape_of(items)
    group_rows = groups.n_rows if isinstance(groups, Groups) else _shape_of(groups)[0]
    if (rows, columns, group_rows) != (counts.n_rows, counts.n_items, counts.n_rows):
        raise ValueError(
            f"counts were made from {counts.n_rows} rows × {counts.n_items} items, but items "
            f"are {rows} × {columns} with {group_rows} team labels."
        )
    if isinstance(groups, Groups) and not np.array_equal(groups.labels, counts.labels):
        raise ValueError("counts were made for other teams than groups.")
    return counts


def rwg(values: Any, groups: Groups | Any, *, null_variance: float) -> TeamAgreement:
    """Single-item within-team agreement rwg (James, Demaree & Wolf 1984).

    rwg_j = 1 − s²_j/σ²E, with s²_j the sample variance (n − 1 divisor) of team j. A variance
    above the null is reset to the null, so rwg = 0 (James et al.'s and LeBreton & Senter's
    advice, and what ``multilevel::rwg`` does: ``if (V > ranvar) V <- ranvar``). Teams with one
    answer get NaN. Missing answers are dropped.

    Parameters
    ----------
    values
        One answer (or scale score) per respondent; NaN = missing.
    groups
        A :class:`Groups` or one team label per respondent.
    null_variance
        σ²E, e.g. ``null_variance(5)`` = 2.0.

    Notes
    -----
    R: ``multilevel::rwg(x, grpid, ranvar=2)``.

    Examples
    --------
    >>> res = rwg([1, 2, 3, 3, 3, 3], ["a", "a", "a", "b", "b", "b"], null_variance=2.0)
    >>> res.values.tolist(), res.n.tolist()
    ([0.5, 1.0], [3, 3])
    """
    sigma2 = _check_null(null_variance)
    x = as_float_vector(values, name="values")
    grouping = as_groups(groups, n_rows=x.shape[0])
    n = grouping.count(x)
    variance = np.minimum(grouping.var(x), sigma2)  # NaN (n < 2) stays NaN
    out = 1.0 - variance / sigma2
    return TeamAgreement(
        index="rwg",
        labels=grouping.labels,
        n=n.astype(np.int64),
        values=out,
        items_used=np.where(np.isnan(out), 0, 1).astype(np.int64),
        null_variance=sigma2,
    )


def _mean_item_variance(
    items: Any, groups: Groups | Any, missing: str, counts: TeamItemCounts | None
) -> tuple[npt.NDArray[Any], IntArray, FloatArray, int]:
    """Per team: labels, respondents used, the mean of the item variances, number of items."""
    check_option(missing, name="missing", allowed=("pairwise", "listwise"))
    source = _table_or_matrix(items, groups, counts)
    if isinstance(source, TeamItemCounts):
        listwise = missing == "listwise"
        variance = source.moments(listwise=listwise)[2]
        n = source.complete if listwise else source.responding
        return source.labels, n, variance.mean(axis=1), source.n_items
    matrix, grouping = source
    if missing == "listwise":
        keep = _complete_rows(matrix)
        matrix, grouping = matrix[keep], grouping.subset(keep)
        answered: FloatArray = np.ones(matrix.shape[0], dtype=np.float64)
    else:
        # multilevel 2.8 counts every row of the team, also partly missing ones (gsize).
        answered = np.asarray((~np.isnan(matrix)).any(axis=1), dtype=np.float64)
    n = grouping.sum(answered).astype(np.int64)
    # An item with fewer than two answers has no variance; then, as in R's mean() without
    # na.rm, the team has no value.
    mean_variance = team_item_moments(matrix, grouping).var.mean(axis=1)
    return grouping.labels, n, mean_variance, matrix.shape[1]


def rwg_j(
    items: Any,
    groups: Groups | Any,
    *,
    null_variance: float,
    missing: Literal["pairwise", "listwise"] = "pairwise",
    counts: TeamItemCounts | None = None,
) -> TeamAgreement:
    """Multi-item within-team agreement rwg(J) (James, Demaree & Wolf 1984).

    With s̄²_j the mean of the K item variances in team j and s = s̄²_j/σ²E:

    rwg(J) = K(1 − s) / (K(1 − s) + s)

    Truncation: if s̄²_j > σ²E it is reset to σ²E, so rwg(J) = 0 (``multilevel::rwg.j``);
    without it the formula leaves [0, 1]. rwg(J) rises with K (a Spearman–Brown-type
    inflation); see :func:`rwg_j_lindell` for an index that does not.

    Parameters
    ----------
    items
        Respondents × items matrix; NaN = missing.
    groups
        A :class:`Groups` or one team label per respondent.
    null_variance
        σ²E of one item, e.g. ``null_variance(5)`` = 2.0.
    missing
        ``"pairwise"`` (multilevel 2.8 default): each item variance uses the answers to that
        item, and ``n`` counts every row with at least one answer. ``"listwise"``
        (multilevel ≤ 2.7): incomplete rows are dropped first.
    counts
        :func:`team_item_counts` of these same items and teams, to share one count table between
        indices; only its shape is checked against ``items``. Built here when omitted.

    Notes
    -----
    R: ``multilevel::rwg.j(x, grpid, ranvar=2)`` (2.8; ``listwise=TRUE`` for the old rule).
    R counts rows that are entirely missing in ``gsize``; we count only rows with an answer.

    Examples
    --------
    >>> items = [[4, 5], [5, 5], [4, 4], [1, 5], [5, 1], [3, 3]]
    >>> res = rwg_j(items, [1, 1, 1, 2, 2, 2], null_variance=2.0)
    >>> [round(v, 4) for v in res.values.tolist()]
    [0.9091, 0.0]
    """
    sigma2 = _check_null(null_variance)
    labels, n, mean_variance, k = _mean_item_variance(items, groups, missing, counts)
    ratio = np.minimum(mean_variance, sigma2) / sigma2
    with np.errstate(invalid="ignore", divide="ignore"):
        out = k * (1.0 - ratio) / (k * (1.0 - ratio) + ratio)
    return TeamAgreement(
        index="rwg_j",
        labels=labels,
        n=n,
        values=out,
        items_used=np.where(np.isnan(out), 0, k).astype(np.int64),
        null_variance=sigma2,
    )


def rwg_j_lindell(
    items: Any,
    groups: Groups | Any,
    *,
    null_variance: float,
    missing: Literal["pairwise", "listwise"] = "pairwise",
    counts: TeamItemCounts | None = None,
) -> TeamAgreement:
    """Lindell's r*wg(J) = 1 − s̄²_j/σ²E (Lindell, Brandt & Whitney 1999).

    No truncation: the maximal-dissensus item variance is 2σ²E under the uniform null, so the
    index ranges over [−1, 1] (in small teams the n − 1 divisor can push it lower) and a
    negative value means "more disagreement than random".
    Unlike rwg(J) it does not grow with the number of items. Missing data and ``counts`` as
    :func:`rwg_j`.

    Notes
    -----
    R: ``multilevel::rwg.j.lindell(x, grpid, ranvar=2)``.

    Examples
    --------
    >>> items = [[4, 5], [5, 5], [4, 4], [1, 5], [5, 1], [3, 3]]
    >>> res = rwg_j_lindell(items, [1, 1, 1, 2, 2, 2], null_variance=2.0)
    >>> [round(v, 4) for v in res.values.tolist()]
    [0.8333, -1.0]
    """
    sigma2 = _check_null(null_variance)
    labels, n, mean_variance, k = _mean_item_variance(items, groups, missing, counts)
    out = 1.0 - mean_variance / sigma2
    return TeamAgreement(
        index="rwg_j_lindell",
        labels=labels,
        n=n,
        values=out,
        items_used=np.where(np.isnan(out), 0, k).astype(np.int64),
        null_variance=sigma2,
    )


def _listwise(matrix: FloatArray, grouping: Groups) -> tuple[FloatArray, Groups, IntArray]:
    keep = _complete_rows(matrix)
    matrix, grouping = matrix[keep], grouping.subset(keep)
    return matrix, grouping, grouping.sizes()


def awg(
    items: Any,
    groups: Groups | Any,
    *,
    low: float,
    high: float,
    counts: TeamItemCounts | None = None,
) -> TeamAgreement:
    """Brown & Hauenstein's (2005) a_wg, single item or the mean over items.

    For one item in a team with mean M, sample variance s² and k respondents, on a scale from
    L = ``low`` to H = ``high``:

    a_wg = 1 − 2s² / ( [(H + L)M − M² − HL] · k/(k − 1) )

    The bracket is the largest variance possible given M, so a_wg ∈ [−1, 1]. It is defined only
    when (L(k − 1) + H)/k ≤ M ≤ (H(k − 1) + L)/k (NaN outside, as ``multilevel::awg``); when
    M = L or M = H everyone gave the same answer and a_wg = 1. One respondent gives NaN. The
    multi-item value is the mean of the defined item values (R's ``mean(..., na.rm=TRUE)``);
    ``items_used`` says how many that were. Incomplete rows are dropped (listwise), as in R.
    ``counts``: see :func:`rwg_j`.

    Notes
    -----
    R: ``multilevel::awg(x, grpid, range=c(1, 5))``. Interpretation (Brown & Hauenstein 2005,
    pp. 177–178): ≥ .70 acceptable, .60–.69 reasonable, < .60 unacceptable.

    Examples
    --------
    >>> res = awg([[1], [1], [5], [5], [3], [3], [4], [4]], [1, 1, 1, 1, 2, 2, 2, 2],
    ...           low=1, high=5)
    >>> [round(v, 4) for v in res.values.tolist()]
    [-1.0, 0.8]
    """
    low, high = float(low), float(high)
    if not np.isfinite(low) or not np.isfinite(high) or low >= high:
        raise ValueError(f"low must be below high, got low={low!r}, high={high!r}.")
    source = _table_or_matrix(items, groups, counts)
    if isinstance(source, TeamItemCounts):
        labels, n = source.labels, source.complete
        _, mean, variance = source.moments(listwise=True)
    else:
        matrix, grouping, n = _listwise(*source)
        moments = team_item_moments(matrix, grouping)
        labels, mean, variance = grouping.labels, moments.mean, moments.var
    k = n.astype(np.float64)[:, np.newaxis]
    # A small tolerance so a mean exactly on a bound (computed another way) stays admissible.
    tol = 1e-9 * (high - low)
    with np.errstate(invalid="ignore", divide="ignore"):
        lowest = (low * (k - 1.0) + high) / k
        highest = (high * (k - 1.0) + low) / k
        max_variance = ((high + low) * mean - mean**2 - high * low) * (k / (k - 1.0))
        item_awg = 1.0 - 2.0 * variance / max_variance
        admissible = (mean >= lowest - tol) & (mean <= highest + tol) & (k > 1.0)
        at_bound = (np.abs(mean - low) <= tol) | (np.abs(mean - high) <= tol)
        item_awg = np.where(at_bound & (k > 1.0), 1.0, np.where(admissible, item_awg, np.nan))
    defined = ~np.isnan(item_awg)
    used = defined.sum(axis=1).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(used > 0, np.nansum(item_awg, axis=1) / np.maximum(used, 1), np.nan)
    return TeamAgreement(index="awg", labels=labels, n=n, values=out, items_used=used)


def _team_medians(matrix: FloatArray, grouping: Groups, moments: ItemMoments) -> FloatArray:
    """Per team and item the median, R style (mean of the two middle values for even n).

    Integer answers on a short scale (Likert) take a counting path: per team the number of
    answers at or below each option, then the options at the two middle ranks. Other data are
    sorted within teams by one column sort of values shifted into a separate interval per team.
    Data are complete here (listwise).
    """
    n_teams, n_items = moments.count.shape
    if matrix.shape[0] == 0:
        return np.full((n_teams, n_items), np.nan)
    lowest, highest = float(np.min(matrix)), float(np.max(matrix))
    n = moments.count
    lower_rank, upper_rank = np.floor((n - 1.0) / 2.0), np.floor(n / 2.0)
    if highest - lowest <= 20 and np.all(matrix == np.round(matrix)):
        lower = np.full((n_teams, n_items), np.nan)
        upper = np.full((n_teams, n_items), np.nan)
        at_or_below = np.zeros((n_teams, n_items))
        for option in np.arange(lowest, highest + 1.0):
            at_or_below += moments.reduce((matrix == option).astype(np.float64))
            # The option at 0-based rank r is the first whose cumulative count exceeds r.
            lower = np.where(np.isnan(lower) & (at_or_below > lower_rank), option, lower)
            upper = np.where(np.isnan(upper) & (at_or_below > upper_rank), option, upper)
    else:
        span = highest - lowest + 1.0
        offset = grouping.codes.astype(np.float64)[:, np.newaxis] * span
        shifted = np.sort(matrix - lowest + offset, axis=0)
        sizes = grouping.sizes()
        first = np.concatenate(([0], np.cumsum(sizes)[:-1]))[:, np.newaxis].astype(np.float64)
        last = matrix.shape[0] - 1
        lower_row = np.minimum(first + lower_rank, last).astype(np.int64)
        upper_row = np.minimum(first + upper_rank, last).astype(np.int64)
        columns = np.arange(n_items)
        team_offset = np.arange(n_teams, dtype=np.float64)[:, np.newaxis] * span - lowest
        lower = shifted[lower_row, columns] - team_offset
        upper = shifted[upper_row, columns] - team_offset
    return np.where(n > 0, (lower + upper) / 2.0, np.nan)


def average_deviation(
    items: Any,
    groups: Groups | Any,
    *,
    center: Literal["mean", "median"] = "mean",
    counts: TeamItemCounts | None = None,
) -> TeamAgreement:
    """Average deviation AD (Burke, Finkelstein & Dusig 1999), per item and averaged over items.

    AD_m = (1/n_j) Σ_i |x_im − c_m|, with c_m the team's item mean (AD(M)) or median (AD(Md));
    divisor n, not n − 1. The median of an even number of answers is the mean of the two middle
    ones, as in R. The multi-item AD_M(J) is the mean over items. Lower is more agreement;
    a practical cut-off is AD ≤ A/6 (0.83 on 5 points; Burke & Dunlap 2002). One respondent gives
    NaN. Incomplete rows are dropped (listwise), as ``multilevel::ad.m``. ``counts``: see
    :func:`rwg_j`.

    Notes
    -----
    R: ``multilevel::ad.m(x, grpid, type="mean")`` or ``type="median"``.

    Examples
    --------
    >>> res = average_deviation([[1], [2], [4], [3], [3]], [1, 1, 1, 2, 2])
    >>> [round(v, 4) for v in res.values.tolist()]
    [1.1111, 0.0]
    >>> average_deviation([[1], [2], [4]], [1, 1, 1], center="median").values.tolist()
    [1.0]
    """
    check_option(center, name="center", allowed=("mean", "median"))
    source = _table_or_matrix(items, groups, counts)
    if isinstance(source, TeamItemCounts):
        labels, n, n_items = source.labels, source.complete, source.n_items
        if center == "mean":
            centres = source.moments(listwise=True)[1]
        else:
            centres = source.medians(listwise=True)
        total = source.absolute_deviations(centres, listwise=True)
    else:
        matrix, grouping, n = _listwise(*source)
        moments = team_item_moments(matrix, grouping)
        centres = moments.mean if center == "mean" else _team_medians(matrix, grouping, moments)
        total = moments.reduce(np.abs(matrix - centres[grouping.codes]))
        labels, n_items = grouping.labels, matrix.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        item_ad = total / n[:, np.newaxis]
    out = np.where(n > 1, item_ad.mean(axis=1), np.nan)
    return TeamAgreement(
        index=f"ad_{center}",
        labels=labels,
        n=n,
        values=out,
        items_used=np.where(np.isnan(out), 0, n_items).astype(np.int64),
    )
