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
from collections.abc import Sequence
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
    pivot_rows: tuple[tuple[int, int, tuple[int, ...]], ...]

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
        # Kernel vector z_f for free column f: z_f[f] = 1, z_f[pivot_j] = -R_j[f] / R_j[pivot_j],
        # scaled by the lcm of its denominators so every coordinate is an integer.
        scales = [1] * len(free)
        for j, column in enumerate(pivots):
            pivot_value = abs(rows[j][column])
            for position, f in enumerate(free):
                entry = rows[j][f]
                if entry:
                    scales[position] = math.lcm(
                        scales[position], pivot_value // math.gcd(entry, pivot_value)
                    )
        columns: list[list[int]] = [[0] * len(free) for _ in range(m)]
        for position, f in enumerate(free):
            columns[f][position] = scales[position]
        for j, column in enumerate(pivots):
            pivot_value = rows[j][column]
            for position, f in enumerate(free):
                entry = rows[j][f]
                if entry:
                    columns[column][position] = -(entry * scales[position]) // pivot_value
        transforms = tuple(
            (column, rows[j][column], tuple(rows[j][m:])) for j, column in enumerate(pivots)
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
        for column, pivot_value, transform in self.pivot_rows:
            if column in chosen:
                out = [o + Fraction(t, pivot_value) for o, t in zip(out, transform, strict=True)]
        return tuple(out)


def _halves(
    sizes: IntArray, hashes: npt.NDArray[np.uint64], budget: int, max_atoms: int
) -> tuple[list[tuple[int, ...]], IntArray, npt.NDArray[np.uint64]]:
    """All subsets of at most ``max_atoms`` atoms within the size budget, with size and hash.

    Subsets of one or two atoms are built with numpy; larger halves (k > 5) with itertools.
    """
    p = sizes.shape[0]
    subsets: list[tuple[int, ...]] = [()]
    total = [np.zeros(1, dtype=np.int64)]
    hashed = [np.zeros(1, dtype=np.uint64)]
    if max_atoms >= 1:
        subsets += [(i,) for i in range(p)]
        total.append(sizes)
        hashed.append(hashes)
    if max_atoms >= 2:
        first, second = np.triu_indices(p, 1)
        pair_size = sizes[first] + sizes[second]
        fits = pair_size <= budget
        first, second = first[fits], second[fits]
        subsets += list(zip(first.tolist(), second.tolist(), strict=True))
        total.append(pair_size[fits])
        hashed.append(hashes[first] + hashes[second])  # wraps modulo 2**64 on purpose
    for count in range(3, max_atoms + 1):
        extra = [c for c in combinations(range(p), count) if sum(sizes[list(c)]) <= budget]
        subsets += extra
        total.append(np.array([int(sizes[list(c)].sum()) for c in extra], dtype=np.int64))
        hashed.append(
            np.array([int(hashes[list(c)].sum()) for c in extra], dtype=np.uint64)
            if extra
            else np.zeros(0, dtype=np.uint64)
        )
    return subsets, np.concatenate(total), np.concatenate(hashed)


def _hashes(span: SpanTest, atoms: Sequence[int], seed: int = 20240501) -> npt.NDArray[np.uint64]:
    """A linear hash of each atom's kernel coordinates modulo 2**64.

    The map is linear, so a zero sum of coordinates always gives a zero sum of hashes: matching
    hashes find every derivable union (no false negatives); each match is then confirmed exactly.
    """
    width = len(span.coordinates[0]) if span.coordinates else 0
    rng = np.random.default_rng(seed)
    weights = [int(w) for w in rng.integers(1, 2**63, size=width, dtype=np.int64)]
    modulus = 2**64
    return np.array(
        [
            sum(w * c for w, c in zip(weights, span.coordinates[a], strict=True)) % modulus
            for a in atoms
        ],
        dtype=np.uint64,
    )


def find_small_derivable(
    span: SpanTest, atom_sizes: Sequence[int], *, k: int, limit: int = 1
) -> list[tuple[int, ...]]:
    """Unions of atoms with 1..k-1 respondents whose membership vector is in the span.

    Returns up to ``limit`` unions (tuples of atom indices), fewest atoms first and then in index
    order, so the result does not depend on the order of respondents.
    """
    budget = k - 1
    candidates = [a for a, n in enumerate(atom_sizes) if 0 < n <= budget]
    if not candidates or budget < 1:
        return []
    sizes = np.array([int(atom_sizes[a]) for a in candidates], dtype=np.int64)
    half = (budget + 1) // 2
    estimate = sum(math.comb(len(candidates), c) for c in range(min(half, 2) + 1, half + 1))
    if estimate > MAX_HALVES or len(candidates) > 4000:
        raise SpanTooLargeError(f"{len(candidates)} small atoms give too many unions to search.")
    subsets, totals, hashes = _halves(sizes, _hashes(span, candidates), budget, half)
    order = np.argsort(hashes, kind="stable")
    sorted_hashes = hashes[order]
    targets = np.zeros_like(hashes) - hashes  # the additive inverse modulo 2**64
    low = np.searchsorted(sorted_hashes, targets, side="left")
    high = np.searchsorted(sorted_hashes, targets, side="right")
    left = np.repeat(np.arange(hashes.shape[0]), high - low)
    counts = high - low
    starts = np.repeat(low - (np.cumsum(counts) - counts), counts)
    right = order[np.arange(left.shape[0]) + starts]
    joint = totals[left] + totals[right]
    fits = (left <= right) & (joint >= 1) & (joint <= budget)
    found: set[tuple[int, ...]] = set()
    for i, j in zip(left[fits].tolist(), right[fits].tolist(), strict=True):
        if set(subsets[i]) & set(subsets[j]):
            continue
        found.add(tuple(sorted(candidates[a] for a in subsets[i] + subsets[j])))
    out = []
    for group in sorted(found, key=lambda g: (len(g), g)):
        if span.contains(group):  # exact confirmation of the hash match
            out.append(group)
            if len(out) >= limit:
                break
    return out
