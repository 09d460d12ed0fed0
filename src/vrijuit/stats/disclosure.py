"""Disclosure control: which cells may be shown without revealing a small group of respondents.

Everything a report shows is an aggregate over a *cell*: a unit with its whole subtree, the
organisation × one background attribute value, or (for analysts) a unit × one attribute value.
The rules (``docs/anonymity.md``):

* **R1** a cell is shown only if it has at least ``k`` respondents (default 5);
* **R2** no group of 1..k−1 respondents may be derivable as a linear combination of shown cells
  (team minus one member, parent minus its children, cross-tab margins), also together with the
  cells of earlier releases and over the union of every role's view;
* **R3** while R2 fails, cells taking part in the derivation are suppressed: the analysts' unit ×
  value cells first, then the smallest; the grand total is kept; ties are broken by depth, kind
  and the cell's name, never by respondents;
* **R4** decisions use memberships and counts only: no function here accepts answers;
* **R5** fast paths find the common leaks (a residual of a unit minus its shown children) without
  linear algebra; the exact audit is the gate after them;
* **R6** :func:`band` turns a share in a small cell into a band that never reads 0 % or 100 %.

How R2 is decided exactly. Respondents are grouped into *atoms*, one per pattern of memberships of
the shown cells; every derivable group is a union of atoms. A group is derivable iff its indicator
over atoms lies in the row space of the shown cells' indicators, which is tested with exact sparse
integer elimination (:mod:`vrijuit.stats._sparse_span`) and a search for small unions whose
hashes, coordinates of a kernel vector, sum to zero (:mod:`vrijuit.stats._span`), every hit
confirmed exactly. For the common release (the unit tree plus organisation × attribute cells) a
structural argument first proves most of the space safe; only residuals that hold rare attribute
combinations go to the exact checker. See ``docs/anonymity.md`` for the proofs and what is exact
versus refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from vrijuit.i18n import translate
from vrijuit.stats import _span
from vrijuit.stats._cells import (
    Cell,
    CellKey,
    CellLattice,
    EarlierRelease,
    cells_for_report,
    combine_codes,
    family_codes,
    member_rows,
    nearest_shown,
    release_atoms,
    residual_levels,
    unit_index,
)
from vrijuit.stats._span import SpanTest, SpanTooLargeError, find_small_derivable
from vrijuit.stats._sparse_span import SparseSpan
from vrijuit.stats.results import Result

__all__ = [
    "AuditResult",
    "Cell",
    "CellKey",
    "CellLattice",
    "DisclosurePlan",
    "EarlierRelease",
    "Leak",
    "LeakTerm",
    "ShareBand",
    "SuppressionReason",
    "audit",
    "band",
    "band_text",
    "cells_for_report",
    "explain",
    "plan_disclosure",
    "tree_residuals",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CellKind = Literal["unit", "attribute", "unit_attribute"]
_KIND_ORDER = {"unit": 0, "attribute": 1, "unit_attribute": 2}


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeakTerm:
    """One shown cell in a derivation; ``release`` is None now, else the earlier release index."""

    cell: CellKey
    coefficient: float | None
    release: int | None = None


@dataclass(frozen=True)
class Leak(Result):
    """A group of ``size`` respondents (1..k−1) computable from shown cells.

    ``terms`` lists the cells that combine into the group (coefficients ±1 in the usual cases,
    ``None`` where the structural audit names the cells without solving for them).
    ``closing`` (exact audit only) names the cells to hide so that no derivation of the group is
    left: the smallest cell of the derivation first; while that cell is a combination of other
    shown cells (hiding it changes nothing by itself), the next smallest of a derivation without
    it, and so on. Empty where the planner picks from ``terms`` itself.
    """

    size: int
    terms: tuple[LeakTerm, ...]
    rule: str
    closing: tuple[CellKey, ...] = ()

    def describe(self) -> str:
        """Plain words (English, developer-facing), e.g. ``t1 minus t1a reveals 2 people``."""
        plus = [str(t.cell) for t in self.terms if t.coefficient is not None and t.coefficient > 0]
        minus = [str(t.cell) for t in self.terms if t.coefficient is not None and t.coefficient < 0]
        other = [str(t.cell) for t in self.terms if t.coefficient is None]
        text = " + ".join(plus) if plus else ""
        if minus:
            text += " minus " + ", ".join(minus)
        if other:
            text += (" together with " if text else "") + ", ".join(other)
        return f"{text} would reveal {self.size} {'person' if self.size == 1 else 'people'}"


@dataclass(frozen=True)
class AuditResult(Result):
    """Whether a set of shown cells is safe, with the derivable small groups found."""

    safe: bool
    leaks: tuple[Leak, ...]
    method: str
    k: int


@dataclass(frozen=True)
class SuppressionReason:
    """Why a cell is hidden: ``below_k`` (R1), ``differencing`` (R2/R3), ``earlier_release`` (R8),
    or ``unverified`` (the exact audit would exceed its size limits, so the cell is not shown)."""

    code: Literal["below_k", "differencing", "earlier_release", "unverified"]
    n: int
    leak: Leak | None = None

    @property
    def detail(self) -> str:
        if self.code == "below_k":
            return f"only {self.n} respondents"
        if self.code == "unverified":
            return "too large to prove safe exactly, so hidden"
        if self.leak is None:
            return "hidden to keep the release safe"
        return self.leak.describe()


@dataclass(frozen=True)
class DisclosurePlan(Result):
    """The cells that may be shown and, for each hidden cell, why.

    The reasons carry counts below ``k`` (a hidden cell's ``n``, a leak's size): keep the plan in
    the engine and its audit log; readers get :func:`explain`, which never prints them.
    """

    shown: frozenset[CellKey]
    suppressed: Mapping[CellKey, SuppressionReason]
    k: int
    method: str

    def is_shown(self, key: CellKey) -> bool:
        return key in self.shown


@dataclass(frozen=True)
class ShareBand(Result):
    """A share to show: exact (``low == high``) or, in a small cell, a band (R6)."""

    low: float
    high: float
    banded: bool


def band(share: float, n: int, *, k: int = 5, width: float = 0.25) -> ShareBand:
    """Show a share exactly when ``n >= 2k``, else as a band that never reads 0 % or 100 % (R6).

    In a cell of fewer than ``2k`` respondents "0 %" or "100 %" tells every member what everybody
    answered. The band is one of ``[0, w]``, ``(w, 2w]``, ..., ``(1 − w, 1]`` with ``w = width``;
    the report words the outer ones as "less than 25 %" and "more than 75 %".

    Examples
    --------
    >>> band(1.0, 6, k=5)
    ShareBand(low=0.75, high=1.0, banded=True)
    >>> band(0.4, 12, k=5)
    ShareBand(low=0.4, high=0.4, banded=False)
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must lie between 0 and 1, got {share!r}.")
    if not 0.0 < width <= 0.5:
        raise ValueError(f"width must lie in (0, 0.5], got {width!r}.")
    if n >= 2 * k:
        return ShareBand(low=float(share), high=float(share), banded=False)
    steps = round(1.0 / width)
    step = min(max(int(np.ceil(share * steps - 1e-9)) - 1, 0), steps - 1)
    return ShareBand(low=step / steps, high=(step + 1) / steps, banded=True)


