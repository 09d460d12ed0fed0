"""Exact span arithmetic for the differencing audit: integers and fractions, never floats.

A group of respondents can be computed from shown cells exactly when its membership vector lies
in the linear span of the shown cells' membership vectors. Over *atoms* (respondents with the same
cell memberships) a vector ``v`` lies in the row space of the generator matrix ``M`` if and only if
it is orthogonal to every vector of the kernel of ``M``. This module computes a kernel basis with
fraction-free integer elimination, gives every atom its kernel coordinates as a tuple of Python
integers (exact and hashable), and searches the small unions of atoms whose coordinates sum to
zero by meet-in-the-middle: a union of at most ``k - 1`` atoms splits into two halves of at most
``ceil((k - 1) / 2)`` atoms, so halves are enumerated once and matched through a hash table.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

import numpy as np
import numpy.typing as npt

__all__ = ["SpanTest", "SpanTooLargeError", "find_small_derivable"]

IntArray = npt.NDArray[np.int64]

# Beyond these sizes the exact search is refused (the caller then falls back to something
# conservative); the limits keep one audit well under a second.
MAX_ATOMS = 1500
MAX_HALVES = 400_000


class SpanTooLargeError(ValueError):
    """The exact search would exceed its size limits."""


def _row_gcd(row: list[int]) -> int:
    g = 0
    for value in row:
        if value:
            g = math.gcd(g, value)
            if g == 1:
                return 1
    return g


@dataclass(frozen=True)
class SpanTest:
    """The row space of an integer generator matrix, ready for exact membership tests.

    ``coordinates[a]`` is atom ``a``'s column of the kernel basis (scaled to integers per basis
    vector); a 0/1 vector over atoms is in the row space iff the coordinates of its atoms sum to
    zero. ``coefficients(atoms)`` writes such a vector as a combination of the generators.
    """

    n_generators: int
    coordinates: tuple[tuple[int, ...], ...]
    pivot_rows: tuple[tuple[int, tuple[Fraction, ...]], ...]

    @classmethod
    def build(cls, generators: IntArray) -> SpanTest:
        """Row-reduce ``[M | I]`` with integer arithmetic and read off kernel and transforms."""
        g, m = generators.shape
        if m > MAX_ATOMS:
            raise SpanTooLargeError(f"{m} atoms exceed the exact audit limit of {MAX_ATOMS}.")
        rows = [
            [int(x) for x in generators[i]] + [1 if j == i else 0 for j in range(g)]
            for i in range(g)
        ]
        pivots: list[int] = []
        rank = 0
        for column in range(m):
            found = next((i for i in range(rank, g) if rows[i][column] != 0), None)
            if found is None:
                continue
            rows[rank], rows[found] = rows[found], rows[rank]
            pivot_row = rows[rank]
            p = pivot_row[column]
            for i in range(g):
                q = rows[i][column]
                if i == rank or q == 0:
                    continue
                updated = [p * a - q * b for a, b in zip(rows[i], pivot_row, strict=True)]
                divisor = _row_gcd(updated)
                rows[i] = [v // divisor for v in updated] if divisor > 1 else updated
            pivots.append(column)
            rank += 1
        pivot_set = set(pivots)
        free = [c for c in range(m) if c not in pivot_set]
        # Kernel vector z_f for free column f: z_f[f] = 1, z_f[pivot_j] = -R_j[f] / R_j[pivot_j].
        scales = []
        for f in free:
            lcm = 1
            for j, column in enumerate(pivots):
                value = Fraction(rows[j][f], rows[j][column])
                lcm = lcm * value.denominator // math.gcd(lcm, value.denominator)
            scales.append(lcm)
        columns: list[list[int]] = [[0] * len(free) for _ in range(m)]
        for position, f in enumerate(free):
            columns[f][position] = scales[position]
        for j, column in enumerate(pivots):
            pivot_value = rows[j][column]
            for position, f in enumerate(free):
                entry = rows[j][f]
                if entry:
                    scaled = Fraction(entry, pivot_value) * scales[position]
                    columns[column][position] = -int(scaled)  # an integer by choice of scale
        transforms = tuple(
            (column, tuple(Fraction(t, rows[j][column]) for t in rows[j][m:]))
            for j, column in enumerate(pivots)
        )
        return cls(
            n_generators=g,
            coordinates=tuple(tuple(c) for c in columns),
            pivot_rows=transforms,
        )

    def contains(self, atoms: Sequence[int]) -> bool:
        """Whether the 0/1 vector on ``atoms`` lies in the row space."""
        if not self.coordinates:
            return False
        width = len(self.coordinates[0])
        total = [0] * width
        for a in atoms:
            for i, v in enumerate(self.coordinates[a]):
                total[i] += v
        return not any(total)

    def coefficients(self, atoms: Sequence[int]) -> tuple[Fraction, ...]:
        """Generator coefficients c with sum_i c_i M_i equal to the 0/1 vector on ``atoms``."""
        chosen = set(atoms)
        out = [Fraction(0)] * self.n_generators
        for column, transform in self.pivot_rows:
            if column in chosen:
                out = [o + t for o, t in zip(out, transform, strict=True)]
        return tuple(out)


def _halves(
    candidates: Sequence[int], sizes: Sequence[int], budget: int, max_atoms: int
) -> Iterator[tuple[tuple[int, ...], int]]:
    """All subsets (as index tuples) of at most ``max_atoms`` candidates within the size budget."""
    yield (), 0
    for count in range(1, max_atoms + 1):
        for subset in combinations(range(len(candidates)), count):
            total = sum(sizes[i] for i in subset)
            if total <= budget:
                yield tuple(candidates[i] for i in subset), total


def find_small_derivable(
    span: SpanTest, atom_sizes: Sequence[int], *, k: int, limit: int = 1
) -> list[tuple[int, ...]]:
    """Unions of atoms with 1..k-1 respondents whose membership vector is in the span.

    Returns up to ``limit`` unions (tuples of atom indices), smallest atom tuples first in a
    canonical order, so the result does not depend on the order of respondents.
    """
    budget = k - 1
    candidates = [a for a, n in enumerate(atom_sizes) if 0 < n <= budget]
    if not candidates or budget < 1:
        return []
    small_sizes = [int(atom_sizes[a]) for a in candidates]
    half = (budget + 1) // 2
    estimate = sum(math.comb(len(candidates), c) for c in range(half + 1))
    if estimate > MAX_HALVES:
        raise SpanTooLargeError(f"{len(candidates)} small atoms give too many unions to search.")
    width = len(span.coordinates[0]) if span.coordinates else 0
    table: dict[tuple[int, ...], list[tuple[tuple[int, ...], int]]] = {}
    entries: list[tuple[tuple[int, ...], int, tuple[int, ...]]] = []
    for subset, total in _halves(candidates, small_sizes, budget, half):
        vector = [0] * width
        for a in subset:
            for i, v in enumerate(span.coordinates[a]):
                vector[i] += v
        key = tuple(vector)
        table.setdefault(key, []).append((subset, total))
        entries.append((subset, total, key))
    found: set[tuple[int, ...]] = set()
    for subset, total, key in entries:
        for other, other_total in table.get(tuple(-v for v in key), ()):
            if total + other_total < 1 or total + other_total > budget:
                continue
            if set(subset) & set(other):
                continue
            found.add(tuple(sorted(subset + other)))
    return sorted(found, key=lambda s: (len(s), s))[:limit]
