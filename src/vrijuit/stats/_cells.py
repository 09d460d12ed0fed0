"""Cells and atoms: the membership structure that disclosure control reasons about.

A :class:`CellLattice` holds every cell a release could show (units with their subtree,
organisation × attribute value, unit × attribute value) and each respondent's unit and attribute
values as integer codes, never one Python object per respondent. For a set of shown cells,
:func:`release_atoms` groups respondents into *atoms*: one atom per pattern of memberships.
Everything is vectorised; counts are ``bincount`` s summed up the tree one depth level at a time.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.stats._labels import text_codes

__all__ = [
    "Atoms",
    "Cell",
    "CellKey",
    "CellLattice",
    "EarlierRelease",
    "Levels",
    "cells_for_report",
    "combine_codes",
    "family_codes",
    "member_rows",
    "nearest_shown",
    "release_atoms",
    "residual_levels",
    "unit_index",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class CellKey(NamedTuple):
    """The name of a cell: ``unit``, ``attribute`` (organisation × value) or ``unit_attribute``.

    A named tuple, so hashing and ordering stay fast for tens of thousands of cells.

    >>> str(CellKey("unit_attribute", unit="Physics", attribute="gender", value="woman"))
    'Physics × gender=woman'
    """

    kind: str
    unit: str = ""
    attribute: str = ""
    value: str = ""

    def __str__(self) -> str:
        if self.kind == "unit":
            return self.unit
        if self.kind == "attribute":
            return f"{self.attribute}={self.value}"
        return f"{self.unit} × {self.attribute}={self.value}"


class Cell(NamedTuple):
    """A cell of the lattice with its respondent count and the depth of its unit (root = 0)."""

    key: CellKey
    n: int
    depth: int


@dataclass(frozen=True, eq=False)
class CellLattice:
    """Every cell a release could show, and each respondent's memberships as integer codes.

    Build it with :func:`cells_for_report`. Respondents are rows; nothing about their answers is
    stored. ``team_codes`` index ``units``; ``attribute_codes[:, j]`` index
    ``attribute_values[j]`` (−1 where the attribute is missing: such a respondent is in no cell of
    that attribute).
    """

    units: tuple[str, ...]
    parent: IntArray
    depth: IntArray
    enter: IntArray
    leave: IntArray
    team_codes: IntArray
    attribute_names: tuple[str, ...]
    attribute_values: tuple[tuple[str, ...], ...]
    attribute_codes: IntArray
    unit_attributes: tuple[str, ...]
    cells: tuple[Cell, ...]
    _index: dict[CellKey, int] = field(repr=False, compare=False)

    @property
    def n_respondents(self) -> int:
        return int(self.team_codes.shape[0])

    @property
    def root(self) -> CellKey:
        """The grand total: the root unit with everyone in it."""
        return CellKey("unit", unit=self.units[int(np.flatnonzero(self.parent < 0)[0])])

    @property
    def keys(self) -> tuple[CellKey, ...]:
        return tuple(c.key for c in self.cells)

    def cell(self, key: CellKey) -> Cell:
        try:
            return self.cells[self._index[key]]
        except KeyError:
            raise ValueError(f"{key} is not a cell of this lattice.") from None

    def members(self, key: CellKey) -> BoolArray:
        """Which respondents (rows) belong to cell ``key``."""
        self.cell(key)
        return member_rows(self, key, np.arange(self.n_respondents))


def unit_index(lattice: CellLattice) -> dict[str, int]:
    return {u: i for i, u in enumerate(lattice.units)}


def member_rows(lattice: CellLattice, key: CellKey, rows: IntArray) -> BoolArray:
    """Membership of the respondents ``rows`` in cell ``key`` (vectorised)."""
    inside = np.ones(rows.shape[0], dtype=bool)
    if key.kind in ("unit", "unit_attribute"):
        u = lattice.units.index(key.unit)
        position = lattice.enter[lattice.team_codes[rows]]
        inside &= (position >= lattice.enter[u]) & (position < lattice.leave[u])
    if key.kind in ("attribute", "unit_attribute"):
        j = lattice.attribute_names.index(key.attribute)
        v = lattice.attribute_values[j].index(key.value)
        inside &= lattice.attribute_codes[rows, j] == v
    return inside


def _tree_arrays(
    tree_parent: Mapping[Any, Hashable | None],  # any hashable unit id (Mapping keys are invariant)
) -> tuple[tuple[str, ...], IntArray, IntArray, IntArray, IntArray]:
    """Units (sorted), parent index, depth and a depth-first numbering (enter, leave)."""
    parents = {str(u): (None if p is None else str(p)) for u, p in tree_parent.items()}
    if len(parents) != len(tree_parent):
        raise ValueError("two units in the tree have the same name.")
    units = tuple(sorted(parents))
    index = {u: i for i, u in enumerate(units)}
    parent = np.full(len(units), -1, dtype=np.int64)
    for u, p in parents.items():
        if p is not None:
            if p not in index:
                raise ValueError(f"unit {u!r} has parent {p!r}, which is not in the tree.")
            parent[index[u]] = index[p]
    roots = np.flatnonzero(parent < 0)
    if roots.shape[0] != 1:
        names = ", ".join(units[i] for i in roots[:5])
        raise ValueError(f"the tree must have exactly one root unit; found {len(roots)}: {names}.")
    children: list[list[int]] = [[] for _ in units]
    for i in range(len(units)):
        if parent[i] >= 0:
            children[int(parent[i])].append(i)
    depth = np.full(len(units), -1, dtype=np.int64)
    enter = np.zeros(len(units), dtype=np.int64)
    leave = np.zeros(len(units), dtype=np.int64)
    clock = 0
    stack: list[tuple[int, bool]] = [(int(roots[0]), False)]
    depth[roots[0]] = 0
    while stack:
        node, done = stack.pop()
        if done:
            leave[node] = clock
            continue
        enter[node] = clock
        clock += 1
        stack.append((node, True))
        for child in reversed(children[node]):
            depth[child] = depth[node] + 1
            stack.append((child, False))
    if (depth < 0).any():
        stuck = units[int(np.flatnonzero(depth < 0)[0])]
        raise ValueError(f"unit {stuck!r} is on a cycle of parents and never reaches the root.")
    return units, parent, depth, enter, leave


def _subtree_sums(values: npt.NDArray[Any], parent: IntArray, depth: IntArray) -> npt.NDArray[Any]:
    """Add every unit's values into all its ancestors, one depth level at a time."""
    out = values.copy()
    for level in range(int(depth.max()), 0, -1):
        at = np.flatnonzero(depth == level)
        np.add.at(out, parent[at], out[at])
    return out


