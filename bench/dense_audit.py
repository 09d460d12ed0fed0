"""The dense exact audit Vrijuit used before the sparse one: the baseline of bench_audit.py.

Kept only to measure against, in the same process and on the same lattice. It is the planner and
general audit as they were (engine commit 189d655): every shown cell as a dense 0/1 row over the
atoms, a kernel basis by fraction-free Gauss–Jordan (``SpanTest``, still in the engine), every
union of small atoms whose 64-bit hash of kernel coordinates sums to zero collected and sorted
before the exact confirmation, ``Fraction`` coefficients summed over every generator, at most
4,000 atoms, and one pick per leak (its smallest cell) with overlapping leaks left to the next
round. Fast paths and the structural audit are the engine's own (unchanged).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations
from typing import Literal

import numpy as np
import numpy.typing as npt

from vrijuit.stats import disclosure
from vrijuit.stats._cells import Cell, CellKey, CellLattice, member_rows, release_atoms
from vrijuit.stats._span import SpanTest, SpanTooLargeError
from vrijuit.stats.disclosure import (
    AuditResult,
    DisclosurePlan,
    Leak,
    LeakTerm,
    SuppressionReason,
)

__all__ = ["MAX_ATOMS", "dense_plan"]

MAX_ATOMS = 4000
MAX_HALVES = 400_000
_KIND_ORDER = {"unit": 0, "attribute": 1, "unit_attribute": 2}


def _coefficients(span: SpanTest, atoms: Sequence[int]) -> tuple[Fraction, ...]:
    chosen = set(atoms)
    out = [Fraction(0)] * span.n_generators
    for column, pivot_value, transform in span.pivot_rows:
        if column in chosen:
            out = [o + Fraction(t, pivot_value) for o, t in zip(out, transform, strict=True)]
    return tuple(out)


def _hashes(span: SpanTest, atoms: Sequence[int]) -> npt.NDArray[np.uint64]:
    width = span.matrix.shape[1]
    rng = np.random.default_rng(20240501)
    weights = np.asarray(rng.integers(0, 2**64, size=width, dtype=np.uint64), dtype=np.uint64)
    chosen = span.matrix[list(atoms)]
    if chosen.dtype == object:
        residues = [[int(v) % 2**64 for v in row] for row in chosen.tolist()]
        unsigned = np.array(residues, dtype=np.uint64).reshape(len(atoms), width)
    else:
        unsigned = chosen.astype(np.uint64)
    total: npt.NDArray[np.uint64] = (unsigned * weights[np.newaxis, :]).sum(axis=1, dtype=np.uint64)
    return total


def _halves(
    sizes: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint64], budget: int, max_atoms: int
) -> tuple[list[tuple[int, ...]], npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
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
        hashed.append(hashes[first] + hashes[second])
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


def _find_small_derivable(
    span: SpanTest, atom_sizes: Sequence[int], *, k: int, limit: int
) -> list[tuple[int, ...]]:
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
    targets = np.zeros_like(hashes) - hashes
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
        if span.contains(group):
            out.append(group)
            if len(out) >= limit:
                break
    return out


def _general_audit(
    lattice: CellLattice, shown: frozenset[CellKey], k: int, limit: int
) -> list[Leak]:
    atoms = release_atoms(lattice, shown, ())
    reps = atoms.representative
    keys = sorted(shown)
    matrix = np.array([member_rows(lattice, key, reps) for key in keys], dtype=np.int64)
    used = matrix.any(axis=0)
    matrix = matrix[:, used]
    sizes = atoms.sizes[used]
    if matrix.shape[1] > MAX_ATOMS:
        raise SpanTooLargeError(f"{matrix.shape[1]} atoms exceed the dense limit of {MAX_ATOMS}.")
    span = SpanTest.build(matrix)
    leaks = []
    for group in _find_small_derivable(span, [int(s) for s in sizes], k=k, limit=limit):
        coefficients = _coefficients(span, group)
        terms = tuple(
            LeakTerm(key, float(c)) for key, c in zip(keys, coefficients, strict=True) if c != 0
        )
        leaks.append(Leak(size=int(sizes[list(group)].sum()), terms=terms, rule="exact_span"))
    return leaks


def _audit(lattice: CellLattice, shown: frozenset[CellKey], k: int) -> AuditResult:
    fast = disclosure._tree_leaks(lattice, shown, k) + disclosure._unit_attribute_leaks(
        lattice, shown, k
    )
    if fast:
        return AuditResult(safe=False, leaks=tuple(fast), method="fast_path", k=k)
    if lattice.root in shown and all(key.kind != "unit_attribute" for key in shown):
        found = disclosure._structural_audit(lattice, shown, k, 50)
        method = "structural"
    else:
        found = _general_audit(lattice, shown, k, 50)
        method = "exact_span"
    return AuditResult(safe=not found, leaks=tuple(found), method=method, k=k)


def _order(cell: Cell) -> tuple[int, int, int, CellKey]:
    return (cell.n, -cell.depth, _KIND_ORDER[cell.key.kind], cell.key)


def dense_plan(lattice: CellLattice, *, k: int = 5) -> DisclosurePlan:
    """The earlier planner (R1, then R3 rounds with the dense audit) on a lattice."""
    root = lattice.root
    suppressed: dict[CellKey, SuppressionReason] = {}
    shown: set[CellKey] = set()
    for cell in lattice.cells:
        if cell.n < k:
            suppressed[cell.key] = SuppressionReason("below_k", cell.n)
        else:
            shown.add(cell.key)
    method = "threshold"
    while True:
        try:
            result = _audit(lattice, frozenset(shown), k)
        except SpanTooLargeError:
            # As before: too large to prove, so every unit × value cell is hidden unverified.
            for key in [key for key in shown if key.kind == "unit_attribute"]:
                shown.discard(key)
                suppressed[key] = SuppressionReason("unverified", lattice.cell(key).n)
            continue
        method = result.method
        if result.safe:
            break
        picked: dict[CellKey, Leak] = {}
        touched: set[CellKey] = set()
        for leak in result.leaks:
            cells_in_leak = {t.cell for t in leak.terms}
            if result.method != "fast_path" and cells_in_leak & touched:
                continue
            current = [t.cell for t in leak.terms if t.cell in shown]
            free = [key for key in current if key != root] or current
            if free:
                choice = min(free, key=lambda key: _order(lattice.cell(key)))
                if choice not in picked:
                    picked[choice] = leak
                    touched |= cells_in_leak
        code: Literal["differencing"] = "differencing"
        for key, leak in picked.items():
            shown.discard(key)
            suppressed[key] = SuppressionReason(code, lattice.cell(key).n, leak)
    return DisclosurePlan(shown=frozenset(shown), suppressed=suppressed, k=k, method=method)
