"""The sparse exact span (used by the general audit) against the dense one and brute force.

The dense :class:`SpanTest` is the earlier exact checker, kept as an oracle: a kernel basis by
fraction-free Gauss–Jordan elimination. On random integer and 0/1 matrices the sparse elimination
must agree with it on every membership question, give coefficients that rebuild the vector
exactly, and the search must return exactly the minimal derivable unions that brute force finds.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vrijuit.stats._span import SpanTest, SpanTooLargeError, find_small_derivable
from vrijuit.stats._sparse_span import PRIME, SparseSpan

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@st.composite
def zero_one_problems(draw, max_atoms: int = 12):
    """A 0/1 generator matrix with atom sizes: nested, overlapping and disjoint cells."""
    m = draw(st.integers(2, max_atoms))
    g = draw(st.integers(1, 9))
    matrix = draw(arrays(np.int64, (g, m), elements=st.sampled_from([0, 0, 1])))
    # Add a total and a nested cell now and then, as a lattice has them.
    if draw(st.booleans()):
        matrix = np.vstack([matrix, np.ones((1, m), dtype=np.int64)])
    sizes = draw(st.lists(st.integers(1, 6), min_size=m, max_size=m))
    return matrix, sizes


def brute_force_minimal(matrix: np.ndarray, sizes: list[int], k: int) -> list[tuple[int, ...]]:
    """Every union of atoms of 1..k−1 people in the span (dense oracle), then the minimal ones."""
    dense = SpanTest.build(matrix)
    used = [a for a in range(matrix.shape[1]) if 0 < sizes[a] <= k - 1]
    derivable = []
    for count in range(1, k):
        for group in itertools.combinations(used, count):
            if sum(sizes[a] for a in group) <= k - 1 and dense.contains(group):
                derivable.append(group)
    chosen = set(derivable)
    return [
        group
        for group in derivable
        if not any(
            part in chosen
            for size in range(1, len(group))
            for part in itertools.combinations(group, size)
        )
    ]


def rebuilt(span: SparseSpan, matrix: np.ndarray, group: tuple[int, ...]) -> list[Fraction]:
    coefficients = span.coefficients(group)
    return [
        sum((c * int(matrix[j, a]) for j, c in enumerate(coefficients)), Fraction(0))
        for a in range(matrix.shape[1])
    ]


@SETTINGS
@given(zero_one_problems(), st.sampled_from([3, 4, 5, 6]))
def test_the_search_returns_exactly_the_minimal_derivable_unions(problem, k: int) -> None:
    matrix, sizes = problem
    span = SparseSpan.from_matrix(matrix)
    found = find_small_derivable(span, sizes, k=k, limit=10_000)
    expected = brute_force_minimal(matrix, sizes, k)
    assert found == sorted(expected, key=lambda g: (len(g), g))
    # The old dense span gives the same answers through the same search.
    assert find_small_derivable(SpanTest.build(matrix), sizes, k=k, limit=10_000) == found
    # A limit keeps the first unions in that order.
    assert find_small_derivable(span, sizes, k=k, limit=2) == found[:2]


@SETTINGS
@given(
    arrays(np.int64, st.tuples(st.integers(1, 7), st.integers(1, 9)), elements=st.integers(-3, 3))
)
def test_sparse_and_dense_spans_agree_on_every_0_1_vector(matrix: np.ndarray) -> None:
    # Entries other than 0/1 exercise the fraction-free steps (pivots that are not ±1).
    sparse = SparseSpan.from_matrix(matrix)
    dense = SpanTest.build(matrix)
    assert sparse.rank == np.linalg.matrix_rank(matrix.astype(float))
    m = matrix.shape[1]
    for count in range(1, m + 1):
        for group in itertools.combinations(range(m), count):
            inside = sparse.contains(group)
            assert inside == dense.contains(group), group
            if inside:
                target = [Fraction(1 if a in group else 0) for a in range(m)]
                assert rebuilt(sparse, matrix, group) == target
                # Derivable unions have hashes summing to zero modulo the prime.
                assert int(sparse.hashes(list(group)).sum()) % PRIME == 0


def test_a_kernel_vector_is_orthogonal_to_every_generator() -> None:
    rng = np.random.default_rng(3)
    matrix = (rng.random((40, 120)) < 0.1).astype(np.int64)
    matrix[0] = 1
    span = SparseSpan.from_matrix(matrix)
    kernel = [int(v) for v in span.kernel]
    for row in matrix.tolist():
        assert sum(r * z for r, z in zip(row, kernel, strict=True)) % PRIME == 0


def test_a_difference_of_nested_cells_and_its_coefficients() -> None:
    # A = {0, 1, 2}, B = {0, 1}: A − B is atom 2; nothing else of fewer than 5 people.
    span = SparseSpan.build([[0, 1, 2], [0, 1]], 3)
    assert span.solve([2]) == {0: 1, 1: -1}
    assert span.solve([0]) is None
    assert find_small_derivable(span, [3, 3, 2], k=5, limit=5) == [(2,)]


def test_the_search_refuses_more_matches_than_it_can_confirm(monkeypatch) -> None:
    import vrijuit.stats._span as span_module

    # The total minus the cell {0, 1, 2} reveals three people: a hash match that must be
    # confirmed; with no match allowed the search refuses instead of answering on a guess.
    monkeypatch.setattr(span_module, "MAX_MATCHES", 0)
    span = SparseSpan.build([list(range(6)), [0, 1, 2]], 6)
    with pytest.raises(SpanTooLargeError):
        find_small_derivable(span, [1] * 6, k=5, limit=5)


@SETTINGS
@given(zero_one_problems(max_atoms=9), st.sampled_from([3, 5]))
def test_redundant_generators_and_closing_sets_do_what_they_say(problem, k: int) -> None:
    matrix, sizes = problem
    g = matrix.shape[0]
    span = SparseSpan.from_matrix(matrix)
    rank = np.linalg.matrix_rank(matrix.astype(float))
    for j in range(matrix.shape[0]):
        # Redundant: leaving the generator out keeps the rank (it is a combination of others).
        others = np.delete(matrix, j, axis=0)
        kept = np.linalg.matrix_rank(others.astype(float)) if others.shape[0] else 0
        assert (j in span.redundant) == (kept == rank)
    for group in find_small_derivable(span, sizes, k=k, limit=10_000):
        solution = span.solve(group)
        assert solution is not None
        # Cheapest = the lowest generator index here. Either the generators named close the
        # group (no derivation is left without them), or, when no short sequence does, only the
        # cheapest generator of the derivation is named, and it is a redundant one.
        closing = span.closing(solution, cost=lambda j: j, allowed=lambda j: True)
        assert closing and len(set(closing)) == len(closing) and set(closing) <= set(range(g))
        remaining = np.delete(matrix, closing, axis=0)
        closed = remaining.shape[0] == 0 or not SpanTest.build(remaining).contains(group)
        assert closed or (closing == [min(solution)] and closing[0] in span.redundant)
        if len(closing) == 1 and closing[0] not in span.redundant:
            assert closed  # an essential generator always closes on its own
        # A generator that may not be left out (the grand total) is never named.
        assert 0 not in span.closing(solution, cost=lambda j: j, allowed=lambda j: j != 0)
