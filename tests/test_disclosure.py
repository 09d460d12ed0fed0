"""Disclosure control on hand-made cases with known answers (the random properties are in
test_disclosure_properties.py). Every expected set is computed independently in
``_disclosure_oracles`` (raw memberships, a ±1 attacker, a brute-force exact checker)."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from _disclosure_oracles import attacker, cell_members, derivable_groups
from vrijuit.stats._span import SpanTest, SpanTooLargeError, find_small_derivable
from vrijuit.stats.disclosure import (
    CellKey,
    EarlierRelease,
    audit,
    band,
    band_text,
    cells_for_report,
    explain,
    plan_disclosure,
    tree_residuals,
)


def unit(name: str) -> CellKey:
    return CellKey("unit", unit=name)


def value(attribute: str, label: str, at: str = "") -> CellKey:
    if at:
        return CellKey("unit_attribute", unit=at, attribute=attribute, value=label)
    return CellKey("attribute", attribute=attribute, value=label)


TREE = {"org": None, "fac": "org", "a": "fac", "b": "fac", "c": "org"}


def independent_view(teams, parent, attributes, keys):
    return [cell_members(key, teams, parent, attributes) for key in keys]


# ----------------------------------------------------------------------------- the lattice


def test_cell_counts_match_memberships_computed_from_the_raw_data() -> None:
    rng = np.random.default_rng(3)
    teams = rng.choice(["a", "b", "c", "fac"], 60).tolist()
    gender = rng.choice(np.array(["w", "m", None], dtype=object), 60).tolist()
    level = rng.choice(["phd", "staff"], 60).tolist()
    attributes = {"gender": gender, "level": level}
    lattice = cells_for_report(teams, TREE, attributes, unit_attributes=["gender"])
    for cell in lattice.cells:
        members = cell_members(cell.key, teams, TREE, attributes)
        assert cell.n == len(members), cell.key
        assert set(np.flatnonzero(lattice.members(cell.key))) == members


def test_the_lattice_has_units_organisation_values_and_unit_values_for_analysts_only() -> None:
    lattice = cells_for_report(
        ["a", "b"], TREE, {"gender": ["w", "m"], "level": ["x", "y"]}, unit_attributes=["gender"]
    )
    kinds = {c.key.kind for c in lattice.cells}
    assert kinds == {"unit", "attribute", "unit_attribute"}
    assert value("gender", "w", at="a") in lattice.keys
    assert value("level", "x", at="a") not in lattice.keys
    assert value("gender", "w", at="org") not in lattice.keys  # that is the organisation cell
    assert lattice.root == unit("org")


def test_respondents_with_a_missing_attribute_are_in_no_cell_of_it() -> None:
    lattice = cells_for_report(["a", "a", "b"], TREE, {"gender": ["w", None, np.nan]})
    assert [c.key for c in lattice.cells if c.key.kind == "attribute"] == [value("gender", "w")]
    assert lattice.cell(value("gender", "w")).n == 1


def test_categorical_input_gives_the_same_lattice_as_plain_labels() -> None:
    teams = ["a", "b", "b", "c"]
    gender = ["w", "m", None, "w"]
    plain = cells_for_report(teams, TREE, {"gender": gender})
    categorical = cells_for_report(
        pd.Series(teams, dtype="category"), TREE, {"gender": pd.Categorical(gender)}
    )
    assert plain.cells == categorical.cells


@pytest.mark.parametrize(
    ("tree", "teams", "message"),
    [
        ({"org": None, "a": "ghost"}, ["a"], "not in the tree"),
        ({"org": None, "other": None}, ["org"], "exactly one root"),
        ({"org": None, "a": "b", "b": "a"}, ["org"], "cycle"),
        ({"org": None}, ["nowhere"], "not in the tree"),
        ({"org": None}, ["org", None], "missing"),
    ],
)
def test_bad_trees_and_units_are_refused_with_a_clear_message(tree, teams, message) -> None:
    with pytest.raises(ValueError, match=message):
        cells_for_report(teams, tree)


def test_an_attribute_of_the_wrong_length_or_an_unknown_unit_attribute_is_refused() -> None:
    with pytest.raises(ValueError, match="labels for 2 rows"):
        cells_for_report(["a", "b"], TREE, {"gender": ["w"]})
    with pytest.raises(ValueError, match="not one of the attributes"):
        cells_for_report(["a"], TREE, {}, unit_attributes=["gender"])


def test_no_function_accepts_answers_only_memberships_and_counts() -> None:
    # R4: what is hidden cannot depend on answers when answers cannot even be passed in.
    for function in (cells_for_report, plan_disclosure, audit):
        names = set(inspect.signature(function).parameters)
        assert not names & {"scores", "answers", "values", "responses", "data"}


# ----------------------------------------------------------------------------- fast paths (R5)


def test_tree_residual_is_the_unit_minus_its_shown_children() -> None:
    teams = ["a"] * 6 + ["b"] * 5 + ["fac"] * 2 + ["c"] * 7
    lattice = cells_for_report(teams, TREE)
    residuals = tree_residuals(lattice, [unit("org"), unit("fac"), unit("a"), unit("b")])
    assert residuals[unit("fac")] == (2, (unit("a"), unit("b")))
    # c is hidden, so its 7 people fall into the organisation's residual.
    assert residuals[unit("org")] == (7, (unit("fac"),))
    assert residuals[unit("a")] == (6, ())


def test_team_minus_one_is_blocked_by_hiding_the_smaller_cell() -> None:
    # "fac" has 6 people: 5 in team a and 1 directly in fac, so fac − a reveals one person.
    teams = ["a"] * 5 + ["fac"] + ["c"] * 9
    lattice = cells_for_report(teams, TREE)
    naive = {c.key for c in lattice.cells if c.n >= 5}
    result = audit(lattice, naive, k=5)
    assert not result.safe
    assert result.leaks[0].size == 1
    assert result.leaks[0].describe() == "fac minus a would reveal 1 person"
    plan = plan_disclosure(lattice, k=5)
    assert unit("fac") in plan.shown and unit("a") not in plan.shown
    assert plan.suppressed[unit("a")].code == "differencing"
    assert "reveal 1 person" in plan.suppressed[unit("a")].detail


def test_parent_minus_small_child_keeps_the_parent_and_hides_a_sibling() -> None:
    # org = fac (a: 6, b: 5) + c (1 person, below k); org − fac reveals the person in c.
    teams = ["a"] * 6 + ["b"] * 5 + ["c"]
    lattice = cells_for_report(teams, TREE)
    views = independent_view(teams, TREE, {}, [unit("org"), unit("fac"), unit("a"), unit("b")])
    assert attacker(views, len(teams), 5)  # the naive release leaks
    plan = plan_disclosure(lattice, k=5)
    assert plan.suppressed[unit("c")].code == "below_k"
    assert unit("org") in plan.shown  # the grand total is always kept
    assert plan.suppressed[unit("fac")].code == "differencing"
    # fac is hidden; then org − a − b still reveals c, so the smaller of a and b goes too.
    assert plan.shown == {unit("org"), unit("a")}
    shown = sorted(plan.shown)
    assert not attacker(independent_view(teams, TREE, {}, shown), len(teams), 5)
    assert not derivable_groups(independent_view(teams, TREE, {}, shown), len(teams), 5)


def test_cross_tab_margin_organisation_minus_women_is_blocked_on_the_attribute_side() -> None:
    teams = ["a"] * 6 + ["b"] * 6
    gender = ["w"] * 5 + ["m"] + ["w"] * 6
    lattice = cells_for_report(teams, {"org": None, "a": "org", "b": "org"}, {"g": gender})
    plan = plan_disclosure(lattice, k=5)
    assert plan.suppressed[value("g", "m")].code == "below_k"
    assert plan.suppressed[value("g", "w")].code == "differencing"
    assert plan.suppressed[value("g", "w")].detail == "org minus g=w would reveal 1 person"
    assert plan.shown == {unit("org"), unit("a"), unit("b")}


def test_a_balanced_cross_table_with_small_atoms_is_exactly_safe() -> None:
    # Atoms of 3 (team × gender) are not derivable from the margins of a full 2 × 2 table.
    teams = ["a"] * 6 + ["b"] * 6
    gender = ["w", "w", "w", "m", "m", "m"] * 2
    attributes = {"g": gender}
    tree = {"org": None, "a": "org", "b": "org"}
    lattice = cells_for_report(teams, tree, attributes)
    everything = lattice.keys
    assert audit(lattice, everything, k=5).safe
    views = independent_view(teams, tree, attributes, everything)
    assert not derivable_groups(views, len(teams), 5)
    assert plan_disclosure(lattice, k=5).shown == set(everything)


def test_a_margin_leak_that_needs_three_cells_is_found_by_the_exact_audit() -> None:
    # Team a: 5 women and 1 man; team b: 6 men; women only in a. a − w reveals a's man.
    teams = ["a"] * 6 + ["b"] * 6
    gender = ["w"] * 5 + ["m"] * 7
    tree = {"org": None, "a": "org", "b": "org"}
    lattice = cells_for_report(teams, tree, {"g": gender}, unit_attributes=["g"])
    shown = [unit("org"), unit("a"), unit("b"), value("g", "w"), value("g", "m")]
    result = audit(lattice, shown, k=5)
    views = independent_view(teams, tree, {"g": gender}, shown)
    assert not result.safe
    assert derivable_groups(views, len(teams), 5)
    assert result.leaks[0].size == 1


# ----------------------------------------------------------------------------- roles and time


def test_views_that_are_safe_alone_can_leak_together_so_roles_are_planned_on_the_union() -> None:
    # P8: a leader of a sees {org, a}; a leader of b sees {org, b}; org − a − b reveals c's one.
    teams = ["a"] * 6 + ["b"] * 6 + ["c"]
    tree = {"org": None, "a": "org", "b": "org", "c": "org"}
    lattice = cells_for_report(teams, tree)
    role_a, role_b = [unit("org"), unit("a")], [unit("org"), unit("b")]
    assert audit(lattice, role_a, k=5).safe and audit(lattice, role_b, k=5).safe
    assert not audit(lattice, role_a + role_b, k=5).safe
    plan = plan_disclosure(lattice, k=5, cells=[*role_a, unit("b")])
    for role in (role_a, role_b):
        visible = [key for key in role if key in plan.shown]
        assert audit(lattice, visible, k=5).safe
    union = sorted(plan.shown)
    assert not attacker(independent_view(teams, tree, {}, union), len(teams), 5)


def test_a_cell_that_gained_fewer_than_k_since_the_last_release_is_not_shown_again() -> None:
    # P9 / R8: release 1 at 20 respondents; since then team a gained 2 and team b gained 6.
    tree = {"org": None, "a": "org", "b": "org"}
    before = ["a"] * 10 + ["b"] * 10
    after = [*before, "a", "a", *(["b"] * 6)]
    first = cells_for_report(before, tree)
    released = plan_disclosure(first, k=5)
    assert released.shown == {unit("org"), unit("a"), unit("b")}
    now = cells_for_report(after, tree)
    earlier = [EarlierRelease(first, released.shown)]
    assert not audit(now, released.shown, k=5, earlier=earlier).safe
    plan = plan_disclosure(now, k=5, earlier=earlier)
    assert unit("a") not in plan.shown
    assert plan.suppressed[unit("a")].code == "earlier_release"
    # a = org − b now, so showing b would still give a's two newcomers: b goes too.
    assert plan.suppressed[unit("b")].code == "earlier_release"
    assert plan.shown == {unit("org")}
    # The attacker sees both releases: every earlier cell (on its old members) and every new one.
    old = independent_view(before, tree, {}, sorted(released.shown))
    new = independent_view(after, tree, {}, sorted(plan.shown))
    assert not attacker(old + new, len(after), 5)
    assert not derivable_groups(old + new, len(after), 5)


def test_a_cell_that_gained_k_or_more_may_update() -> None:
    tree = {"org": None, "a": "org", "b": "org"}
    before = ["a"] * 10 + ["b"] * 10
    after = before + ["a"] * 5 + ["b"] * 5
    first = cells_for_report(before, tree)
    released = plan_disclosure(first, k=5)
    plan = plan_disclosure(
        cells_for_report(after, tree), k=5, earlier=[EarlierRelease(first, released.shown)]
    )
    assert plan.shown == {unit("org"), unit("a"), unit("b")}


def test_an_earlier_release_with_rows_that_do_not_fit_is_refused() -> None:
    tree = {"org": None, "a": "org"}
    first = cells_for_report(["a"] * 6, tree)
    now = cells_for_report(["a"] * 6, tree)
    bad = EarlierRelease(first, frozenset([unit("org")]), rows=np.array([0, 1, 2, 3, 4, 9]))
    with pytest.raises(ValueError, match="current row"):
        audit(now, [unit("org")], k=5, earlier=[bad])


# ----------------------------------------------------------------------------- plan basics


def test_when_the_whole_organisation_is_below_k_nothing_is_shown() -> None:
    lattice = cells_for_report(["a", "b", "c"], TREE)
    plan = plan_disclosure(lattice, k=5)
    assert plan.shown == frozenset()
    assert {r.code for r in plan.suppressed.values()} == {"below_k"}


def test_k_below_two_and_unknown_cells_are_refused() -> None:
    lattice = cells_for_report(["a"] * 5, TREE)
    with pytest.raises(ValueError, match="k must be at least 2"):
        plan_disclosure(lattice, k=1)
    with pytest.raises(ValueError, match="not a cell"):
        audit(lattice, [unit("nowhere")], k=5)


def test_the_plan_serialises_to_json_safe_values() -> None:
    lattice = cells_for_report(["a"] * 6 + ["b"] * 5 + ["c"], TREE)
    data = plan_disclosure(lattice, k=5).to_dict()
    assert data["k"] == 5
    assert data["suppressed"]["c"]["code"] == "below_k"


# ----------------------------------------------------------------------------- R6 bands


@pytest.mark.parametrize(
    ("share", "n", "expected"),
    [
        (0.0, 5, (0.0, 0.25, True)),
        (1.0, 9, (0.75, 1.0, True)),
        (0.5, 6, (0.25, 0.5, True)),
        (0.5000001, 6, (0.5, 0.75, True)),
        (1.0, 10, (1.0, 1.0, False)),
        (0.0, 10, (0.0, 0.0, False)),
    ],
)
def test_small_cells_show_bands_never_an_exact_zero_or_hundred_percent(share, n, expected) -> None:
    result = band(share, n, k=5)
    assert (result.low, result.high, result.banded) == expected


def test_band_refuses_shares_outside_zero_to_one() -> None:
    with pytest.raises(ValueError, match="share"):
        band(1.2, 5)


# ----------------------------------------------------------------------------- the exact span


def test_exact_span_finds_a_difference_of_nested_sets_and_its_coefficients() -> None:
    # Generators over 3 atoms: A = {0, 1, 2}, B = {0, 1}; A − B = atom 2.
    span = SpanTest.build(np.array([[1, 1, 1], [1, 1, 0]]))
    assert span.contains([2]) and not span.contains([0])
    assert span.coefficients([2]) == (1, -1)
    assert find_small_derivable(span, [3, 3, 2], k=5, limit=5) == [(2,)]


def test_exact_span_on_a_two_by_two_table_finds_no_single_cell() -> None:
    # Rows, columns and total of a 2 × 2 table: no single inner cell is determined.
    margins = np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]])
    span = SpanTest.build(margins)
    found = find_small_derivable(span, [1, 1, 1, 1], k=5, limit=9)
    # The whole table is derivable too, but it is two derivable rows: only minimal unions count.
    assert found == [(0, 1), (0, 2), (1, 3), (2, 3)]
    assert span.contains([0, 1, 2, 3])


def test_exact_span_refuses_problems_beyond_its_limits() -> None:
    with pytest.raises(SpanTooLargeError):
        SpanTest.build(np.ones((1, 5000), dtype=np.int64))
    span = SpanTest.build(np.ones((1, 1400), dtype=np.int64))
    with pytest.raises(SpanTooLargeError):
        find_small_derivable(span, [1] * 1400, k=10)


def test_a_release_too_large_for_the_exact_search_hides_what_it_cannot_prove(monkeypatch) -> None:
    # With the size limit lowered, the analysts' unit × value cells cannot be audited exactly:
    # they are hidden as "unverified" rather than shown on a guess, and the rest stays safe.
    import vrijuit.stats._span as span_module

    monkeypatch.setattr(span_module, "MAX_ATOMS", 3)
    rng = np.random.default_rng(7)
    teams = rng.choice(["a", "b", "c"], 40).tolist()
    gender = rng.choice(["w", "m"], 40).tolist()
    lattice = cells_for_report(teams, TREE, {"g": gender}, unit_attributes=["g"])
    plan = plan_disclosure(lattice, k=5)
    reasons = {key: r.code for key, r in plan.suppressed.items()}
    assert any(code == "unverified" for code in reasons.values())
    assert not any(key.kind == "unit_attribute" for key in plan.shown)
    shown = sorted(plan.shown)
    assert not attacker(independent_view(teams, TREE, {"g": gender}, shown), 40, 5)
    assert not derivable_groups(independent_view(teams, TREE, {"g": gender}, shown), 40, 5)


def test_unit_by_value_cells_minus_their_sub_units_are_a_fast_path_leak() -> None:
    # fac × w has 6 women: 5 in team a and 1 directly in fac; fac × w − a × w reveals one.
    teams = ["a"] * 5 + ["fac"] + ["c"] * 6
    gender = ["w"] * 6 + ["m"] * 6
    lattice = cells_for_report(teams, TREE, {"g": gender}, unit_attributes=["g"])
    shown = [unit("org"), value("g", "w", at="fac"), value("g", "w", at="a")]
    result = audit(lattice, shown, k=5)
    assert result.method == "fast_path"
    assert result.leaks[0].describe() == "fac × g=w minus a × g=w would reveal 1 person"
    assert derivable_groups(independent_view(teams, TREE, {"g": gender}, shown), 12, 5)


def test_an_analysts_unit_by_value_cell_yields_before_a_unit_every_leader_sees() -> None:
    # Team a is all women, b has one man: a × g=w is team a itself, and with b, d × g=w and
    # b × g=w the one man is derivable. Hiding the unit × value cells closes every derivation,
    # so all units stay visible (the dense planner hid team a and kept a × g=w).
    tree = {"org": None, "d": "org", "a": "d", "b": "d"}
    teams = ["a"] * 5 + ["b"] * 8
    gender = ["w"] * 12 + ["m"]
    lattice = cells_for_report(teams, tree, {"g": gender}, unit_attributes=["g"])
    plan = plan_disclosure(lattice, k=5)
    assert {unit(u) for u in tree} <= plan.shown
    assert not any(key.kind == "unit_attribute" for key in plan.shown)
    shown = sorted(plan.shown)
    assert not derivable_groups(independent_view(teams, tree, {"g": gender}, shown), 13, 5)


# ----------------------------------------------------------------------------- plain words


def test_reasons_are_explained_in_english_and_dutch_without_printing_a_small_count() -> None:
    teams = ["a"] * 6 + ["b"] * 5 + ["c"] * 3
    lattice = cells_for_report(teams, TREE)
    plan = plan_disclosure(lattice, k=5)
    below = explain(plan.suppressed[unit("c")], "en", k=5)
    assert below == "Hidden: fewer than 5 people answered."
    assert "3" not in below
    assert explain(plan.suppressed[unit("c")], "nl", k=5).startswith("Verborgen: minder dan 5")
    differencing = explain(plan.suppressed[unit("b")], "en", k=5)
    assert differencing == "Hidden: org minus a, b would show the answers of fewer than 5 people."
    assert "3" not in differencing


@pytest.mark.parametrize(
    ("share", "n", "en", "nl"),
    [
        (0.0, 5, "at most 25%", "hoogstens 25%"),
        (1.0, 5, "more than 75%", "meer dan 75%"),
        (0.6, 5, "more than 50% and at most 75%", "meer dan 50% en hoogstens 75%"),
        (0.6, 10, "60%", "60%"),
    ],
)
def test_band_words_never_say_none_or_all_in_a_small_cell(share, n, en, nl) -> None:
    assert band_text(band(share, n, k=5), "en") == en
    assert band_text(band(share, n, k=5), "nl") == nl


def test_exact_span_gives_the_same_answers_with_python_integers_as_with_int64(monkeypatch) -> None:
    # Large entries switch the elimination to Python integers; force that and compare.
    import vrijuit.stats._span as span_module

    rng = np.random.default_rng(11)
    generators = (rng.random((12, 30)) < 0.3).astype(np.int64)
    sizes = rng.integers(1, 4, 30).tolist()
    fast = SpanTest.build(generators)
    found = find_small_derivable(fast, sizes, k=5, limit=50)
    monkeypatch.setattr(span_module, "_SAFE_INT", 2)
    exact = SpanTest.build(generators)
    assert exact.matrix.dtype == object
    assert find_small_derivable(exact, sizes, k=5, limit=50) == found
    for group in found:
        combination = np.array(exact.coefficients(group), dtype=object) @ generators
        assert set(np.flatnonzero(combination)) == set(group)
        assert set(combination[list(group)]) == {1}