def band_text(shown: ShareBand, lang: str) -> str:
    """The words for a share in a report: a whole percentage, or its band (R6).

    Examples
    --------
    >>> band_text(band(1.0, 6, k=5), "en")
    'more than 75%'
    >>> band_text(band(0.0, 6, k=5), "nl")
    'hoogstens 25%'
    >>> band_text(band(0.4, 12, k=5), "en")
    '40%'
    """
    low, high = round(100 * shown.low), round(100 * shown.high)
    if not shown.banded:
        return f"{low}%"
    if low == 0:
        return translate("disclosure.band.at_most", lang, high=high)
    if high == 100:
        return translate("disclosure.band.more_than", lang, low=low)
    return translate("disclosure.band.between", lang, low=low, high=high)


def explain(reason: SuppressionReason, lang: str, *, k: int) -> str:
    """Why a cell is hidden, in plain words for the report (English or Dutch).

    No count below ``k`` is ever printed — neither a hidden cell's nor the size of the group a
    combination would reveal: "fewer than k" is all a reader learns. (``DisclosurePlan.to_dict()``
    does hold those counts; it is for the engine and its audit log, not for publication.)

    Examples
    --------
    >>> lattice = cells_for_report(["a"] * 5 + ["fac"], {"org": None, "fac": "org", "a": "fac"})
    >>> plan = plan_disclosure(lattice, k=5, protected=[CellKey("unit", unit="fac")])
    >>> explain(plan.suppressed[CellKey("unit", unit="a")], "nl", k=5)
    'Verborgen: fac min a zou de antwoorden van minder dan 5 mensen laten zien.'
    """
    if reason.code == "below_k":
        return translate("disclosure.reason.below_k", lang, k=k)
    if reason.code == "earlier_release":
        return translate("disclosure.reason.earlier_release", lang, k=k)
    if reason.code == "unverified":
        return translate("disclosure.reason.unverified", lang)
    if reason.leak is None:
        return translate("disclosure.reason.hidden", lang)
    terms = reason.leak.terms
    plus = " + ".join(str(t.cell) for t in terms if t.coefficient is not None and t.coefficient > 0)
    minus = ", ".join(str(t.cell) for t in terms if t.coefficient is not None and t.coefficient < 0)
    if plus and minus and all(t.coefficient is not None for t in terms):
        combination = translate("disclosure.combination.minus", lang, plus=plus, minus=minus)
    else:
        cells = ", ".join(str(t.cell) for t in terms)
        combination = translate("disclosure.combination.together", lang, cells=cells)
    return translate("disclosure.reason.differencing", lang, combination=combination, k=k)