def cells_for_report(
    teams: Any,
    tree_parent: Mapping[Any, Hashable | None],  # any hashable unit id (Mapping keys are invariant)
    attributes: Mapping[str, Any] | None = None,
    *,
    unit_attributes: Sequence[str] = (),
) -> CellLattice:
    """Build the lattice of cells a report may show, from memberships only (never answers).

    Parameters
    ----------
    teams
        Each respondent's unit (usually a team; any unit of the tree is allowed).
    tree_parent
        Each unit's parent unit, ``None`` for the one root (the organisation).
    attributes
        Background attributes, one label per respondent (missing = in no cell of it). Each value
        gives an organisation × value cell.
    unit_attributes
        Attributes that also get unit × value cells (the analysts' view).

    Returns
    -------
    CellLattice
        Cells: every unit (with its subtree), organisation × every attribute value, and every
        non-root unit × value of the ``unit_attributes``. Counts are made with ``bincount`` and
        summed up the tree level by level.

    Examples
    --------
    >>> lattice = cells_for_report(
    ...     ["t1", "t1", "t2"], {"org": None, "t1": "org", "t2": "org"},
    ...     {"gender": ["w", "m", None]},
    ... )
    >>> [(str(c.key), c.n) for c in lattice.cells]
    [('org', 3), ('t1', 2), ('t2', 1), ('gender=m', 1), ('gender=w', 1)]
    """
    attributes = dict(attributes or {})
    units, parent, depth, enter, leave = _tree_arrays(tree_parent)
    index = {u: i for i, u in enumerate(units)}
    # Units are named by text in the tree: a team 7 and a team "7" are the same unit.
    team_raw, team_texts = text_codes(teams)
    if (team_raw < 0).any():
        row = int(np.flatnonzero(team_raw < 0)[0])
        raise ValueError(f"the unit of respondent row {row + 1} is missing.")
    unknown = [str(t) for t in team_texts if t not in index]
    if unknown:
        raise ValueError(f"units {', '.join(sorted(unknown)[:5])} are not in the tree.")
    team_map = np.array([index[t] for t in team_texts], dtype=np.int64)
    team_codes = team_map[team_raw]
    n = team_codes.shape[0]
    for name in unit_attributes:
        if name not in attributes:
            raise ValueError(f"unit attribute {name!r} is not one of the attributes.")
    names = tuple(sorted(attributes))
    value_codes = np.full((n, len(names)), -1, dtype=np.int64)
    values: list[tuple[str, ...]] = []
    for j, name in enumerate(names):
        labels = attributes[name]
        if len(labels) != n:
            raise ValueError(f"attribute {name!r} has {len(labels)} labels for {n} rows.")
        value_codes[:, j], texts = text_codes(labels)
        values.append(tuple(texts))
    unit_n = _subtree_sums(np.bincount(team_codes, minlength=len(units)), parent, depth)
    cells = [
        Cell(CellKey("unit", unit=u), int(unit_n[i]), int(depth[i])) for i, u in enumerate(units)
    ]
    root = int(np.flatnonzero(parent < 0)[0])
    for j, name in enumerate(names):
        counts = np.bincount(value_codes[:, j][value_codes[:, j] >= 0], minlength=len(values[j]))
        cells += [
            Cell(CellKey("attribute", attribute=name, value=v), int(counts[i]), 0)
            for i, v in enumerate(values[j])
        ]
    for name in sorted(set(unit_attributes)):
        j = names.index(name)
        width = len(values[j])
        present = value_codes[:, j] >= 0
        flat = team_codes[present] * width + value_codes[present, j]
        table = np.bincount(flat, minlength=len(units) * width).reshape(len(units), width)
        table = _subtree_sums(table, parent, depth)
        cells += [
            Cell(
                CellKey("unit_attribute", unit=u, attribute=name, value=v),
                int(table[i, vi]),
                int(depth[i]),
            )
            for i, u in enumerate(units)
            if i != root
            for vi, v in enumerate(values[j])
        ]
    return CellLattice(
        units=units,
        parent=parent,
        depth=depth,
        enter=enter,
        leave=leave,
        team_codes=team_codes,
        attribute_names=names,
        attribute_values=tuple(values),
        attribute_codes=value_codes,
        unit_attributes=tuple(sorted(set(unit_attributes))),
        cells=tuple(cells),
        _index={c.key: i for i, c in enumerate(cells)},
    )


