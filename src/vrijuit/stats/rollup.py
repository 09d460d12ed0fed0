"""The organisation's unit tree (organisation → faculty → department → team) and the roll-up of
respondent scores to every unit's whole subtree.

A unit's figures cover everyone below it: its own directly attached respondents (staff of a
faculty office, say) and those of all its descendants. Each unit starts from its own
respondents (count, mean, sum of squared deviations; the count below the cut-off), and children
are merged into their parents from the deepest level up to the root with the parallel variance
formula, one vectorised ``np.bincount`` per depth level. A loop over levels (four or five),
never over units.

Unit ids are compared as text, so a parent column that pandas read as float (``1.0`` because the
root's parent is empty) still matches unit ``1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.i18n import translate
from vrijuit.stats._labels import label_codes
from vrijuit.stats._validation import as_float_vector
from vrijuit.stats.results import Result

__all__ = [
    "AttributeRollUp",
    "RollUp",
    "UnitTree",
    "UnitTreeError",
    "normalise_unit_id",
    "rollup",
    "rollup_by_attribute",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_SHOWN = 5  # how many offending ids an error message lists


class UnitTreeError(ValueError):
    """A problem with the units table, with a message in English (``str``) and Dutch.

    ``key`` and ``params`` identify the message in ``locale/units.yaml``; ``message(lang)`` gives
    it in the user's language.
    """

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(translate(key, "en", **params))

    def message(self, lang: str) -> str:
        """The message in ``lang`` ("en" or "nl")."""
        return translate(self.key, lang, **self.params)


def normalise_unit_id(value: Any) -> str | None:
    """A unit id as text: ``None`` for missing or blank, ``"12"`` for 12 or 12.0.

    >>> normalise_unit_id(12.0), normalise_unit_id(" fac-1 "), normalise_unit_id(float("nan"))
    ('12', 'fac-1', None)
    """
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _listing(ids: Sequence[str]) -> str:
    shown = ", ".join(f"'{i}'" for i in ids[:_SHOWN])
    return shown + (f" (+{len(ids) - _SHOWN})" if len(ids) > _SHOWN else "")


@dataclass(frozen=True, eq=False)
class UnitTree:
    """A validated unit tree. Units are stored parents-before-children (by depth, then id).

    Attributes
    ----------
    ids
        Unit ids (text), in storage order.
    parent
        Position of each unit's parent in ``ids`` (−1 for the root).
    depths
        Depth of each unit (root = 0).
    names
        Optional display names per language: ``{"en": [...], "nl": [...]}``.
    levels
        Optional level of each unit ("faculty", "department", "team", ...).

    Examples
    --------
    >>> units = pd.DataFrame({"unit_id": ["uni", "fac", "t1", "t2"],
    ...                       "parent_id": [None, "uni", "fac", "fac"]})
    >>> tree = UnitTree.from_frame(units)
    >>> tree.root, tree.children("fac"), tree.ancestors("t2"), tree.depth
    ('uni', ['t1', 't2'], ['fac', 'uni'], 2)
    """

    ids: npt.NDArray[Any]
    parent: IntArray
    depths: IntArray
    names: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    levels: npt.NDArray[Any] | None = None

    @classmethod
    def from_frame(
        cls,
        units: pd.DataFrame,
        *,
        unit: str = "unit_id",
        parent: str = "parent_id",
        name_en: str | None = None,
        name_nl: str | None = None,
        level: str | None = None,
    ) -> UnitTree:
        """Build and validate the tree from a table with one row per unit.

        Raises :class:`UnitTreeError` for a missing column or id, a duplicate id, an unknown
        parent, no root or several roots (units without a parent), and a cycle.
        """
        for column in (unit, parent, name_en, name_nl, level):
            if column is not None and column not in units.columns:
                raise UnitTreeError("units.error.missing_column", column=column)
        raw_ids = [normalise_unit_id(v) for v in units[unit].tolist()]
        parents = [normalise_unit_id(v) for v in units[parent].tolist()]
        ids: list[str] = []
        for row, uid in enumerate(raw_ids):
            if uid is None:
                raise UnitTreeError("units.error.missing_id", row=row + 1)
            ids.append(uid)
        id_series = pd.Series(ids)
        duplicated = id_series[id_series.duplicated(keep=False)]
        if not duplicated.empty:
            first = str(duplicated.iloc[0])
            rows = [str(i + 1) for i in np.flatnonzero(id_series == first)]
            raise UnitTreeError("units.error.duplicate_id", unit=first, rows=", ".join(rows))
        index = pd.Index(ids)
        parent_pos = np.full(len(ids), -1, dtype=np.int64)
        has_parent = np.array([p is not None for p in parents], dtype=bool)
        if has_parent.any():
            looked_up = index.get_indexer(pd.Index([p for p in parents if p is not None]))
            unknown = np.flatnonzero(looked_up < 0)
            if unknown.size:
                k = int(np.flatnonzero(has_parent)[unknown[0]])
                raise UnitTreeError("units.error.unknown_parent", unit=ids[k], parent=parents[k])
            parent_pos[has_parent] = looked_up
        roots = np.flatnonzero(~has_parent)
        if roots.size == 0:
            raise UnitTreeError("units.error.no_root")
        if roots.size > 1:
            raise UnitTreeError(
                "units.error.several_roots", units=_listing(sorted(ids[k] for k in roots))
            )
        # Depth by expanding from the root one level at a time (vectorised per level); units
        # never reached sit on a loop of parents.
        depth = np.full(len(ids), -1, dtype=np.int64)
        depth[roots[0]] = 0
        level_now = 0
        while True:
            reached = (depth < 0) & (parent_pos >= 0)
            reached[reached] = depth[parent_pos[reached]] == level_now
            if not reached.any():
                break
            level_now += 1
            depth[reached] = level_now
        if (depth < 0).any():
            looping = sorted(ids[k] for k in np.flatnonzero(depth < 0))
            raise UnitTreeError("units.error.cycle", units=_listing(looping))

        order = np.lexsort((np.array(ids, dtype=object).astype(str), depth))
        new_position = np.empty_like(order)
        new_position[order] = np.arange(order.shape[0])
        sorted_parent = parent_pos[order]
        sorted_parent = np.where(sorted_parent >= 0, new_position[sorted_parent], -1)
        names: dict[str, npt.NDArray[Any]] = {}
        for lang, column in (("en", name_en), ("nl", name_nl)):
            if column is not None:
                names[lang] = units[column].to_numpy(dtype=object)[order]
        return cls(
            ids=np.array(ids, dtype=object)[order],
            parent=sorted_parent.astype(np.int64),
            depths=depth[order],
            names=names,
            levels=None if level is None else units[level].to_numpy(dtype=object)[order],
        )

    @property
    def n_units(self) -> int:
        return int(self.ids.shape[0])

    @property
    def root(self) -> str:
        """The id of the top unit."""
        return str(self.ids[0])

    @property
    def depth(self) -> int:
        """The number of levels below the root (0 for a tree of one unit)."""
        return int(self.depths.max())

    def position(self, unit: Any) -> int:
        """Position of ``unit`` in ``ids``."""
        key = normalise_unit_id(unit)
        found = int(pd.Index(self.ids).get_indexer(pd.Index([key]))[0])
        if found < 0:
            raise UnitTreeError("units.error.unknown_unit", unit=str(unit))
        return found

    def positions(self, units: Any) -> IntArray:
        """Positions of many unit labels (−1 where unknown), normalising each distinct label
        once."""
        codes, uniques = label_codes(units, n_rows=len(units), name="units")
        found = self._lookup(uniques)
        return np.where(codes >= 0, found[np.maximum(codes, 0)], -1).astype(np.int64)

    def _lookup(self, labels: npt.NDArray[Any]) -> IntArray:
        """Positions of distinct labels (−1 where unknown)."""
        keys = pd.Index([normalise_unit_id(u) for u in labels.tolist()], dtype=object)
        return np.asarray(pd.Index(self.ids).get_indexer(keys), dtype=np.int64)

    def children(self, unit: Any) -> list[str]:
        """Ids of the units directly below ``unit``."""
        return [str(u) for u in self.ids[self.parent == self.position(unit)]]

    def ancestors(self, unit: Any) -> list[str]:
        """Ids from ``unit``'s parent up to the root."""
        out: list[str] = []
        k = int(self.parent[self.position(unit)])
        while k >= 0:  # at most `depth` steps
            out.append(str(self.ids[k]))
            k = int(self.parent[k])
        return out

    def subtree_mask(self, unit: Any) -> npt.NDArray[np.bool_]:
        """Boolean mask over ``ids``: ``unit`` and everything below it."""
        start = self.position(unit)
        inside = np.zeros(self.n_units, dtype=bool)
        inside[start] = True
        for d in range(int(self.depths[start]) + 1, self.depth + 1):
            at_depth = self.depths == d
            inside[at_depth] = inside[self.parent[at_depth]]
        return inside

    def subtree(self, unit: Any) -> list[str]:
        """Ids of ``unit`` and all units below it (parents before children)."""
        return [str(u) for u in self.ids[self.subtree_mask(unit)]]

    def subtree_members(self, unit: Any, teams: Any) -> npt.NDArray[np.bool_]:
        """Which respondents (by their team label) belong to ``unit``'s subtree."""
        positions = self.positions(teams)
        inside = self.subtree_mask(unit)
        return np.where(positions >= 0, inside[np.maximum(positions, 0)], False)

    def level(self, unit: Any) -> str | None:
        """The level of ``unit`` ("faculty", "team", ...); None when the tree has no levels."""
        if self.levels is None:
            return None
        value = self.levels[self.position(unit)]
        return None if pd.isna(value) else str(value)

    def name(self, unit: Any, lang: str) -> str:
        """Display name of ``unit`` in ``lang``; the id when the tree has no names."""
        k = self.position(unit)
        if lang in self.names and pd.notna(self.names[lang][k]):
            return str(self.names[lang][k])
        return str(self.ids[k])