# --------------------------------------------------------------------------------------------
# Fast paths (R5)
# --------------------------------------------------------------------------------------------


def tree_residuals(
    lattice: CellLattice, shown: Iterable[CellKey]
) -> dict[CellKey, tuple[int, tuple[CellKey, ...]]]:
    """For each shown unit: respondents not in any shown sub-unit, and those shown sub-units.

    The residual (unit minus its shown children) is always derivable, so a residual of
    1..k−1 respondents is a leak (R5, first fast path); residuals of 0 or at least ``k`` are fine.

    Examples
    --------
    >>> lattice = cells_for_report(["a"] * 6 + ["b"] * 2, {"o": None, "a": "o", "b": "o"})
    >>> tree_residuals(lattice, [CellKey("unit", unit="o"), CellKey("unit", unit="a")])[
    ...     CellKey("unit", unit="o")]
    (2, (CellKey(kind='unit', unit='a', attribute='', value=''),))
    """
    shown_units, residual, above = _tree_structure(lattice, shown)
    wanted = np.flatnonzero(shown_units)
    return {
        CellKey("unit", unit=lattice.units[u]): (int(residual[u]), children)
        for u, children in zip(
            wanted, _shown_children(lattice, shown_units, above, wanted), strict=True
        )
    }


def _tree_structure(
    lattice: CellLattice, shown: Iterable[CellKey]
) -> tuple[BoolArray, IntArray, IntArray]:
    """Shown-unit mask, residual size per unit, and each unit's nearest shown proper ancestor."""
    units = unit_index(lattice)
    shown_units = np.zeros((len(lattice.units), 1), dtype=bool)
    for key in shown:
        if key.kind == "unit":
            shown_units[units[key.unit], 0] = True
    nearest = nearest_shown(shown_units, lattice.parent, lattice.depth)[:, 0]
    residual = np.bincount(nearest[lattice.team_codes] + 1, minlength=len(units) + 1)[1:]
    above = np.where(lattice.parent >= 0, nearest[np.maximum(lattice.parent, 0)], -1)
    return shown_units[:, 0], residual.astype(np.int64), above


def _shown_children(
    lattice: CellLattice, shown_units: BoolArray, above: IntArray, wanted: IntArray
) -> list[tuple[CellKey, ...]]:
    """For each unit in ``wanted``, its shown sub-units with no shown unit in between."""
    child = np.flatnonzero(shown_units & (above >= 0))
    child = child[np.isin(above[child], wanted)]
    order = np.argsort(above[child], kind="stable")
    child = child[order]
    starts = np.searchsorted(above[child], wanted, side="left")
    stops = np.searchsorted(above[child], wanted, side="right")
    return [
        tuple(CellKey("unit", unit=lattice.units[int(c)]) for c in child[a:b])
        for a, b in zip(starts, stops, strict=True)
    ]


