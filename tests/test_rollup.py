"""The unit tree validates its input clearly, and the roll-up equals a naive per-unit pandas
computation over each unit's subtree, on random trees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vrijuit.stats.rollup import (
    UnitTree,
    UnitTreeError,
    rollup,
    rollup_by_attribute,
)

UNITS = pd.DataFrame(
    {
        "unit_id": ["uni", "fac_a", "fac_b", "dep_1", "t1", "t2", "t3"],
        "parent_id": [None, "uni", "uni", "fac_a", "dep_1", "dep_1", "fac_b"],
        "name_en": ["University", "Science", "Arts", "Physics", "T1", "T2", "T3"],
        "name_nl": [
            "Universiteit",
            "Bètawetenschappen",
            "Letteren",
            "Natuurkunde",
            "T1",
            "T2",
            None,
        ],
        "level": ["organisation", "faculty", "faculty", "department", "team", "team", "team"],
    }
)


def _tree() -> UnitTree:
    return UnitTree.from_frame(
        UNITS.sample(frac=1, random_state=1), name_en="name_en", name_nl="name_nl", level="level"
    )


def test_tree_navigation_follows_the_units_table() -> None:
    tree = _tree()
    assert tree.root == "uni" and tree.depth == 3 and tree.n_units == 7
    assert tree.children("uni") == ["fac_a", "fac_b"]
    assert tree.ancestors("t2") == ["dep_1", "fac_a", "uni"]
    assert tree.ancestors("uni") == []
    assert tree.subtree("fac_a") == ["fac_a", "dep_1", "t1", "t2"]
    assert tree.subtree_members("fac_a", ["t1", "t3", "dep_1", "t2"]).tolist() == [
        True,
        False,
        True,
        True,
    ]
    assert tree.name("fac_a", "nl") == "Bètawetenschappen"
    assert tree.name("t3", "nl") == "t3"  # no Dutch name given: the id
    # Parents always come before their children in storage order.
    assert (tree.parent < np.arange(tree.n_units)).all()
    assert tree.level("dep_1") == "department"
    assert UnitTree.from_frame(UNITS).level("dep_1") is None


def test_numeric_ids_match_even_when_pandas_reads_the_parent_column_as_float() -> None:
    units = pd.DataFrame({"unit_id": [1, 2, 3], "parent_id": [np.nan, 1.0, 1.0]})
    tree = UnitTree.from_frame(units)
    assert tree.children(1) == ["2", "3"]
    res = rollup([3.0, 4.0, 5.0], [2, 3, 3], tree)
    assert res.n.tolist() == [3, 1, 2]


@pytest.mark.parametrize(
    ("units", "key", "fragment"),
    [
        ({"unit_id": ["a", "b", "b"], "parent_id": [None, "a", "a"]}, "duplicate_id", "rows 2, 3"),
        ({"unit_id": ["a", "b"], "parent_id": [None, "zz"]}, "unknown_parent", "'zz'"),
        ({"unit_id": ["a", "b"], "parent_id": [None, None]}, "several_roots", "'a', 'b'"),
        ({"unit_id": ["a", "b"], "parent_id": ["b", "a"]}, "no_root", "no top unit"),
        (
            {"unit_id": ["r", "a", "b", "c"], "parent_id": [None, "b", "a", "c"]},
            "cycle",
            "'a', 'b', 'c'",
        ),
        ({"unit_id": ["a", None], "parent_id": [None, "a"]}, "missing_id", "Row 2"),
    ],
)
def test_broken_unit_tables_are_refused_with_a_clear_message_in_both_languages(
    units: dict[str, list[str | None]], key: str, fragment: str
) -> None:
    with pytest.raises(UnitTreeError, match=fragment) as caught:
        UnitTree.from_frame(pd.DataFrame(units))
    assert caught.value.key == f"units.error.{key}"
    assert caught.value.message("nl") != str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_missing_column_or_unknown_team_is_named() -> None:
    with pytest.raises(UnitTreeError, match="no column 'parent'"):
        UnitTree.from_frame(UNITS, parent="parent")
    with pytest.raises(UnitTreeError, match="not in the units table: 'x9', 'y7'"):
        rollup([3.0, 4.0, 5.0], ["t1", "x9", "y7"], _tree())
    with pytest.raises(UnitTreeError, match="Unit 'nope' is not"):
        _tree().children("nope")


def _naive_subtree(units: pd.DataFrame, unit: str) -> set[str]:
    """Walk every unit's ancestors until the root; keep those that pass `unit`."""
    parent = {
        u: p if isinstance(p, str) else None
        for u, p in zip(units.unit_id, units.parent_id, strict=True)
    }
    members = set()
    for start in units.unit_id:
        node: str | None = start
        while node is not None:
            if node == unit:
                members.add(start)
                break
            node = parent[node]
    return members


