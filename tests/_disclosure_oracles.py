"""Independent oracles for the disclosure tests: written from the rules, sharing no code with src.

* ``cell_members`` computes a cell's respondents as a Python set straight from the raw data
  (each respondent's team, the parent map, attribute labels).
* ``attacker`` tries every ±1 combination of up to three shown cells on those sets and reports
  any result that is a group of 1..k−1 respondents.
* ``derivable_groups`` is a brute-force exact checker: atoms by a dictionary of membership
  patterns, every union of small atoms as a candidate, a float projection as a pre-filter and a
  ``Fraction`` Gaussian elimination to confirm each hit.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np


def ancestors_or_self(unit: str, parent: Mapping[str, str | None]) -> list[str]:
    chain = [unit]
    while parent[chain[-1]] is not None:
        chain.append(parent[chain[-1]])  # type: ignore[arg-type]
    return chain


def cell_members(
    key: Any,
    teams: Sequence[str],
    parent: Mapping[str, str | None],
    attributes: Mapping[str, Sequence[Any]],
) -> frozenset[int]:
    """Rows in the cell named by key (kind, unit, attribute, value), from the raw data."""
    kind, unit, attribute, value = key[0], key[1], key[2], key[3]
    rows = set()
    for row, team in enumerate(teams):
        in_unit = kind == "attribute" or unit in ancestors_or_self(team, parent)
        label = attributes[attribute][row] if attribute else None
        in_value = kind == "unit" or (label is not None and str(label) == value)
        if in_unit and in_value:
            rows.add(row)
    return frozenset(rows)


def attacker(
    member_sets: Sequence[frozenset[int]], n_rows: int, k: int, max_cells: int = 3
) -> list[tuple[tuple[tuple[int, int], ...], frozenset[int]]]:
    """Every ±1 combination of up to ``max_cells`` sets; returns those giving 1..k−1 people."""
    matrix = np.zeros((len(member_sets), n_rows), dtype=np.int64)
    for i, members in enumerate(member_sets):
        matrix[i, list(members)] = 1
    found = []
    m = len(member_sets)

    def check(combo: tuple[tuple[int, int], ...], vector: np.ndarray) -> None:
        if np.isin(vector, (0, 1)).all() and 1 <= vector.sum() <= k - 1:
            found.append((combo, frozenset(np.flatnonzero(vector).tolist())))

    for i in range(m):
        check(((i, 1),), matrix[i])
    if max_cells >= 2:
        for i, j in itertools.combinations(range(m), 2):
            for si, sj in itertools.product((1, -1), repeat=2):
                base = si * matrix[i] + sj * matrix[j]
                check(((i, si), (j, sj)), base)
                if max_cells >= 3 and j + 1 < m:
                    rest = matrix[j + 1 :]
                    for sl in (1, -1):
                        total = base + sl * rest
                        ok = np.isin(total, (0, 1)).all(axis=1)
                        sizes = total.sum(axis=1)
                        for offset in np.flatnonzero(ok & (sizes >= 1) & (sizes <= k - 1)):
                            combo = ((i, si), (j, sj), (j + 1 + int(offset), sl))
                            check(combo, total[offset])
    return found


def _in_row_space_exact(rows: list[list[int]], vector: list[int]) -> bool:
    """Rank of rows equals rank of rows + vector, with Fractions."""

    def rank(matrix: list[list[Fraction]]) -> int:
        matrix = [row[:] for row in matrix]
        r = 0
        width = len(matrix[0]) if matrix else 0
        for c in range(width):
            pivot = next((i for i in range(r, len(matrix)) if matrix[i][c] != 0), None)
            if pivot is None:
                continue
            matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
            for i in range(len(matrix)):
                if i != r and matrix[i][c] != 0:
                    f = matrix[i][c] / matrix[r][c]
                    matrix[i] = [a - f * b for a, b in zip(matrix[i], matrix[r], strict=True)]
            r += 1
        return r

    base = [[Fraction(x) for x in row] for row in rows]
    return rank(base) == rank([*base, [Fraction(x) for x in vector]])


def derivable_groups(
    member_sets: Sequence[frozenset[int]], n_rows: int, k: int, limit: int = 5
) -> list[frozenset[int]]:
    """Groups of 1..k−1 respondents whose indicator is in the span of the member sets."""
    patterns: dict[tuple[bool, ...], list[int]] = {}
    for row in range(n_rows):
        pattern = tuple(row in members for members in member_sets)
        if any(pattern):
            patterns.setdefault(pattern, []).append(row)
    atoms = list(patterns.items())
    if not atoms:
        return []
    generators = np.array([[int(p[i]) for p, _ in atoms] for i in range(len(member_sets))])
    small = [a for a, (_, rows) in enumerate(atoms) if len(rows) < k]
    candidates = []
    for count in range(1, k):
        for subset in itertools.combinations(small, count):
            if sum(len(atoms[a][1]) for a in subset) <= k - 1:
                candidates.append(subset)
    if not candidates:
        return []
    vectors = np.zeros((len(candidates), len(atoms)))
    for c, subset in enumerate(candidates):
        vectors[c, list(subset)] = 1.0
    projector = np.linalg.pinv(generators.astype(float)) @ generators.astype(float)
    residual = np.abs(vectors - vectors @ projector.T).max(axis=1)
    found = []
    for c in np.flatnonzero(residual < 1e-6):
        vector = vectors[c].astype(int).tolist()
        if _in_row_space_exact(generators.tolist(), vector):
            found.append(frozenset(r for a in candidates[c] for r in atoms[a][1]))
            if len(found) >= limit:
                break
    return found
