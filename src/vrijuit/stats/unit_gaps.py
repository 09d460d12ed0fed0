"""Subgroup gaps inside every unit at once: one attribute value against the rest of the unit.

For a unit U (with its whole subtree) and a value v of a background attribute, the two groups
are *U × v* (the unit's people with value v) and *the rest of U*: everyone else in the unit,
including people who left the attribute empty. The rest is exactly ``U minus U × v``, the group a
reader can derive from the two shown cells, so no number here is about a group that is not
a difference of shown cells (leaving the "prefer not to say" people out of the rest would publish
a number about them: U − U × v − rest).

Everything is vectorised over all units × values: one ``bincount`` per sum over the flat
unit × value code, the sums rolled up the tree one depth level at a time, then Welch's interval
and Hedges' g with its non-central-t interval as array formulas (the interval by scipy's
``nctdtrinc``, polished by three secant steps on ``nctdtr``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from vrijuit.stats._distributions import t_ppf, t_sf
from vrijuit.stats._validation import as_float_vector, check_confidence, check_option
from vrijuit.stats.gaps import _nct_interval, hedges_j
from vrijuit.stats.results import Result

__all__ = ["UnitValueGaps", "subtree_depth", "unit_value_gaps"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CiMethod = Literal["nct", "hedges_olkin"]
_CI_METHODS = ("nct", "hedges_olkin")


@dataclass(frozen=True, eq=False)
class UnitValueGaps(Result):
    """Per unit (row, with its subtree) × attribute value (column): the value against the rest.

    ``members`` / ``members_other`` count people (scored or not): the sizes of the cells
    ``U × v`` and ``U minus U × v`` that disclosure control reasons about. ``n`` / ``n_other``
    count the people with a score. Statistics are NaN where a group has fewer than 2 scores or
    the cell was not asked for (``wanted``). ``difference`` = ``mean`` − ``mean_other`` with
    Welch's SE, df, p and CI; ``d`` and ``g`` (= J·d) with the CI of ``ci_method``.
    """

    members: IntArray
    members_other: IntArray
    n: IntArray
    n_other: IntArray
    mean: FloatArray
    mean_other: FloatArray
    sd: FloatArray
    sd_other: FloatArray
    difference: FloatArray
    se: FloatArray
    df: FloatArray
    p_value: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    d: FloatArray
    g: FloatArray
    g_ci_low: FloatArray
    g_ci_high: FloatArray
    confidence: float
    ci_method: str


def subtree_depth(parent: Any) -> IntArray:
    """Depth of every unit (root = 0) from the parent index (−1 for the root), vectorised.

    >>> subtree_depth([-1, 0, 0, 1]).tolist()
    [0, 1, 1, 2]
    """
    up = np.asarray(parent, dtype=np.int64)
    if up.ndim != 1 or (up.size and (up.min() < -1 or up.max() >= up.shape[0])):
        raise ValueError("parent must be a 1-D array of unit positions, −1 for the root.")
    depth = np.zeros(up.shape[0], dtype=np.int64)
    ancestor = up.copy()
    for _ in range(up.shape[0] + 1):  # one step per level of the deepest unit
        above = ancestor >= 0
        if not above.any():
            return depth
        depth += above
        ancestor = np.where(above, up[np.maximum(ancestor, 0)], -1)
    raise ValueError("the parents form a cycle: some unit never reaches the root.")


def _roll_up(direct: FloatArray, parent: IntArray, depth: IntArray) -> FloatArray:
    """Add every unit's rows into all its ancestors, deepest level first (a loop over levels)."""
    total = direct.copy()
    for level in range(int(depth.max(initial=0)), 0, -1):
        at = np.flatnonzero(depth == level)
        np.add.at(total, parent[at], total[at])
    return total


def _codes(values: Any, name: str, n_rows: int, low: int) -> IntArray:
    codes = np.asarray(values)
    if codes.shape != (n_rows,):
        raise ValueError(f"{name} must have one code per score ({n_rows}); got {codes.shape}.")
    if codes.size and not np.issubdtype(codes.dtype, np.integer):
        raise TypeError(f"{name} must be integer codes, got {codes.dtype}.")
    out = codes.astype(np.int64)
    if out.size and out.min() < low:
        raise ValueError(f"{name} must be at least {low}; got {int(out.min())}.")
    return out