def _tree_leaks(lattice: CellLattice, shown: frozenset[CellKey], k: int) -> list[Leak]:
    shown_units, residual, above = _tree_structure(lattice, shown)
    bad = np.flatnonzero(shown_units & (residual > 0) & (residual < k))
    leaks = []
    for u, children in zip(bad, _shown_children(lattice, shown_units, above, bad), strict=True):
        key = CellKey("unit", unit=lattice.units[int(u)])
        terms = (LeakTerm(key, 1.0), *(LeakTerm(c, -1.0) for c in children))
        leaks.append(Leak(size=int(residual[u]), terms=terms, rule="tree_residual"))
    return leaks


def _unit_attribute_leaks(lattice: CellLattice, shown: frozenset[CellKey], k: int) -> list[Leak]:
    """Per attribute value, shown unit × value cells and organisation × value are laminar too."""
    leaks: list[Leak] = []
    units = unit_index(lattice)
    root = units[lattice.root.unit]
    for name in lattice.unit_attributes:
        j = lattice.attribute_names.index(name)
        for vi, value in enumerate(lattice.attribute_values[j]):

            def key_of(u: int, name: str = name, value: str = value) -> CellKey:
                if u == root:
                    return CellKey("attribute", attribute=name, value=value)
                return CellKey("unit_attribute", unit=lattice.units[u], attribute=name, value=value)

            table = np.array([key_of(u) in shown for u in range(len(units))])[:, None]
            if not table.any():
                continue
            nearest = nearest_shown(table, lattice.parent, lattice.depth)[:, 0]
            rows = lattice.attribute_codes[:, j] == vi
            at = nearest[lattice.team_codes[rows]]
            residual = np.bincount(at + 1, minlength=len(units) + 1)[1:]
            above = np.where(lattice.parent >= 0, nearest[np.maximum(lattice.parent, 0)], -1)
            for u in np.flatnonzero(table[:, 0] & (residual > 0) & (residual < k)):
                kids = np.flatnonzero(table[:, 0] & (above == u))
                terms: tuple[LeakTerm, ...] = (LeakTerm(key_of(int(u)), 1.0),)
                terms += tuple(LeakTerm(key_of(int(c)), -1.0) for c in kids)
                leaks.append(Leak(size=int(residual[u]), terms=terms, rule="value_residual"))
    return leaks


# --------------------------------------------------------------------------------------------
# Exact audits
# --------------------------------------------------------------------------------------------


def _general_audit(
    lattice: CellLattice,
    shown: frozenset[CellKey],
    earlier: Sequence[EarlierRelease],
    k: int,
    limit: int,
    protected: frozenset[CellKey],
) -> list[Leak]:
    """Exact check over all atoms: the shown cells as sparse rows over atoms, small unions searched.

    The current release's cells enter as residual levels (:func:`residual_levels`: the same
    span, a few levels per atom), earlier releases' cells as they are; the sparse elimination
    (:class:`SparseSpan`) reports each leak's coefficients per cell either way.
    """
    atoms = release_atoms(lattice, shown, earlier)
    reps = atoms.representative
    levels = residual_levels(lattice, shown, reps)
    members: list[IntArray] = list(levels.members)
    transforms: list[dict[int, int]] = list(levels.transforms)
    refs: list[tuple[CellKey, int | None]] = [(key, None) for key in levels.keys]
    for number, release in enumerate(earlier):
        rows = release.current_rows(lattice.n_respondents)
        back = np.full(lattice.n_respondents, -1, dtype=np.int64)
        back[rows] = np.arange(rows.shape[0])
        then = back[reps]
        present = np.flatnonzero(then >= 0)
        for key in sorted(release.shown):
            inside = member_rows(release.lattice, key, then[present])
            transforms.append({len(refs): 1})
            members.append(present[inside])
            refs.append((key, number))
    if not members:
        return []
    used = np.zeros(reps.shape[0], dtype=bool)
    for atoms_of in members:
        used[atoms_of] = True  # atoms in no shown cell are never derivable
    if int(used.sum()) > _span.MAX_ATOMS:
        raise SpanTooLargeError(f"{int(used.sum())} atoms exceed the exact audit limit.")
    position = np.cumsum(used) - 1
    sizes = atoms.sizes[used]
    span = SparseSpan.build(
        [position[a] for a in members], int(used.sum()), transforms, n_generators=len(refs)
    )

    def cost(j: int) -> tuple[bool, tuple[bool, int, int, int, CellKey]]:
        # The suppression order of R3: protected cells last, then smallest, deepest, by name.
        return (refs[j][0] in protected, _order(lattice.cell(refs[j][0])))

    leaks = []
    for group in find_small_derivable(span, [int(s) for s in sizes], k=k, limit=limit):
        coefficients = span.solve(group) or {}
        terms = tuple(
            LeakTerm(refs[j][0], float(c), refs[j][1]) for j, c in coefficients.items() if c != 0
        )
        closing = span.closing(coefficients, cost, lambda j: refs[j][1] is None)
        size = int(sizes[list(group)].sum())
        leaks.append(Leak(size, terms, "exact_span", closing=tuple(refs[j][0] for j in closing)))
    return leaks


