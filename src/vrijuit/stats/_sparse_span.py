"""Exact span membership for large, sparse 0/1 generator matrices: sparse integer elimination.

The differencing audit asks whether the indicator of a small union of atoms lies in the row space
of the shown cells' membership matrix ``M`` (cells × atoms). :class:`SpanTest` answers with a
dense kernel basis, whose size grows with atoms × kernel dimension; at thousands of atoms (unit ×
attribute cells of a 10,000-person organisation) that is where the time goes. This module keeps
everything sparse instead:

1. **Echelon form, exact.** ``M`` is brought to row-echelon form with fraction-free integer row
   operations on dictionaries, choosing each pivot Markowitz-style (the shortest remaining row,
   and in it the atom shared by the fewest rows), so a team's short row is eliminated long before
   the organisation's long one and the fill-in stays small. Each echelon row remembers which
   combination of generators it is (its *transform*). The arithmetic is exact, so the rank is the
   rank over the rationals.
2. **One random kernel vector, modulo a prime.** Free atoms get random values; back-substitution
   through the echelon rows (pivot values inverted modulo the Mersenne prime ``2**61 - 1``) gives
   each atom its coordinate ``z_a`` of a kernel vector of ``M``. The integers behind it form an
   exact rational kernel vector, so for every derivable union the coordinates sum to zero modulo
   the prime: searching zero sums finds every derivable union (no false negatives). A union that
   is not derivable sums to zero only by chance (about one in ``2**61``).
3. **Exact confirmation.** Every hit is reduced through the echelon rows with ``Fraction``
   arithmetic; it is derivable exactly when nothing is left, and the multipliers give the
   generators' coefficients of the derivation.

Deterministic: pivots are chosen by row length, column count and index only, and the random
values come from a fixed seed.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["PRIME", "SpanTooLargeError", "SparseSpan"]

IntArray = npt.NDArray[np.int64]

PRIME = 2**61 - 1  # a Mersenne prime: sums of four residues still fit in an int64
_SEED = 20240501


class SpanTooLargeError(ValueError):
    """The exact search would exceed its limits (the caller hides what it cannot prove)."""


@dataclass(frozen=True)
class SparseSpan:
    """The row space of a sparse integer generator matrix, ready for exact membership tests.

    ``pivot_atoms[i]`` is the pivot of echelon row ``rows[i]`` (a dict atom → integer), which
    equals ``sum_j transforms[i][j] * M[j]``; ``kernel`` holds each atom's coordinate of one random
    kernel vector modulo :data:`PRIME`.
    """

    n_generators: int
    n_atoms: int
    pivot_atoms: tuple[int, ...]
    rows: tuple[dict[int, int], ...]
    transforms: tuple[dict[int, int], ...]
    kernel: IntArray
    dependencies: tuple[dict[int, int], ...] = ()

    @property
    def redundant(self) -> frozenset[int]:
        """Generators that take part in a linear dependency among the generators.

        The transforms of the rows eliminated to zero are a basis of all dependencies, so a
        generator outside every one of them is in no dependency at all: its coefficient is the
        same in every derivation of a vector, and without it the span is smaller. A redundant
        generator can be left out without changing the span.
        """
        return frozenset(self._dependency_holders())

    @classmethod
    def build(
        cls,
        members: Sequence[Sequence[int] | IntArray],
        n_atoms: int,
        transforms: Sequence[Mapping[int, int]] | None = None,
        n_generators: int | None = None,
    ) -> SparseSpan:
        """Eliminate the 0/1 rows given as the atoms of each (``members[i]``).

        By default row ``i`` is generator ``i``; ``transforms[i]`` may instead write row ``i`` as
        an integer combination of ``n_generators`` generators (for rows that are residuals of
        nested cells), and coefficients are then reported per generator.
        """
        rows = [dict.fromkeys(np.asarray(atoms, dtype=np.int64).tolist(), 1) for atoms in members]
        start = [dict(t) for t in transforms] if transforms is not None else None
        return cls._eliminate(rows, n_atoms, start, n_generators)

    @classmethod
    def from_matrix(cls, matrix: npt.ArrayLike) -> SparseSpan:
        """Eliminate a dense integer generator matrix (for tests and small problems)."""
        dense = np.asarray(matrix)
        rows = [
            {int(a): int(dense[j, a]) for a in np.flatnonzero(dense[j])}
            for j in range(dense.shape[0])
        ]
        return cls._eliminate(rows, int(dense.shape[1]))

    @classmethod
    def _eliminate(
        cls,
        rows: list[dict[int, int]],
        n_atoms: int,
        start: list[dict[int, int]] | None = None,
        n_generators: int | None = None,
    ) -> SparseSpan:
        transforms = start if start is not None else [{j: 1} for j in range(len(rows))]
        if n_generators is None:
            n_generators = len(rows)
        holders: list[set[int]] = [set() for _ in range(n_atoms)]
        for j, row in enumerate(rows):
            for a in row:
                holders[a].add(j)
        active = [bool(row) for row in rows]
        queue = [(len(row), j) for j, row in enumerate(rows) if row]
        heapq.heapify(queue)
        pivot_atoms: list[int] = []
        pivot_rows: list[dict[int, int]] = []
        pivot_transforms: list[dict[int, int]] = []
        # Empty rows are dependencies from the start (a cell with no atom left in this release).
        dependencies = [t for t, row in zip(transforms, rows, strict=True) if not row]
        while queue:
            length, j = heapq.heappop(queue)
            if not active[j] or len(rows[j]) != length:
                continue  # a stale entry: the row changed (a fresh entry is queued) or is done
            row = rows[j]
            pivot = min(row, key=lambda a: (len(holders[a]), a))
            active[j] = False
            for a in row:
                holders[a].discard(j)
            p = row[pivot]
            transform = transforms[j]
            for other in sorted(holders[pivot]):
                _cancel(rows[other], transforms[other], row, transform, pivot, p, holders, other)
                if rows[other]:
                    heapq.heappush(queue, (len(rows[other]), other))
                else:
                    active[other] = False  # a combination of earlier rows: adds nothing
                    dependencies.append(transforms[other])
            pivot_atoms.append(pivot)
            pivot_rows.append(row)
            pivot_transforms.append(transform)
        kernel = _random_kernel_vector(pivot_atoms, pivot_rows, n_atoms)
        return cls(
            n_generators=n_generators,
            n_atoms=n_atoms,
            pivot_atoms=tuple(pivot_atoms),
            rows=tuple(pivot_rows),
            transforms=tuple(pivot_transforms),
            kernel=kernel,
            dependencies=tuple(dependencies),
        )

    @property
    def rank(self) -> int:
        return len(self.pivot_atoms)

    def hashes(self, atoms: Sequence[int]) -> IntArray:
        """Each atom's kernel coordinate modulo :data:`PRIME` (a linear hash, see the module)."""
        return self.kernel[np.asarray(atoms, dtype=np.int64)]

    def solve(self, atoms: Sequence[int]) -> dict[int, Fraction] | None:
        """Generator coefficients ``c`` with ``sum_j c_j M_j`` = the 0/1 vector on ``atoms``, or
        None when that vector is not in the row space."""
        position = self._positions()
        left: dict[int, Fraction] = {int(a): Fraction(1) for a in atoms}
        queue = [position[a] for a in left if position[a] >= 0]
        heapq.heapify(queue)
        done: set[int] = set()
        multipliers: dict[int, Fraction] = {}
        while queue:
            i = heapq.heappop(queue)
            if i in done:
                continue
            done.add(i)
            value = left.pop(self.pivot_atoms[i], Fraction(0))
            if not value:
                continue
            row = self.rows[i]
            factor = value / row[self.pivot_atoms[i]]
            multipliers[i] = factor
            for a, entry in row.items():
                if a == self.pivot_atoms[i]:
                    continue
                updated = left.get(a, Fraction(0)) - factor * entry
                if updated:
                    if a not in left and position[a] >= 0:
                        heapq.heappush(queue, position[a])
                    left[a] = updated
                else:
                    left.pop(a, None)
        if left:
            return None  # a free atom is left over: not in the span
        coefficients: dict[int, Fraction] = {}
        for i, factor in multipliers.items():
            for j, t in self.transforms[i].items():
                coefficients[j] = coefficients.get(j, Fraction(0)) + factor * t
        return {j: c for j, c in sorted(coefficients.items()) if c}

    def closing(
        self,
        solution: Mapping[int, Fraction],
        cost: Callable[[int], Any],
        allowed: Callable[[int], bool],
        max_steps: int = 3,
    ) -> list[int]:
        """Generators to leave out so that a derivation's vector leaves the span, cheap first.

        A generator in no linear dependency is *essential*: every derivation uses it, so
        leaving it out closes the derivation at once. A redundant one changes nothing alone.
        Two candidates, the cheaper kept (judged by their dearest generator):

        * the cheapest essential generator of the derivation, alone;
        * a sequence of at most ``max_steps``: the cheapest allowed generator; while the last
          one taken is redundant, rewrite the derivation without it (with a dependency that
          holds it), drop that dependency, and take the cheapest essential generator of the new
          derivation, or the cheapest one if none is essential yet.

        When neither closes the derivation, only the cheapest allowed generator is returned: the
        caller audits again without it. Returns the generators in the order taken (empty when no
        allowed generator is in the derivation).
        """
        derivation: dict[int, Fraction] = {j: Fraction(c) for j, c in solution.items() if c}
        holders = self._dependency_holders()
        essential = [j for j in derivation if allowed(j) and j not in holders]
        sequence, closed = self._closing_sequence(derivation, cost, allowed, max_steps)
        if essential:
            first = min(essential, key=cost)
            if not closed or cost(max(sequence, key=cost)) >= cost(first):
                return [first]
        # Not closed within max_steps: only the first, cheapest generator (the next audit goes
        # on from there), never a long chain through the dependencies.
        return sequence if closed else sequence[:1]

    def _closing_sequence(
        self,
        derivation: dict[int, Fraction],
        cost: Callable[[int], Any],
        allowed: Callable[[int], bool],
        max_steps: int,
    ) -> tuple[list[int], bool]:
        """The sequence of :meth:`closing`, and whether it closes the derivation."""
        base = self._dependency_holders()
        # Copy on write: only the dependencies and holder sets this derivation touches.
        dependencies: dict[int, dict[int, Fraction]] = {}
        holding: dict[int, set[int]] = {}

        def holders_of(j: int) -> set[int]:
            if j not in holding:
                holding[j] = set(base.get(j, ()))
            return holding[j]

        def dependency(number: int) -> dict[int, Fraction]:
            if number not in dependencies:
                original = self.dependencies[number]
                dependencies[number] = {j: Fraction(v) for j, v in original.items()}
            return dependencies[number]

        taken: list[int] = []
        while len(taken) < max_steps:
            choices = [j for j in derivation if allowed(j)]
            if not choices:
                return taken, False
            closing = [j for j in choices if not holders_of(j)] if taken else []
            s = min(closing or choices, key=cost)
            taken.append(s)
            with_s = sorted(holders_of(s))
            if not with_s:
                return taken, True
            pivot = dependency(with_s[0])
            _subtract(derivation, pivot, derivation[s] / pivot[s])
            for number in with_s[1:]:
                other = dependency(number)
                factor = other[s] / pivot[s]
                for j in pivot:
                    holders_of(j)
                _subtract(other, pivot, factor, holding=holding, number=number)
            for j in pivot:
                holders_of(j).discard(with_s[0])
        return taken, False

    def _dependency_holders(self) -> dict[int, tuple[int, ...]]:
        """For each generator in a dependency, the dependencies (by number) that hold it."""
        cached: dict[int, tuple[int, ...]] | None = self.__dict__.get("_holders_cache")
        if cached is None:
            lists: dict[int, list[int]] = {}
            for number, dependency in enumerate(self.dependencies):
                for j in dependency:
                    lists.setdefault(j, []).append(number)
            cached = {j: tuple(numbers) for j, numbers in lists.items()}
            object.__setattr__(self, "_holders_cache", cached)
        return cached

    def contains(self, atoms: Sequence[int]) -> bool:
        """Whether the 0/1 vector on ``atoms`` lies in the row space (exact)."""
        return bool(len(atoms)) and self.solve(atoms) is not None

    def coefficients(self, atoms: Sequence[int]) -> tuple[Fraction, ...]:
        """Generator coefficients of a derivable union, one per generator (zeros included)."""
        solution = self.solve(atoms)
        if solution is None:
            raise ValueError("these atoms are not in the span of the generators.")
        return tuple(solution.get(j, Fraction(0)) for j in range(self.n_generators))

    def _positions(self) -> list[int]:
        cached: list[int] | None = self.__dict__.get("_position_cache")
        if cached is None:
            cached = [-1] * self.n_atoms
            for i, a in enumerate(self.pivot_atoms):
                cached[a] = i
            object.__setattr__(self, "_position_cache", cached)
        return cached