def _secant_nct(df: FloatArray, p: float, t_obs: FloatArray) -> FloatArray:
    """δ with P(T ≤ t_obs | df, δ) = p for every element: ``nctdtrinc``, then 3 secant steps."""
    x1 = np.asarray(special.nctdtrinc(df, p, t_obs), dtype=np.float64)
    x0 = x1 + 1e-4
    f0 = special.nctdtr(df, x0, t_obs) - p
    f1 = special.nctdtr(df, x1, t_obs) - p
    for _ in range(3):
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(f1 != f0, f1 * (x1 - x0) / (f1 - f0), 0.0)
        x0, f0 = x1, f1
        x1 = x1 - step
        f1 = special.nctdtr(df, x1, t_obs) - p
    return np.asarray(x1, dtype=np.float64)


def _nct_bounds(t_obs: FloatArray, df: FloatArray, confidence: float) -> tuple[FloatArray, ...]:
    alpha_half = (1.0 - confidence) / 2.0
    low = _secant_nct(df, 1.0 - alpha_half, t_obs)
    high = _secant_nct(df, alpha_half, t_obs)
    for index in np.flatnonzero(~(np.isfinite(low) & np.isfinite(high))):  # rare far tails
        low[index], high[index] = _nct_interval(float(t_obs[index]), float(df[index]), confidence)
    return low, high