def _structural_audit(
    lattice: CellLattice, shown: frozenset[CellKey], k: int, limit: int
) -> list[Leak]:
    """Exact audit of a unit tree plus organisation × attribute cells, at full scale.

    Every shown vector is ``t(r) + w(p)``: a function of the residual ``r`` (the nearest shown
    unit) plus a sum of per-value coefficients over the respondent's attribute *profile* ``p``.
    A derivable group G of at most k−1 people touches at most k−1 residuals. If profiles ``p`` and
    ``q`` occur together in at least ``k`` residuals, one of them is untouched by G, where
    ``t(r) + w(p) = 0 = t(r) + w(q)``: so ``w(p) = w(q)`` for every small derivable group. Where
    these equalities force ``w`` to be constant over all profiles, G is a union of residuals and
    the tree rule (already passed) decides. Otherwise only residuals holding a profile outside the
    forced class matter; that reduced problem goes to the exact checker.
    """
    attribute_shown = [key for key in shown if key.kind == "attribute"]
    if not attribute_shown:
        return []
    families = family_codes(lattice, shown)
    residual = families[0][0]
    profile = combine_codes(families[1:])
    n_profiles = int(profile.max()) + 1
    # Any member of a profile represents it (the profile fixes every shown value).
    first = np.zeros(n_profiles, dtype=np.int64)
    first[profile] = np.arange(profile.shape[0])
    # Each profile's membership in the shown attribute cells, as a row over the value variables.
    variables = sorted(attribute_shown)
    names = lattice.attribute_names
    weights = np.zeros((n_profiles, len(variables)), dtype=np.int64)
    for column, key in enumerate(variables):
        j = names.index(key.attribute)
        v = lattice.attribute_values[j].index(key.value)
        weights[:, column] = lattice.attribute_codes[first, j] == v
    # Respondents per (residual, profile) pair, by one bincount over the pair code.
    pair_counts = np.bincount(residual * n_profiles + profile)
    pairs = np.flatnonzero(pair_counts)
    pair_sizes = pair_counts[pairs]
    pair_residual, pair_profile = np.divmod(pairs, n_profiles)
    residual_ids, residual_pos = np.unique(pair_residual, return_inverse=True)
    incidence = sp.csr_matrix(
        (np.ones(pairs.shape[0], dtype=np.int64), (pair_profile, residual_pos)),
        shape=(n_profiles, residual_ids.shape[0]),
    )
    together = (incidence @ incidence.T).toarray()
    p_idx, q_idx = np.nonzero(np.triu(together >= k, 1))
    constraints = weights[p_idx] - weights[q_idx]
    space = SpanTest.build(constraints.reshape(-1, len(variables)))
    profile_sizes = np.bincount(profile, minlength=n_profiles)
    anchor = int(np.argmax(profile_sizes))

    def w_of(p: int) -> tuple[int, ...]:
        # w(p) as a vector over the kernel basis of the constraints (the free directions of w).
        total = [0] * len(space.coordinates[0]) if space.coordinates else []
        for column in np.flatnonzero(weights[p]):
            for i, value in enumerate(space.coordinates[int(column)]):
                total[i] += value
        return tuple(total)

    free = [w_of(p) for p in range(n_profiles)]
    main = np.array([free[p] == free[anchor] for p in range(n_profiles)])
    if main.all():
        return []
    # Reduced exact problem on the residuals that hold a profile outside the forced class.
    pair_is_rare = ~main[pair_profile]
    involved = np.unique(pair_residual[pair_is_rare])
    keep = np.isin(pair_residual, involved)
    reduced_profile = np.where(main[pair_profile], -1, pair_profile)
    atom_key = pair_residual * (n_profiles + 1) + (reduced_profile + 1)
    atom_codes, atom_of_pair = np.unique(atom_key[keep], return_inverse=True)
    atom_sizes = np.bincount(atom_of_pair, weights=pair_sizes[keep]).astype(np.int64)
    atom_residual, atom_profile = np.divmod(atom_codes, n_profiles + 1)
    atom_profile -= 1
    width = len(free[anchor])
    rows: list[list[int]] = []
    for r in np.unique(atom_residual):
        rows.append([int(x) for x in atom_residual == r])
    for i in range(width):
        rows.append([free[int(p) if p >= 0 else anchor][i] for p in atom_profile])
    span = SpanTest.build(np.array(rows, dtype=np.int64).reshape(len(rows), atom_codes.shape[0]))
    shown_units, _, above = _tree_structure(lattice, shown)
    kids = _shown_children(lattice, shown_units, above, np.unique(atom_residual))
    residual_children = dict(zip((int(r) for r in np.unique(atom_residual)), kids, strict=True))
    leaks: list[Leak] = []
    residual_units = [int(r) for r in np.unique(atom_residual)]
    offset = len(residual_units)
    for group in find_small_derivable(span, [int(s) for s in atom_sizes], k=k, limit=limit):
        solution = span.coefficients(group)
        # The value coefficients a = sum_i c_i z_i over the kernel directions of the constraints.
        a = [
            sum(
                (solution[offset + i] * space.coordinates[var][i] for i in range(width)),
                Fraction(0),
            )
            for var in range(len(variables))
        ]
        w0 = sum((a[var] for var in np.flatnonzero(weights[anchor])), Fraction(0))
        # Residuals outside the reduced problem carry t = -w0: a -w0 multiple of the grand total,
        # and t + w0 on the reduced residuals. Residual r = unit r minus its shown children.
        t = {u: solution[i] + w0 for i, u in enumerate(residual_units)}
        coefficient: dict[CellKey, Fraction] = {lattice.root: -w0}
        for u, value in t.items():
            unit_key = CellKey("unit", unit=lattice.units[u])
            coefficient[unit_key] = coefficient.get(unit_key, Fraction(0)) + value
            for child in residual_children[u]:
                coefficient[child] = coefficient.get(child, Fraction(0)) - value
        for var, value in enumerate(a):
            coefficient[variables[var]] = value
        terms = tuple(
            LeakTerm(key, float(value)) for key, value in sorted(coefficient.items()) if value != 0
        )
        size = int(atom_sizes[list(group)].sum())
        leaks.append(Leak(size=size, terms=terms, rule="structural_span"))
    return leaks