@dataclass(frozen=True)
class RollUp(Result):
    """Per unit, over its whole subtree: n, mean, SD (n − 1) and the share below the cut-off.

    Arrays follow ``units`` (the tree's order). ``n_direct`` counts the respondents attached to
    the unit itself. ``n_below``/``share_below`` are None without a cut-off; the rule is strict
    (score < cutoff), as in statistics.md §1.5.
    """

    units: npt.NDArray[Any]
    parent: npt.NDArray[Any]
    depth: IntArray
    n: IntArray
    n_direct: IntArray
    mean: FloatArray
    sd: FloatArray
    n_below: IntArray | None
    share_below: FloatArray | None
    cutoff: float | None

    def as_frame(self) -> pd.DataFrame:
        """The roll-up as a DataFrame indexed by unit id."""
        data: dict[str, Any] = {
            "parent": self.parent,
            "depth": self.depth,
            "n": self.n,
            "n_direct": self.n_direct,
            "mean": self.mean,
            "sd": self.sd,
        }
        if self.n_below is not None:
            data["n_below"] = self.n_below
            data["share_below"] = self.share_below
        return pd.DataFrame(data, index=pd.Index(self.units, name="unit"))


@dataclass(frozen=True)
class AttributeRollUp(Result):
    """Per unit × attribute value, over the unit's subtree; arrays are (units × values)."""

    units: npt.NDArray[Any]
    values: npt.NDArray[Any]
    n: IntArray
    mean: FloatArray
    sd: FloatArray
    n_below: IntArray | None
    share_below: FloatArray | None
    cutoff: float | None


