"""Exact span arithmetic for the differencing audit: the search for small derivable unions, and
the dense kernel of the structural audit. Integers and fractions, never floats.

A group of respondents can be computed from shown cells exactly when its membership vector lies
in the linear span of the shown cells' membership vectors. Over *atoms* (respondents with the same
cell memberships) a vector ``v`` lies in the row space of the generator matrix ``M`` if and only if
it is orthogonal to every vector of the kernel of ``M``.

* :func:`find_small_derivable` searches the unions of at most ``k - 1`` people whose atoms' hashes
  — their coordinates of a kernel vector, modulo the prime ``PRIME`` — sum to zero, by number of
  atoms and meet-in-the-middle, and confirms each hit exactly. It works with any :class:`Span`:
  the sparse one of the general audit (:mod:`vrijuit.stats._sparse_span`) or :class:`SpanTest`.
* :class:`SpanTest` computes a dense kernel basis with fraction-free integer Gauss–Jordan
  elimination. The structural audit uses it on its small reduced problems; the tests use it as the
  oracle of the sparse elimination.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from vrijuit.stats._sparse_span import PRIME, SpanTooLargeError

__all__ = ["PRIME", "Span", "SpanTest", "SpanTooLargeError", "find_small_derivable"]

IntArray = npt.NDArray[np.int64]

# Beyond these sizes the exact search is refused (the caller then falls back to something
# conservative: hiding what it cannot prove). MAX_ATOMS bounds the atoms of one audit (and the
# dense kernel of SpanTest), MAX_HALVES the parts enumerated for one number of atoms (memory:
# about 40 bytes each), MAX_MATCHES the hash matches of one number of atoms.
MAX_ATOMS = 20_000
MAX_DENSE_ATOMS = 4000
MAX_HALVES = 8_000_000
MAX_MATCHES = 2_000_000
_SAFE_INT = 2**62
_SEED = 20240501


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
        if m > MAX_DENSE_ATOMS:
            raise SpanTooLargeError(f"{m} atoms exceed the dense audit limit of {MAX_DENSE_ATOMS}.")
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
        """Generator coefficients c with sum_i c_i M_i equal to the 0/1 vector on ``atoms``.

        Only the echelon rows whose pivot is one of ``atoms`` take part; their transforms are
        summed over the common denominator in integers, and turned into fractions once.
        """
        chosen = set(atoms)
        used = [(p, t) for column, p, t in self.pivot_rows if column in chosen]
        denominator = math.lcm(*(abs(p) for p, _ in used)) if used else 1
        total = [0] * self.n_generators
        for p, transform in used:
            scale = denominator // p
            total = [o + scale * t for o, t in zip(total, transform, strict=True)]
        return tuple(Fraction(o, denominator) if o else Fraction(0) for o in total)

    def hashes(self, atoms: Sequence[int]) -> IntArray:
        """Each atom's coordinate of one random kernel vector, modulo ``PRIME`` (see
        :func:`find_small_derivable`): the kernel basis combined with seeded random weights."""
        width = self.matrix.shape[1]
        rng = np.random.default_rng(_SEED)
        weights = [int(w) for w in np.asarray(rng.integers(1, PRIME, size=width)).tolist()]
        rows = self.matrix[list(atoms)].tolist() if len(atoms) else []
        return np.array(
            [sum(c * w for c, w in zip(row, weights, strict=True)) % PRIME for row in rows],
            dtype=np.int64,
        )


class Span(Protocol):
    """What the search needs of a row space: linear hashes and an exact membership test."""

    def hashes(self, atoms: Sequence[int]) -> IntArray: ...

    def contains(self, atoms: Sequence[int]) -> bool: ...


def _subsets(
    pool: IntArray, sizes: IntArray, hashes: IntArray, count: int, budget: int
) -> tuple[IntArray, IntArray, IntArray]:
    """All ``count``-subsets of ``pool`` positions (increasing) within ``budget`` people.

    Returns the subsets (rows of positions), their sizes and their hash sums modulo PRIME; built
    one position at a time with numpy (each subset extended by every larger position).
    """
    members = np.arange(pool.shape[0], dtype=np.int64)[:, np.newaxis]
    total = sizes[pool].copy()
    hashed = hashes[pool].copy()
    fits = total <= budget
    members, total, hashed = members[fits], total[fits], hashed[fits]
    for _ in range(count - 1):
        last = members[:, -1]
        extra = pool.shape[0] - 1 - last  # positions after the last one
        if int(extra.sum()) > MAX_HALVES:
            raise SpanTooLargeError(f"{pool.shape[0]} small atoms give too many unions to search.")
        base = np.repeat(np.arange(members.shape[0]), extra)
        starts = np.repeat(last + 1 - (np.cumsum(extra) - extra), extra)
        following = np.arange(base.shape[0]) + starts
        grown_total = total[base] + sizes[pool[following]]
        keep = grown_total <= budget
        base, following = base[keep], following[keep]
        members = np.hstack([members[base], following[:, np.newaxis]])
        total = grown_total[keep]
        hashed = (hashed[base] + hashes[pool[following]]) % PRIME
    return members, total, hashed


def _matches(
    pool: IntArray, sizes: IntArray, hashes: IntArray, count: int, budget: int
) -> list[tuple[int, ...]]:
    """Unions of exactly ``count`` pool atoms within ``budget`` whose hashes sum to zero.

    Meet in the middle: the union's ``count // 2`` smallest positions form the left part, the
    rest the right part, so every union is met exactly once; parts are matched on their hashes
    through one sort and ``searchsorted``.
    """
    # Each of the other count - 1 atoms holds at least one person.
    pool = pool[sizes[pool] <= budget - (count - 1)]
    if count == 1:
        return [(int(i),) for i in pool[hashes[pool] == 0]]
    left_count = count // 2
    right_count = count - left_count
    # Every other atom holds at least one person, which bounds each part's size.
    left, left_total, left_hash = _subsets(pool, sizes, hashes, left_count, budget - right_count)
    right, right_total, right_hash = _subsets(pool, sizes, hashes, right_count, budget - left_count)
    # Sort the shorter side and look the longer one up in it.
    if right.shape[0] <= left.shape[0]:
        first, second = _join(left_hash, right_hash)
    else:
        second, first = _join(right_hash, left_hash)
    fits = (left[first, -1] < right[second, 0]) & (
        left_total[first] + right_total[second] <= budget
    )
    unions = np.hstack([left[first[fits]], right[second[fits]]])
    return sorted(tuple(int(pool[i]) for i in row) for row in unions.tolist())


def _join(queries: IntArray, table: IntArray) -> tuple[IntArray, IntArray]:
    """All pairs (i, j) with ``queries[i] + table[j] ≡ 0`` modulo PRIME.

    Both sides are sorted first: looking sorted keys up in a sorted table walks memory in order,
    several times faster than random look-ups when both have a million entries.
    """
    if table.shape[0] == 0 or queries.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    by_table = np.argsort(table)
    sorted_table = table[by_table]
    targets = (PRIME - queries) % PRIME
    by_target = np.argsort(targets)
    sorted_targets = targets[by_target]
    low = np.searchsorted(sorted_table, sorted_targets, side="left")
    hit = np.flatnonzero(sorted_table[np.minimum(low, table.shape[0] - 1)] == sorted_targets)
    if hit.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    low = low[hit]
    high = np.searchsorted(sorted_table, sorted_targets[hit], side="right")
    counts = high - low
    if int(counts.sum()) > MAX_MATCHES:
        raise SpanTooLargeError("too many unions of small atoms match to confirm them all.")
    first = by_target[np.repeat(hit, counts)]
    starts = np.repeat(low - (np.cumsum(counts) - counts), counts)
    return first, by_table[np.arange(first.shape[0]) + starts]


def _contains_smaller(union: tuple[int, ...], derivable: set[tuple[int, ...]]) -> bool:
    """Whether a proper part of ``union`` (two or more atoms, at least two left over) is itself
    derivable; then so is the rest, and ``union`` adds nothing to the smaller leaks."""
    for part in range(2, len(union) - 1):
        if any(sub in derivable for sub in combinations(union, part)):
            return True
    return False


def find_small_derivable(
    span: Span, atom_sizes: Sequence[int], *, k: int, limit: int = 1
) -> list[tuple[int, ...]]:
    """Minimal unions of atoms with 1..k−1 respondents whose membership vector is in the span.

    Returns up to ``limit`` unions (tuples of atom indices), fewest atoms first and then in index
    order, so the result does not depend on the order of respondents. *Minimal*: no part of a
    returned union is derivable on its own — a union holding a derivable part is derivable only
    if the rest is, which is then found (or reported) by itself. So the release has a small
    derivable group exactly when this returns something.

    Search: every atom has a hash, its coordinate of one random kernel vector modulo the prime
    ``PRIME``. The map is linear and vanishes on the span, so a derivable union's hashes always
    sum to zero (no false negatives); other unions do so by chance, about once in ``2**61``, and
    every hit is confirmed exactly (``span.contains``). Unions are searched by their number of
    atoms, 1, 2, ... up to ``k - 1``, each by meet in the middle; the search stops at the first
    number of atoms that gives ``limit`` confirmed unions. Atoms that are derivable alone are left
    out of larger unions, as are unions holding a derivable pair or larger part.
    """
    budget = k - 1
    candidates = [a for a, n in enumerate(atom_sizes) if 0 < n <= budget]
    if not candidates or budget < 1:
        return []
    if len(candidates) > MAX_ATOMS:
        raise SpanTooLargeError(f"{len(candidates)} small atoms exceed the search limit.")
    atoms = np.asarray(candidates, dtype=np.int64)
    sizes = np.asarray([int(atom_sizes[a]) for a in candidates], dtype=np.int64)
    hashes = np.asarray(span.hashes(candidates), dtype=np.int64) % PRIME
    pool = np.arange(atoms.shape[0], dtype=np.int64)
    found: list[tuple[int, ...]] = []
    derivable: set[tuple[int, ...]] = set()
    for count in range(1, budget + 1):
        if pool.shape[0] < count:
            break
        for positions in _matches(pool, sizes, hashes, count, budget):
            group = tuple(int(atoms[i]) for i in positions)
            if count > 3 and _contains_smaller(positions, derivable):
                continue
            if span.contains(group):
                found.append(group)
                derivable.add(positions)
                if len(found) >= limit:
                    return found
        if count == 1 and derivable:
            alone = np.array([p[0] for p in derivable], dtype=np.int64)
            pool = pool[~np.isin(pool, alone)]
    return found