@dataclass(frozen=True, eq=False)
class EarlierRelease:
    """A release that is already out: its lattice, its shown cells, and where its rows are now.

    ``rows[i]`` is the current row of the earlier lattice's respondent ``i``; ``None`` means the
    earlier respondents are the first rows of the current data (a snapshot of a growing survey).
    """

    lattice: CellLattice
    shown: frozenset[CellKey]
    rows: IntArray | None = None

    def current_rows(self, n_current: int) -> IntArray:
        n = self.lattice.n_respondents
        rows = np.arange(n, dtype=np.int64) if self.rows is None else np.asarray(self.rows)
        if rows.shape != (n,) or (n and (rows.min() < 0 or rows.max() >= n_current)):
            raise ValueError(
                "an earlier release's rows must map each of its rows to a current row."
            )
        if np.unique(rows).shape[0] != n:
            raise ValueError("an earlier release maps two respondents to the same current row.")
        return rows.astype(np.int64)


def nearest_shown(shown: BoolArray, parent: IntArray, depth: IntArray) -> IntArray:
    """For each unit (row), the nearest shown ancestor-or-self (−1 if none); columns independent."""
    nearest = np.full(shown.shape, -1, dtype=np.int64)
    ids = np.broadcast_to(np.arange(shown.shape[0])[:, None], shown.shape)
    for level in range(int(depth.max()) + 1):
        at = np.flatnonzero(depth == level)
        inherited = nearest[parent[at]] if level else np.full_like(nearest[at], -1)
        nearest[at] = np.where(shown[at], ids[at], inherited)
    return nearest