@dataclass(frozen=True)
class _Totals:
    n: FloatArray
    mean: FloatArray
    sd: FloatArray
    below: FloatArray | None


def _accumulate(direct: FloatArray, tree: UnitTree) -> FloatArray:
    """Add each unit's (units × C) totals into its parent, from the deepest level up."""
    totals = direct.astype(np.float64)
    n_columns = totals.shape[1]
    for d in range(tree.depth, 0, -1):  # a loop over levels, vectorised over units
        units = np.flatnonzero(tree.depths == d)
        flat = (tree.parent[units][:, np.newaxis] * n_columns + np.arange(n_columns)).ravel()
        totals += np.bincount(flat, weights=totals[units].ravel(), minlength=totals.size).reshape(
            totals.shape
        )
    return totals


def _rolled(
    values: FloatArray, cell: IntArray, n_cells: int, tree: UnitTree, cutoff: float | None
) -> _Totals:
    """n, mean and SD per (unit, column) cell over the unit's subtree; cell = unit * C + column.

    Each cell starts from its own respondents (two-pass mean and sum of squared deviations M2);
    then, deepest level first, children are merged into their parents with the parallel
    formula M2 = M2_a + Σ_c [M2_c + n_c(ȳ_c − ȳ)²] + n_a(ȳ_a − ȳ)² (Chan, Golub & LeVeque 1983),
    which keeps the SD exact (a constant subtree gets SD 0, not rounding noise).
    """
    n_columns = n_cells // tree.n_units
    n = np.bincount(cell, minlength=n_cells).astype(np.float64)
    total = np.bincount(cell, weights=values, minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.where(n > 0, n, 1.0), 0.0)
    dev = values - mean[cell]
    m2 = np.bincount(cell, weights=dev * dev, minlength=n_cells).astype(np.float64)
    for d in range(tree.depth, 0, -1):  # a loop over levels, vectorised over units
        units = np.flatnonzero(tree.depths == d)
        child = (units[:, np.newaxis] * n_columns + np.arange(n_columns)).ravel()
        target = (tree.parent[units][:, np.newaxis] * n_columns + np.arange(n_columns)).ravel()
        n_add = np.bincount(target, weights=n[child], minlength=n_cells)
        sum_add = np.bincount(target, weights=n[child] * mean[child], minlength=n_cells)
        new_n = n + n_add
        # Only parents move; recomputing every mean would add rounding noise.
        merged = n_add > 0
        new_mean = mean.copy()
        new_mean[merged] = (n[merged] * mean[merged] + sum_add[merged]) / new_n[merged]
        spread = m2[child] + n[child] * (mean[child] - new_mean[target]) ** 2
        moved = n * (mean - new_mean) ** 2
        m2 = m2 + moved + np.bincount(target, weights=spread, minlength=n_cells)
        n, mean = new_n, new_mean
    shape = (tree.n_units, n_columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.where(n > 1, np.sqrt(m2 / np.where(n > 1, n - 1, 1.0)), np.nan)
    below = None
    if cutoff is not None:
        direct = np.bincount(cell, weights=(values < cutoff).astype(np.float64), minlength=n_cells)
        below = _accumulate(direct.astype(np.float64).reshape(shape), tree)
    return _Totals(
        n=n.reshape(shape),
        mean=np.where(n > 0, mean, np.nan).reshape(shape),
        sd=sd.reshape(shape),
        below=below,
    )


def _respondents(
    scores: Any, teams: Any, tree: UnitTree
) -> tuple[FloatArray, IntArray, npt.NDArray[np.bool_]]:
    values = as_float_vector(scores, name="scores")
    codes, uniques = label_codes(teams, n_rows=values.shape[0], name="teams")
    found = tree._lookup(uniques)
    if (found < 0).any():
        names = sorted(str(t) for t in uniques[found < 0])
        raise UnitTreeError("units.error.unknown_team", teams=_listing(names))
    if (codes < 0).any():
        first = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(f"the team label is missing in row {first + 1}.")
    return values, found[codes], ~np.isnan(values)


def rollup(scores: Any, teams: Any, tree: UnitTree, *, cutoff: float | None = None) -> RollUp:
    """Roll respondent scores up the unit tree: every unit's n, mean, SD and share below the
    cut-off over its whole subtree.

    Respondents may be attached to any unit (a team, or a department's own staff). Missing scores
    are skipped; a team label that is not in the tree raises :class:`UnitTreeError`. Units with
    no respondents get n = 0 and NaN statistics; the SD needs n ≥ 2.

    The pooled SD of a parent follows from its children's sufficient statistics (the parallel
    variance formula; Chan, Golub & LeVeque 1983), so it equals the SD computed over the
    subtree's respondents directly.

    Examples
    --------
    >>> units = pd.DataFrame({"unit_id": ["uni", "fac", "t1", "t2"],
    ...                       "parent_id": [None, "uni", "fac", "fac"]})
    >>> tree = UnitTree.from_frame(units)
    >>> res = rollup([4.0, 2.0, 3.0, 5.0, 1.0], ["t1", "t1", "t2", "t2", "fac"], tree, cutoff=3)
    >>> res.as_frame()[["n", "mean", "n_below"]]
         n  mean  n_below
    unit
    uni  5   3.0        2
    fac  5   3.0        2
    t1   2   3.0        1
    t2   2   4.0        0
    """
    values, position, valid = _respondents(scores, teams, tree)
    totals = _rolled(values[valid], position[valid], tree.n_units, tree, cutoff)
    n_direct = np.bincount(position[valid], minlength=tree.n_units)
    parent_ids = np.array(
        [tree.ids[p] if p >= 0 else None for p in tree.parent.tolist()], dtype=object
    )
    below = None if totals.below is None else totals.below[:, 0].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (
            None if below is None else np.where(totals.n[:, 0] > 0, below / totals.n[:, 0], np.nan)
        )
    return RollUp(
        units=tree.ids,
        parent=parent_ids,
        depth=tree.depths,
        n=totals.n[:, 0].astype(np.int64),
        n_direct=n_direct.astype(np.int64),
        mean=totals.mean[:, 0],
        sd=totals.sd[:, 0],
        n_below=below,
        share_below=share,
        cutoff=cutoff,
    )


def rollup_by_attribute(
    scores: Any,
    teams: Any,
    attribute: Any,
    tree: UnitTree,
    *,
    cutoff: float | None = None,
) -> AttributeRollUp:
    """Like :func:`rollup`, split by the value of one respondent attribute (gender, contract,
    level, ...): the per-unit subgroup cells of the report, before disclosure control.

    Respondents with a missing attribute are left out of every cell. Values are sorted.

    Examples
    --------
    >>> units = pd.DataFrame({"unit_id": ["org", "a", "b"], "parent_id": [None, "org", "org"]})
    >>> tree = UnitTree.from_frame(units)
    >>> res = rollup_by_attribute([4.0, 2.0, 3.0, 5.0], ["a", "a", "b", "b"],
    ...                           ["x", "y", "x", "x"], tree)
    >>> res.values.tolist(), res.n.tolist(), res.mean[0].tolist()
    (['x', 'y'], [[3, 1], [1, 1], [2, 0]], [4.0, 2.0])
    """
    values, position, valid = _respondents(scores, teams, tree)
    labels = pd.Series(np.asarray(attribute, dtype=object))
    if labels.shape[0] != values.shape[0]:
        raise ValueError(f"scores has {values.shape[0]} rows but attribute {labels.shape[0]}.")
    valid &= labels.notna().to_numpy()
    codes, uniques = pd.factorize(labels[valid], sort=True)
    n_values = len(uniques)
    cell = position[valid] * n_values + codes
    totals = _rolled(values[valid], cell, tree.n_units * n_values, tree, cutoff)
    below = None if totals.below is None else totals.below.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = None if below is None else np.where(totals.n > 0, below / totals.n, np.nan)
    return AttributeRollUp(
        units=tree.ids,
        values=np.asarray(uniques, dtype=object),
        n=totals.n.astype(np.int64),
        mean=totals.mean,
        sd=totals.sd,
        n_below=below,
        share_below=share,
        cutoff=cutoff,
    )
