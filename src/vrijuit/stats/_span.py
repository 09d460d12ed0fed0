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
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["SpanTest", "SpanTooLargeError", "find_small_derivable"]

IntArray = npt.NDArray[np.int64]

# Beyond these sizes the exact search is refused (the caller then falls back to something
# conservative); the limits keep one audit well under a second.
MAX_ATOMS = 4000
MAX_HALVES = 400_000
_SAFE_INT = 2**62


class SpanTooLargeError(ValueError):
    """The exact search would exceed its size limits."""


def _eliminate(generators: IntArray) -> tuple[npt.NDArray[Any], list[int]]:
    """Fraction-free Gauss–Jordan on ``[M | I]``: the pivot rows (int64 or object) and pivots.

    The row operations run on whole numpy arrays: int64 while the entries are small (they stay
    tiny for 0/1 membership matrices), switching to Python integers (object arrays) before any
    product could overflow, so the arithmetic is exact either way.
    """
    g, m = generators.shape
    table: npt.NDArray[Any] = np.hstack([generators, np.eye(g, dtype=np.int64)])
    pivots: list[int] = []
    rank = 0
    for column in range(m):
        nonzero = np.flatnonzero(table[rank:, column])
        if nonzero.shape[0] == 0:
            continue
        found = rank + int(nonzero[0])
        if found != rank:
            table[[rank, found]] = table[[found, rank]]
        others = np.flatnonzero(table[:, column])
        others = others[others != rank]
        if others.shape[0]:
            pivot_row = table[rank]
            p = pivot_row[column]
            q = table[others, column]
            if table.dtype != object:
                bound = int(np.abs(table[others]).max()) * abs(int(p)) + int(np.abs(q).max()) * int(
                    np.abs(pivot_row).max()
                )
                if bound >= _SAFE_INT:
                    table = table.astype(object)
                    pivot_row, p, q = table[rank], table[rank, column], table[others, column]
            updated = p * table[others] - q[:, np.newaxis] * pivot_row[np.newaxis, :]
            divisor = np.gcd.reduce(updated, axis=1)
            divisor[divisor == 0] = 1
            table[others] = updated // divisor[:, np.newaxis]
        pivots.append(column)
        rank += 1
    return table[:rank], pivots


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
    matrix: npt.NDArray[Any]  # the coordinates as one (atoms × kernel) integer array

    @classmethod
    def build(cls, generators: IntArray) -> SpanTest:
        """Row-reduce ``[M | I]`` with integer arithmetic and read off kernel and transforms."""
        g, m = generators.shape
        if m > MAX_ATOMS:
            raise SpanTooLargeError(f"{m} atoms exceed the exact audit limit of {MAX_ATOMS}.")
        rows, pivots = _eliminate(np.asarray(generators, dtype=np.int64))
        free = np.setdiff1d(np.arange(m), np.asarray(pivots, dtype=np.int64))
        pivot_index = np.asarray(pivots, dtype=np.int64)
        # Kernel vector z_f for free column f: z_f[f] = 1, z_f[pivot_j] = -R_j[f] / R_j[pivot_j],
        # scaled by the lcm of its denominators so every coordinate is an integer.
        entries = rows[:, free]  # rank × free
        pivot_values = rows[np.arange(len(pivots)), pivot_index][:, np.newaxis]
        if len(pivots) and free.shape[0]:
            denominators = np.abs(pivot_values) // np.gcd(entries, pivot_values)
            scales = np.lcm.reduce(np.vstack([np.ones_like(free), denominators]), axis=0)
        else:
            scales = np.ones(free.shape[0], dtype=rows.dtype)
        if (
            rows.dtype != object
            and int(np.abs(scales).max(initial=1)) * int(np.abs(entries).max(initial=1))
            >= _SAFE_INT
        ):
            entries, pivot_values, scales = (
                entries.astype(object),
                pivot_values.astype(object),
                scales.astype(object),
            )
        matrix = np.zeros((m, free.shape[0]), dtype=entries.dtype)
        matrix[free, np.arange(free.shape[0])] = scales
        if len(pivots):
            matrix[pivot_index] = -(entries * scales[np.newaxis, :]) // pivot_values
        plain = rows.tolist()
        transforms = tuple(
            (column, plain[j][column], tuple(plain[j][m:])) for j, column in enumerate(pivots)
        )
        return cls(
            n_generators=g,
            coordinates=tuple(tuple(c) for c in matrix.tolist()),
            pivot_rows=transforms,
            matrix=matrix,
        )

    def contains(self, atoms: Sequence[int]) -> bool:
        """Whether the 0/1 vector on ``atoms`` lies in the row space."""
        if not self.coordinates or not len(atoms):
            return False
        return not self.matrix[list(atoms)].sum(axis=0).any()

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
    width = span.matrix.shape[1]
    rng = np.random.default_rng(seed)
    weights = np.asarray(
        rng.integers(0, 2**64, size=width, dtype=np.uint64, endpoint=False), dtype=np.uint64
    )
    chosen = span.matrix[list(atoms)]
    if chosen.dtype == object:
        residues = [[int(v) % 2**64 for v in row] for row in chosen.tolist()]
        unsigned = np.array(residues, dtype=np.uint64).reshape(len(atoms), width)
    else:
        unsigned = chosen.astype(np.uint64)  # two's complement: the same residue modulo 2**64
    # Unsigned integer arithmetic wraps modulo 2**64, which keeps the map linear.
    hashes: npt.NDArray[np.uint64] = (unsigned * weights[np.newaxis, :]).sum(
        axis=1, dtype=np.uint64
    )
    return hashes


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