def _subtract(
    target: dict[int, Fraction],
    row: Mapping[int, Fraction],
    factor: Fraction,
    *,
    holding: dict[int, set[int]] | None = None,
    number: int = -1,
) -> None:
    """In place: ``target -= factor * row``, dropping zeros (and keeping ``holding`` in step)."""
    for j, value in row.items():
        updated = target.get(j, Fraction(0)) - factor * value
        if updated:
            if holding is not None and j not in target:
                holding.setdefault(j, set()).add(number)
            target[j] = updated
        elif j in target:
            del target[j]
            if holding is not None:
                holding[j].discard(number)


def _cancel(
    target: dict[int, int],
    target_transform: dict[int, int],
    row: dict[int, int],
    transform: dict[int, int],
    pivot: int,
    p: int,
    holders: list[set[int]],
    index: int,
) -> None:
    """In place: remove ``pivot`` from ``target`` with an integer multiple of ``row``.

    With a pivot of ±1 that is ``target - (q / p) * row`` in integers; otherwise fraction-free,
    ``p * target - q * row``, divided by the gcd of the row and its transform so entries stay small.
    """
    q = target[pivot]
    if p in (1, -1):
        scale, factor = 1, q * p
    else:
        common = gcd(p, q)
        scale, factor = p // common, q // common
        if scale != 1:
            for a in target:
                target[a] *= scale
            for j in target_transform:
                target_transform[j] *= scale
    for a, value in row.items():
        updated = target.get(a, 0) - factor * value
        if updated:
            if a not in target:
                holders[a].add(index)
            target[a] = updated
        elif a in target:
            del target[a]
            holders[a].discard(index)
    for j, value in transform.items():
        updated = target_transform.get(j, 0) - factor * value
        if updated:
            target_transform[j] = updated
        else:
            target_transform.pop(j, None)
    if scale != 1:
        divisor = 0
        for value in target.values():
            divisor = gcd(divisor, value)
        for value in target_transform.values():
            divisor = gcd(divisor, value)
        if divisor > 1:
            for a in target:
                target[a] //= divisor
            for j in target_transform:
                target_transform[j] //= divisor


def _random_kernel_vector(
    pivot_atoms: Sequence[int], rows: Sequence[dict[int, int]], n_atoms: int
) -> IntArray:
    """A random kernel vector modulo PRIME: random free atoms, pivots by back-substitution.

    Row ``i`` holds its pivot and atoms pivoted later or free, so going backwards every other
    atom of the row already has its value. A pivot value divisible by PRIME cannot be inverted;
    with 0/1 generators the values are tiny, so that is refused rather than handled.
    """
    rng = np.random.default_rng(_SEED)
    values = [int(v) for v in np.asarray(rng.integers(1, PRIME, size=n_atoms)).tolist()]
    for i in range(len(pivot_atoms) - 1, -1, -1):
        row = rows[i]
        pivot = pivot_atoms[i]
        total = 0
        for a, entry in row.items():
            if a != pivot:
                total += entry * values[a]
        p = row[pivot] % PRIME
        if p == 0:
            # Cannot happen with the tiny pivots of 0/1 cells; refused (so hidden), not guessed.
            raise SpanTooLargeError("a pivot is divisible by the hashing prime.")
        values[pivot] = (-total * pow(p, -1, PRIME)) % PRIME
    return np.asarray(values, dtype=np.int64)