def unit_value_gaps(
    scores: Any,
    units: Any,
    values: Any,
    *,
    parent: Any,
    n_values: int | None = None,
    wanted: Any = None,
    confidence: float = 0.95,
    ci_method: CiMethod = "nct",
) -> UnitValueGaps:
    """Every unit × value at once: the value's mean against the rest of the unit.

    Parameters
    ----------
    scores
        Person scores (NaN = no score; such a person still counts as a member).
    units
        Each person's unit as a position into ``parent`` (usually a team, any unit allowed).
    values
        Each person's attribute value as a code 0..V−1, −1 when missing (then the person is in
        the rest of every value).
    parent
        The unit tree: each unit's parent position, −1 for the root.
    n_values
        V, the number of values (default: the largest code + 1).
    wanted
        Optional U × V booleans: compute statistics only for these cells (the shown ones); the
        counts are always given.
    confidence
        Level of both intervals.
    ci_method
        ``"nct"`` (default) or ``"hedges_olkin"``, as :func:`vrijuit.stats.gaps.hedges_g`.

    Returns
    -------
    UnitValueGaps
        U × V arrays; row u aggregates unit u's whole subtree.

    Notes
    -----
    Per unit × value the sums n, Σ(y − c), Σ(y − c)² (scores centred on the overall mean c, so
    the variance from sums keeps its precision) come from one ``bincount`` each and are rolled up
    the tree; the rest of unit U is the unit's sums minus the value's. Then, as in
    :func:`vrijuit.stats.gaps.mean_difference`, Δ = x̄ − ȳ with Welch's (1947)
    SE = √(s_x²/n_x + s_y²/n_y), Welch–Satterthwaite df and CI Δ ± t_ν·SE; and as in
    :func:`vrijuit.stats.gaps.hedges_g`, d = Δ/s_p with the pooled SD (Cohen 1988), g = J·d with
    the exact J (Hedges 1981), the CI from the non-central t (Steiger & Fouladi 1997) or
    Hedges & Olkin's (1985) standard error. Both groups constant: SE 0, df and p NaN, the Welch
    interval is the point; d is NaN.

    R, for one unit: ``t.test(y[v], y[!v])`` and ``effectsize::hedges_g(y[v], y[!v])``.

    Examples
    --------
    >>> res = unit_value_gaps(
    ...     [4.0, 5.0, 3.0, 2.0, 5.0, 1.0, 2.0, 4.0],
    ...     [1, 1, 1, 1, 2, 2, 2, 2],
    ...     [0, 0, 1, 1, 0, 0, 1, -1],
    ...     parent=[-1, 0, 0],
    ... )
    >>> res.members[1].tolist(), res.members_other[1].tolist()
    ([2, 2], [2, 2])
    >>> round(float(res.difference[1, 0]), 3), round(float(res.difference[0, 0]), 3)
    (2.0, 1.0)
    """
    confidence = check_confidence(confidence)
    check_option(ci_method, name="ci_method", allowed=_CI_METHODS)
    y = as_float_vector(scores, name="scores")
    up = np.asarray(parent, dtype=np.int64)
    depth = subtree_depth(up)
    n_units = up.shape[0]
    unit = _codes(units, "units", y.shape[0], 0)
    value = _codes(values, "values", y.shape[0], -1)
    if unit.size and unit.max() >= n_units:
        raise ValueError(f"units must be positions below {n_units}; got {int(unit.max())}.")
    width = int(value.max(initial=-1)) + 1 if n_values is None else int(n_values)
    if value.size and value.max() >= width:
        raise ValueError(f"values must be codes below n_values={width}; got {int(value.max())}.")
    scored = ~np.isnan(y)
    centre = float(y[scored].mean()) if scored.any() else 0.0
    deviation = np.where(scored, y - centre, 0.0)
    # Column 0 of the value axis holds the missing value, so one bincount covers everyone.
    flat = unit * (width + 1) + (value + 1)
    size = n_units * (width + 1)
    direct = np.stack(
        [
            np.bincount(flat, minlength=size),
            np.bincount(flat, weights=scored.astype(np.float64), minlength=size),
            np.bincount(flat, weights=deviation, minlength=size),
            np.bincount(flat, weights=deviation * deviation, minlength=size),
        ],
        axis=1,
    ).astype(np.float64)
    cells = _roll_up(direct.reshape(n_units, (width + 1) * 4), up, depth)
    cells = cells.reshape(n_units, width + 1, 4)
    unit_total = cells.sum(axis=1)  # (U, 4)
    own = cells[:, 1:, :]  # (U, V, 4): the value columns
    rest = unit_total[:, None, :] - own
    members, n_x, s1_x, s2_x = (own[..., i] for i in range(4))
    members_other, n_y, s1_y, s2_y = (rest[..., i] for i in range(4))

    ask = (n_x >= 2) & (n_y >= 2)
    if wanted is not None:
        mask = np.asarray(wanted, dtype=bool)
        if mask.shape != ask.shape:
            raise ValueError(f"wanted must have shape {ask.shape}; got {mask.shape}.")
        ask &= mask
    nan = np.full(ask.shape, np.nan)
    # Sums of squares below this are rounding noise of a constant group (all values equal).
    noise = 1e-11 * np.broadcast_to(unit_total[:, None, 3], ask.shape)

    def moments(n: FloatArray, s1: FloatArray, s2: FloatArray) -> tuple[FloatArray, FloatArray]:
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(ask, centre + s1 / n, np.nan)
            squares = s2 - s1 * s1 / n
            var = np.where(ask, np.where(squares <= noise, 0.0, squares) / (n - 1), np.nan)
        return mean, var

    m_x, v_x = moments(n_x, s1_x, s2_x)
    m_y, v_y = moments(n_y, s1_y, s2_y)
    diff = m_x - m_y
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = v_x / n_x, v_y / n_y
        se = np.sqrt(a + b)
        df = np.where(se > 0, (a + b) ** 2 / (a * a / (n_x - 1) + b * b / (n_y - 1)), np.nan)
        t_stat = diff / se
    p_value = np.where(se > 0, 2.0 * t_sf(np.abs(t_stat), df), np.nan)
    half = np.where(se > 0, t_ppf(0.5 + confidence / 2.0, df) * se, 0.0)

    df_g = n_x + n_y - 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(((n_x - 1) * v_x + (n_y - 1) * v_y) / df_g)
        d = np.where(pooled > 0, diff / pooled, np.nan)
    j = hedges_j(np.where(ask, df_g, np.nan))
    d_low, d_high = nan.copy(), nan.copy()
    finite = np.isfinite(d)
    if ci_method == "nct" and finite.any():
        scale = np.sqrt(n_x[finite] * n_y[finite] / (n_x[finite] + n_y[finite]))
        low, high = _nct_bounds(d[finite] * scale, df_g[finite], confidence)
        d_low[finite], d_high[finite] = low / scale, high / scale
    elif finite.any():
        nx, ny, dd = n_x[finite], n_y[finite], d[finite]
        spread = np.sqrt((nx + ny) / (nx * ny) + dd * dd / (2.0 * (nx + ny)))
        crit = t_ppf(0.5 + confidence / 2.0, df_g[finite])
        d_low[finite], d_high[finite] = dd - crit * spread, dd + crit * spread

    def count(array: FloatArray) -> IntArray:
        return np.rint(array).astype(np.int64)

    return UnitValueGaps(
        members=count(members),
        members_other=count(members_other),
        n=count(n_x),
        n_other=count(n_y),
        mean=m_x,
        mean_other=m_y,
        sd=np.sqrt(v_x),
        sd_other=np.sqrt(v_y),
        difference=diff,
        se=np.where(ask, se, np.nan),
        df=df,
        p_value=np.where(ask, p_value, np.nan),
        ci_low=diff - half,
        ci_high=diff + half,
        d=d,
        g=j * d,
        g_ci_low=j * d_low,
        g_ci_high=j * d_high,
        confidence=confidence,
        ci_method=ci_method,
    )