def family_codes(lattice: CellLattice, shown: frozenset[CellKey]) -> list[tuple[IntArray, int]]:
    """Per family of cells, each respondent's membership pattern as one code (and its bound)."""
    units = unit_index(lattice)
    unit_shown = np.zeros((len(lattice.units), 1), dtype=bool)
    for key in shown:
        if key.kind == "unit":
            unit_shown[units[key.unit], 0] = True
    nearest = nearest_shown(unit_shown, lattice.parent, lattice.depth)[:, 0]
    families = [(nearest[lattice.team_codes], len(lattice.units))]
    for j, name in enumerate(lattice.attribute_names):
        values = lattice.attribute_values[j]
        codes = lattice.attribute_codes[:, j]
        org = np.array([CellKey("attribute", attribute=name, value=v) in shown for v in values])
        if org.any():
            keep = np.where(org, np.arange(len(values)), -1)
            families.append((np.where(codes >= 0, keep[np.maximum(codes, 0)], -1), len(values)))
        if name in lattice.unit_attributes:
            table = np.zeros((len(lattice.units), len(values)), dtype=bool)
            for key in shown:
                if key.kind == "unit_attribute" and key.attribute == name:
                    table[units[key.unit], values.index(key.value)] = True
            if table.any():
                deepest = nearest_shown(table, lattice.parent, lattice.depth)
                at = deepest[lattice.team_codes, np.maximum(codes, 0)]
                code = np.where((codes >= 0) & (at >= 0), at * len(values) + codes, -1)
                families.append((code, len(lattice.units) * len(values)))
    return families


def combine_codes(families: Sequence[tuple[IntArray, int]]) -> IntArray:
    """One atom code per respondent: sorted factorisation, so the order is canonical."""
    combined = np.zeros(families[0][0].shape[0], dtype=np.int64)
    bound = 1
    for codes, size in families:
        combined = combined * (size + 1) + (codes + 1)
        bound = bound * (size + 1)
        if bound > 2**40:  # re-factorise before the mixed radix could overflow int64
            combined, uniques = pd.factorize(combined, sort=True)
            combined = combined.astype(np.int64)
            bound = len(uniques)
    out, _ = pd.factorize(combined, sort=True)
    return out.astype(np.int64)


@dataclass(frozen=True)
class Atoms:
    codes: IntArray  # per respondent
    sizes: IntArray
    representative: IntArray  # one row per atom


def release_atoms(
    lattice: CellLattice, shown: frozenset[CellKey], earlier: Sequence[EarlierRelease]
) -> Atoms:
    families = family_codes(lattice, shown)
    for release in earlier:
        rows = release.current_rows(lattice.n_respondents)
        before = release_atoms(release.lattice, release.shown, ())
        code = np.full(lattice.n_respondents, -1, dtype=np.int64)
        code[rows] = before.codes
        families.append((code, int(before.sizes.shape[0])))
    codes = combine_codes(families)
    _, first, sizes = np.unique(codes, return_index=True, return_counts=True)
    return Atoms(codes=codes, sizes=sizes.astype(np.int64), representative=first.astype(np.int64))