def audit(
    lattice: CellLattice,
    shown: Iterable[CellKey],
    *,
    k: int = 5,
    earlier: Sequence[EarlierRelease] = (),
    max_leaks: int = 10,
    protected: Iterable[CellKey] | None = None,
) -> AuditResult:
    """Check R1 and R2 for shown cells (with earlier releases): is a small group derivable?

    The fast paths (R5) run first: a unit's residual (unit minus its shown children), and the
    same per attribute value for unit × value cells; a residual of 1..k−1 people is reported at
    once. Then the exact gate: the structural audit for a unit tree with organisation × attribute
    cells, otherwise the exact span search over all atoms. Both are exact; the general search
    refuses (raises ``ValueError``) beyond its size limits instead of guessing.

    Formula: with ``M`` the shown-cell × atom membership matrix and ``n_a`` the atom sizes, the
    release is unsafe iff some 0/1 vector ``x`` over atoms with ``1 <= sum_a n_a x_a <= k − 1``
    satisfies ``x = Mᵀc`` for a real ``c`` — equivalently ``Zx = 0`` for a kernel basis ``Z`` of
    ``M`` — decided with integers only. Leaks name the cells with their coefficients ``c``.

    References: the differencing problem and complementary suppression follow Cox (1980),
    "Suppression methodology and statistical disclosure control", JASA 75(370), and Hundepool et
    al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4 and 5. Where they use an interval
    (LP) audit on tables, we decide exact linear derivability of small groups instead. There is
    no direct R equivalent; the nearest is ``sdcTable::protectTable(...)`` for tabular secondary
    suppression, which protects cell intervals rather than testing small-group derivability.

    Examples
    --------
    >>> lattice = cells_for_report(["a"] * 6 + ["b"] * 5 + ["c"], {
    ...     "o": None, "a": "o", "b": "o", "c": "o"})
    >>> result = audit(lattice, [CellKey("unit", unit="o"), CellKey("unit", unit="a"),
    ...                          CellKey("unit", unit="b")], k=5)
    >>> result.safe, result.leaks[0].describe()
    (False, 'o minus a, b would reveal 1 person')
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}.")
    keep_last = frozenset([lattice.root] if protected is None else protected)
    chosen = frozenset(shown)
    unknown = [key for key in chosen if key not in lattice._index]
    if unknown:
        raise ValueError(f"{unknown[0]} is not a cell of this lattice.")
    small = sorted(
        (key for key in chosen if 0 < lattice.cell(key).n < k), key=lattice._index.__getitem__
    )
    if small:
        leaks = tuple(Leak(lattice.cell(key).n, (LeakTerm(key, 1.0),), "below_k") for key in small)
        return AuditResult(safe=False, leaks=leaks, method="threshold", k=k)
    fast = _tree_leaks(lattice, chosen, k) + _unit_attribute_leaks(lattice, chosen, k)
    if fast:
        return AuditResult(safe=False, leaks=tuple(fast), method="fast_path", k=k)
    # The structural proof needs the grand total (every residual's t free); else the general one.
    structural = (
        not earlier
        and lattice.root in chosen
        and all(key.kind != "unit_attribute" for key in chosen)
    )
    if structural:
        found = _structural_audit(lattice, chosen, k, max_leaks)
        method = "structural"
    else:
        found = _general_audit(lattice, chosen, earlier, k, max_leaks, keep_last)
        method = "exact_span"
    return AuditResult(safe=not found, leaks=tuple(found), method=method, k=k)


# --------------------------------------------------------------------------------------------
# Planning (R1 + R3)
# --------------------------------------------------------------------------------------------


def _order(cell: Cell) -> tuple[bool, int, int, int, CellKey]:
    """Suppression order: the analysts' unit × value cells first, then smallest first, then
    deepest, then kind, then name (never respondents).

    Unit × value cells are a refinement only analysts see; when they open a difference, hiding
    one of them keeps the units every leader sees and the organisation's breakdowns.
    """
    refinement = cell.key.kind == "unit_attribute"
    return (not refinement, cell.n, -cell.depth, _KIND_ORDER[cell.key.kind], cell.key)


def plan_disclosure(
    lattice: CellLattice,
    *,
    k: int = 5,
    earlier: Sequence[EarlierRelease] = (),
    protected: Iterable[CellKey] | None = None,
    cells: Iterable[CellKey] | None = None,
) -> DisclosurePlan:
    """Decide which cells may be shown: R1 threshold, then complementary suppression (R3).

    Parameters
    ----------
    lattice
        The candidate cells and memberships (:func:`cells_for_report`); for several roles, build
        the lattice over the union of their views and plan once (P8).
    k
        Minimum number of respondents in a cell and in any derivable group.
    earlier
        Releases already out (R8): their cells join the audit and cannot be taken back, so a cell
        that gained 1..k−1 respondents since is hidden now instead.
    protected
        Cells suppressed last (default: the grand total).
    cells
        Restrict the candidates to these cells (default: every cell of the lattice).

    Returns
    -------
    DisclosurePlan
        ``shown`` (passes :func:`audit`) and ``suppressed`` with a reason per hidden cell.

    Notes
    -----
    Each round audits the shown set and hides, per leak, cells that take part in it in the order
    unit × value cells first, then ``(n, −depth, kind, name)``; protected cells only when nothing
    else can close the leak. An exact leak names the cells that close it (``Leak.closing``: a cell
    every derivation needs, or the cheapest few). Leaks whose derivation uses a cell picked earlier
    in the round wait for the next audit; the others are closed in the same round, since their
    derivation survives the round's picks. This is the greedy complementary
    suppression of Hundepool et al. (2012, §4.3), with our exact audit as the stopping rule; it is
    not guaranteed to hide the fewest cells (that problem is NP-hard; Kelly, Golden & Assad 1992).

    Examples
    --------
    >>> lattice = cells_for_report(["a"] * 6 + ["b"] * 5 + ["c"], {
    ...     "o": None, "a": "o", "b": "o", "c": "o"})
    >>> plan = plan_disclosure(lattice, k=5)
    >>> sorted(str(c) for c in plan.shown)
    ['a', 'o']
    >>> sorted((str(c), r.code) for c, r in plan.suppressed.items())
    [('b', 'differencing'), ('c', 'below_k')]
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}.")
    candidates = lattice.cells if cells is None else tuple(lattice.cell(key) for key in cells)
    keep_last = frozenset([lattice.root] if protected is None else protected)
    suppressed: dict[CellKey, SuppressionReason] = {}
    shown = set()
    for cell in candidates:
        if cell.n < k:
            suppressed[cell.key] = SuppressionReason("below_k", cell.n)
        else:
            shown.add(cell.key)
    method = "threshold"
    while True:
        try:
            result = audit(lattice, shown, k=k, earlier=earlier, max_leaks=50, protected=keep_last)
        except SpanTooLargeError:
            # Too large to prove exactly: hide what cannot be proven instead of guessing.
            for key in _unverifiable(lattice, shown, keep_last):
                shown.discard(key)
                suppressed[key] = SuppressionReason("unverified", lattice.cell(key).n)
            continue
        method = result.method
        if result.safe:
            break
        picked: dict[CellKey, Leak] = {}
        for leak in result.leaks:
            cells_in_leak = {t.cell for t in leak.terms if t.release is None} | set(leak.closing)
            if cells_in_leak & picked.keys():
                continue  # an earlier pick of this round may already close this one
            # Otherwise its derivation survives this round's picks: it must be closed anyway.
            for choice in _picks(lattice, leak, shown, keep_last):
                picked[choice] = leak
        if not picked:
            raise ValueError("a leak remains that no current cell can close (earlier releases).")
        for key, leak in picked.items():
            shown.discard(key)
            code: Literal["differencing", "earlier_release"] = (
                "earlier_release"
                if any(t.release is not None for t in leak.terms)
                else "differencing"
            )
            suppressed[key] = SuppressionReason(code, lattice.cell(key).n, leak)
    return DisclosurePlan(shown=frozenset(shown), suppressed=suppressed, k=k, method=method)