@st.composite
def trees_and_responses(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_units = draw(st.integers(1, 12))
    parents: list[str | None] = [None] + [
        f"u{draw(st.integers(0, k - 1))}" for k in range(1, n_units)
    ]
    units = pd.DataFrame({"unit_id": [f"u{k}" for k in range(n_units)], "parent_id": parents})
    units = units.sample(frac=1, random_state=draw(st.integers(0, 99)))
    n_rows = draw(st.integers(0, 40))
    responses = pd.DataFrame(
        {
            "team": [f"u{draw(st.integers(0, n_units - 1))}" for _ in range(n_rows)],
            "score": [
                draw(st.one_of(st.just(np.nan), st.integers(1, 5).map(float)))
                for _ in range(n_rows)
            ],
            "gender": [draw(st.sampled_from(["f", "m", "x", None])) for _ in range(n_rows)],
        }
    )
    return units, responses


@settings(max_examples=25, deadline=None)
@given(trees_and_responses())
def test_rollup_equals_a_naive_computation_over_each_subtree(
    case: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    units, responses = case
    tree = UnitTree.from_frame(units)
    res = rollup(responses.score, responses.team, tree, cutoff=3.0).as_frame()
    valid = responses.dropna(subset=["score"])
    for unit in units.unit_id:
        scores = valid.score[valid.team.isin(_naive_subtree(units, unit))]
        row = res.loc[unit]
        assert row.n == len(scores)
        assert row.n_direct == int((valid.team == unit).sum())
        assert row.n_below == int((scores < 3.0).sum())
        if len(scores):
            assert row["mean"] == pytest.approx(scores.mean(), rel=1e-12)
            assert row.share_below == pytest.approx((scores < 3.0).mean())
        else:
            assert np.isnan(row["mean"]) and np.isnan(row.share_below)
        if len(scores) > 1:
            assert row.sd == pytest.approx(scores.std(ddof=1), rel=1e-9, abs=1e-12)
        else:
            assert np.isnan(row.sd)


@settings(max_examples=15, deadline=None)
@given(trees_and_responses())
def test_attribute_rollup_equals_a_naive_groupby_per_subtree(
    case: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    units, responses = case
    tree = UnitTree.from_frame(units)
    res = rollup_by_attribute(responses.score, responses.team, responses.gender, tree, cutoff=3)
    valid = responses.dropna(subset=["score", "gender"])
    assert res.values.tolist() == sorted(valid.gender.unique())
    for i, unit in enumerate(res.units):
        inside = valid[valid.team.isin(_naive_subtree(units, unit))]
        grouped = inside.groupby("gender").score
        for j, value in enumerate(res.values):
            n = int(grouped.size().get(value, 0))
            assert res.n[i, j] == n
            if n:
                assert res.mean[i, j] == pytest.approx(grouped.mean()[value], rel=1e-12)
                assert res.n_below is not None
                assert res.n_below[i, j] == int((inside.score[inside.gender == value] < 3).sum())


def test_rollup_without_cutoff_has_no_share_and_serialises() -> None:
    res = rollup([4.0, np.nan, 2.0], ["t1", "t2", "t3"], _tree())
    assert res.n_below is None and res.share_below is None
    out = res.to_dict()
    assert out["units"][0] == "uni" and out["n"][0] == 2 and out["parent"][0] is None
    assert out["sd"][res.units.tolist().index("t2")] is None


def test_a_constant_subtree_has_an_sd_of_exactly_zero() -> None:
    res = rollup([2.0, 2.0, 2.0, 2.0, 2.0], ["t1", "t1", "t2", "dep_1", "t2"], _tree())
    frame = res.as_frame()
    assert frame.loc["fac_a", "sd"] == 0.0 and frame.loc["uni", "sd"] == 0.0
    assert np.isnan(frame.loc["fac_b", "mean"]) and frame.loc["fac_b", "n"] == 0


def test_missing_team_labels_and_mismatched_attributes_are_refused() -> None:
    with pytest.raises(ValueError, match="team label is missing in row 2"):
        rollup([3.0, 4.0], ["t1", None], _tree())
    with pytest.raises(ValueError, match="rows but attribute 1"):
        rollup_by_attribute([3.0, 4.0], ["t1", "t2"], ["f"], _tree())