@dataclass(frozen=True)
class Levels:
    """The shown cells as residual *levels* over atoms, for the exact audit.

    Each family of nested cells (the units; per attribute value the organisation cell with its
    unit × value cells) is laminar, so its shown cells can be replaced by their residuals: a
    cell minus its shown sub-cells of the same family. That change of basis is unimodular (each
    cell is the sum of the residuals below it), so the span is the same, but every respondent is
    in at most one level per family: a few levels per atom instead of one cell per ancestor.
    ``transforms[i]`` writes level ``i`` in the cells (indices into ``keys``).
    """

    keys: tuple[CellKey, ...]
    members: tuple[IntArray, ...]
    transforms: tuple[dict[int, int], ...]


def residual_levels(
    lattice: CellLattice, shown: frozenset[CellKey], representative: IntArray
) -> Levels:
    """Levels of the shown cells over atoms given by one representative respondent each."""
    keys = tuple(sorted(shown))
    index = {key: i for i, key in enumerate(keys)}
    n_units = len(lattice.units)
    unit_position = unit_index(lattice)
    teams = lattice.team_codes[representative]
    transforms: list[dict[int, int]] = [{i: 1} for i in range(len(keys))]
    level_rows: list[IntArray] = []

    # Units: the nearest shown ancestor-or-self; a shown unit's parent level is the nearest shown
    # proper ancestor.
    unit_generator = np.full(n_units, -1, dtype=np.int64)
    for u, name in enumerate(lattice.units):
        unit_generator[u] = index.get(CellKey("unit", unit=name), -1)
    shown_units = (unit_generator >= 0)[:, np.newaxis]
    nearest = nearest_shown(shown_units, lattice.parent, lattice.depth)[:, 0]
    level_rows.append(np.where(nearest[teams] >= 0, unit_generator[nearest[teams]], -1))
    for shown_unit in np.flatnonzero(unit_generator >= 0).tolist():
        u = int(shown_unit)
        p = int(lattice.parent[u])
        above = int(nearest[p]) if p >= 0 else -1
        if above >= 0:
            transforms[int(unit_generator[above])][int(unit_generator[u])] = -1

    for j, name in enumerate(lattice.attribute_names):
        values = lattice.attribute_values[j]
        codes = lattice.attribute_codes[representative, j]
        org = np.array(
            [index.get(CellKey("attribute", attribute=name, value=v), -1) for v in values],
            dtype=np.int64,
        )
        level = np.where(codes >= 0, org[np.maximum(codes, 0)] if len(values) else -1, -1)
        if name in lattice.unit_attributes and len(values):
            cell = np.full((n_units, len(values)), -1, dtype=np.int64)
            for key in keys:
                if key.kind == "unit_attribute" and key.attribute == name:
                    cell[unit_position[key.unit], values.index(key.value)] = index[key]
            deepest = nearest_shown(cell >= 0, lattice.parent, lattice.depth)
            at = deepest[teams, np.maximum(codes, 0)]
            inner = (codes >= 0) & (at >= 0)
            level = np.where(inner, cell[np.maximum(at, 0), np.maximum(codes, 0)], level)
            for u, v in zip(*np.nonzero(cell >= 0), strict=True):
                p = int(lattice.parent[u])
                above = int(deepest[p, v]) if p >= 0 else -1
                parent_cell = int(cell[above, v]) if above >= 0 else int(org[v])
                if parent_cell >= 0:
                    transforms[parent_cell][int(cell[u, v])] = -1
        level_rows.append(level)

    atoms = np.concatenate([np.arange(representative.shape[0])] * len(level_rows))
    levels = np.concatenate(level_rows)
    present = levels >= 0
    atoms, levels = atoms[present], levels[present]
    order = np.lexsort((atoms, levels))
    atoms, levels = atoms[order], levels[order]
    bounds = np.searchsorted(levels, np.arange(len(keys) + 1))
    members = tuple(atoms[bounds[i] : bounds[i + 1]] for i in range(len(keys)))
    return Levels(keys=keys, members=members, transforms=tuple(transforms))