def _unverifiable(
    lattice: CellLattice, shown: set[CellKey], protected: frozenset[CellKey]
) -> list[CellKey]:
    """Cells to hide when the exact search is too large: all unit × value cells, else the
    smallest organisation × value cell; with only units left there is nothing safe to drop."""
    analyst = [key for key in shown if key.kind == "unit_attribute"]
    if analyst:
        return analyst
    values = [key for key in shown if key.kind == "attribute" and key not in protected]
    if values:
        return [min(values, key=lambda key: _order(lattice.cell(key)))]
    raise ValueError(
        "this release is too large for the exact audit; release the results at close instead "
        "of updating them (R8), or audit fewer cells."
    )


def _picks(
    lattice: CellLattice, leak: Leak, shown: set[CellKey], protected: frozenset[CellKey]
) -> list[CellKey]:
    """The cells to hide for a leak: the smallest current cell in it, protected cells last.

    An exact-audit leak says which cells close it (``leak.closing``, chosen in the same order);
    a fast-path or structural leak is closed by its smallest cell.
    """
    if leak.closing:
        return [key for key in leak.closing if key in shown]
    current = [t.cell for t in leak.terms if t.release is None and t.cell in shown]
    if not current:
        return []
    free = [key for key in current if key not in protected] or current
    return [min(free, key=lambda key: _order(lattice.cell(key)))]
