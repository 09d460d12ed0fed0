"""Within-team agreement against R multilevel (expected.csv R11-R18, R20, R21) and a naive
per-team pandas implementation written here from the published formulas."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load_reference
from vrijuit.stats import agreement
from vrijuit.stats.agreement import (
    average_deviation,
    awg,
    null_variance,
    rwg,
    rwg_j,
    rwg_j_lindell,
    team_item_counts,
)
from vrijuit.stats.groups import Groups

LEAD_ITEMS = [f"LEAD{i:02d}" for i in range(1, 12)]
COHESION_ITEMS = [f"COH{i:02d}" for i in range(1, 6)]


@pytest.fixture(scope="module")
def lq2002() -> pd.DataFrame:
    return load_reference("multilevel_lq2002.csv")


@pytest.fixture(scope="module")
def cohesion() -> pd.DataFrame:
    return load_reference("multilevel_cohesion.csv")


def _per_group(text: str) -> dict[int, float]:
    """Parse 'COMPID 2 = 0.80, 3 = 0.89' style provenance into {2: 0.80, 3: 0.89}."""
    pairs = text.split("COMPID", 1)[1].split(";")[0]
    out: dict[int, float] = {}
    for part in pairs.split(","):
        if "=" in part:
            key, value = part.split("=")
            out[int(key.strip().split()[-1])] = float(value.strip().split()[0])
    return out


def _value_of(result: object, label: object) -> float:
    labels = result.labels.tolist()  # type: ignore[attr-defined]
    return float(result.values[labels.index(label)])  # type: ignore[attr-defined]


# --- null variances -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("distribution", "published"),
    [
        ("uniform", 2.00),
        ("slight_skew", 1.34),
        ("moderate_skew", 0.90),
        ("heavy_skew", 0.44),
        ("triangular", 1.32),
        ("normal", 1.04),
    ],
)
def test_five_point_nulls_reproduce_the_lebreton_senter_table(
    distribution: str, published: float
) -> None:
    assert null_variance(5, distribution=distribution) == pytest.approx(published, abs=0.005)  # type: ignore[arg-type]


@pytest.mark.parametrize("points", range(2, 12))
def test_uniform_null_is_a_squared_minus_one_over_twelve_and_equals_its_probabilities(
    points: int,
) -> None:
    expected = (points**2 - 1) / 12
    assert null_variance(points) == pytest.approx(expected)
    assert null_variance(points, probabilities=[1 / points] * points) == pytest.approx(expected)


def test_null_from_probabilities_matches_numpy_variance_of_the_distribution() -> None:
    p = np.array([0.1, 0.2, 0.3, 0.25, 0.1, 0.05])
    options = np.arange(1, 7)
    mean = (p * options).sum()
    assert null_variance(6, probabilities=p) == pytest.approx((p * (options - mean) ** 2).sum())


def test_skewed_nulls_for_other_formats_need_probabilities() -> None:
    with pytest.raises(ValueError, match="pass probabilities"):
        null_variance(7, distribution="slight_skew")
    with pytest.raises(ValueError, match="sum to 1"):
        null_variance(3, probabilities=[0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="one value per option"):
        null_variance(3, probabilities=[0.5, 0.5])
    with pytest.raises(ValueError, match="distribution must be one of"):
        null_variance(5, distribution="skewed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 2"):
        null_variance(1)


# --- R multilevel reference values ----------------------------------------------------------


def test_rwg_j_uniform_null_matches_multilevel_mean_min_max_and_groups(
    lq2002: pd.DataFrame, expected: pd.DataFrame
) -> None:
    res = rwg_j(lq2002[LEAD_ITEMS], lq2002["COMPID"], null_variance=2.0)
    assert res.mean == pytest.approx(float(expected.loc["R11", "expected"]), abs=1e-7)
    assert res.values.min() == pytest.approx(0.7748995996, abs=1e-9)
    assert res.values.max() == pytest.approx(0.9423067017, abs=1e-9)
    for label, value in _per_group(expected.loc["R11", "provenance"]).items():
        assert _value_of(res, label) == pytest.approx(value, abs=1e-9)
    assert res.n.sum() == len(lq2002)
    assert set(res.items_used.tolist()) == {11}


def test_rwg_j_slightly_skewed_null_matches_multilevel(
    lq2002: pd.DataFrame, expected: pd.DataFrame
) -> None:
    res = rwg_j(lq2002[LEAD_ITEMS], lq2002["COMPID"], null_variance=1.34)
    assert res.mean == pytest.approx(float(expected.loc["R12", "expected"]), abs=1e-9)
    assert (res.values == 0).any(), "variances above the null are truncated to rwg(J) = 0"


def test_lindell_rwg_j_matches_multilevel(lq2002: pd.DataFrame, expected: pd.DataFrame) -> None:
    res = rwg_j_lindell(lq2002[LEAD_ITEMS], lq2002["COMPID"], null_variance=2.0)
    assert res.mean == pytest.approx(float(expected.loc["R13", "expected"]), abs=1e-9)
    assert _value_of(res, 2) == pytest.approx(0.2761034256, abs=1e-9)


def test_awg_multi_item_matches_multilevel(lq2002: pd.DataFrame, expected: pd.DataFrame) -> None:
    res = awg(lq2002[LEAD_ITEMS], lq2002["COMPID"], low=1, high=5)
    assert res.mean == pytest.approx(float(expected.loc["R14", "expected"]), abs=1e-9)
    assert _value_of(res, 2) == pytest.approx(0.2925750905, abs=1e-9)


def test_awg_single_item_matches_multilevel(lq2002: pd.DataFrame, expected: pd.DataFrame) -> None:
    res = awg(lq2002["LEAD05"], lq2002["COMPID"], low=1, high=5)
    assert res.mean == pytest.approx(float(expected.loc["R15", "expected"]), abs=1e-9)
    assert _value_of(res, 2) == pytest.approx(0.5111111111, abs=1e-9)


@pytest.mark.parametrize(
    ("center", "ref", "group2"), [("mean", "R16", 1.0205176768), ("median", "R17", 0.9734848485)]
)
def test_average_deviation_matches_multilevel(
    lq2002: pd.DataFrame, expected: pd.DataFrame, center: str, ref: str, group2: float
) -> None:
    res = average_deviation(lq2002[LEAD_ITEMS], lq2002["COMPID"], center=center)  # type: ignore[arg-type]
    tolerance = float(expected.loc[ref, "tolerance"])
    assert res.mean == pytest.approx(float(expected.loc[ref, "expected"]), abs=tolerance)
    assert _value_of(res, 2) == pytest.approx(group2, abs=1e-9)


def test_rwg_on_the_scale_score_matches_multilevel(
    lq2002: pd.DataFrame, expected: pd.DataFrame
) -> None:
    res = rwg(lq2002["LEAD"], lq2002["COMPID"], null_variance=2.0)
    assert res.mean == pytest.approx(float(expected.loc["R18", "expected"]), abs=1e-9)
    assert _value_of(res, 2) == pytest.approx(0.6214591568, abs=1e-9)


def test_rwg_j_with_a_missing_value_is_pairwise_like_multilevel_2_8(
    cohesion: pd.DataFrame,
) -> None:
    res = rwg_j(cohesion[COHESION_ITEMS], cohesion["UNIT"], null_variance=2.0)
    assert res.labels.tolist() == ["1044B", "1044C"]
    np.testing.assert_allclose(res.values, [0.7377049180, 0.8988764045], atol=1e-9)
    assert res.n.tolist() == [6, 5]


def test_rwg_j_listwise_reproduces_multilevel_2_7(cohesion: pd.DataFrame) -> None:
    res = rwg_j(cohesion[COHESION_ITEMS], cohesion["UNIT"], null_variance=2.0, missing="listwise")
    np.testing.assert_allclose(res.values, [0.7539682540, 0.8988764045], atol=1e-9)
    assert res.n.tolist() == [5, 5]


def test_awg_and_ad_drop_incomplete_rows_like_multilevel(cohesion: pd.DataFrame) -> None:
    items, unit = cohesion[COHESION_ITEMS], cohesion["UNIT"]
    np.testing.assert_allclose(
        awg(items, unit, low=1, high=5).values, [0.4738455988, 0.6746703297], atol=1e-9
    )
    ad = average_deviation(items, unit)
    np.testing.assert_allclose(ad.values, [0.80, 0.56], atol=1e-9)
    assert ad.n.tolist() == [5, 5]


# --- edge cases -----------------------------------------------------------------------------


def test_a_team_of_one_has_no_agreement() -> None:
    teams = ["solo", "pair", "pair"]
    items = [[3, 4], [2, 2], [3, 3]]
    assert np.isnan(rwg([3, 2, 3], teams, null_variance=2.0).values[1])
    assert np.isnan(rwg_j(items, teams, null_variance=2.0).values[1])
    assert np.isnan(rwg_j_lindell(items, teams, null_variance=2.0).values[1])
    assert np.isnan(awg(items, teams, low=1, high=5).values[1])
    assert np.isnan(average_deviation(items, teams).values[1])
    assert rwg_j(items, teams, null_variance=2.0).items_used.tolist() == [2, 0]


def test_single_item_rwg_is_truncated_to_zero_above_the_null() -> None:
    res = rwg([1, 5, 1, 5], ["a"] * 4, null_variance=2.0)
    assert res.values.tolist() == [0.0]


def test_lindell_index_goes_negative_where_rwg_j_is_truncated() -> None:
    items = [[1, 1], [5, 5], [1, 1], [5, 5]]
    assert rwg_j(items, ["a"] * 4, null_variance=2.0).values.tolist() == [0.0]
    # item variance 16/3 (n - 1 divisor) against a null of 2
    assert rwg_j_lindell(items, ["a"] * 4, null_variance=2.0).values[0] == pytest.approx(-5 / 3)


def test_awg_is_one_when_everyone_answers_the_lowest_or_highest_option() -> None:
    res = awg([[1, 5], [1, 5], [1, 5]], ["a"] * 3, low=1, high=5)
    assert res.values.tolist() == [1.0]
    assert res.items_used.tolist() == [2]


def test_awg_drops_items_whose_mean_is_outside_the_admissible_range() -> None:
    # k = 3 on 1..5: the admissible mean range is [(2 + 5)/3, (10 + 1)/3] = [2.33, 3.67].
    items = [[1, 3], [1, 4], [2, 2]]  # item 1 mean 1.33 (inadmissible), item 2 mean 3
    res = awg(items, ["a"] * 3, low=1, high=5)
    assert res.items_used.tolist() == [1]
    expected_item2 = 1 - 2 * 1.0 / ((6 * 3 - 9 - 5) * 1.5)
    assert res.values[0] == pytest.approx(expected_item2)
    assert np.isnan(awg([[1], [1], [2]], ["a"] * 3, low=1, high=5).values[0])


def test_all_missing_item_gives_no_rwg_j_in_a_team() -> None:
    items = [[3, np.nan], [4, np.nan], [3, 2], [3, 4]]
    res = rwg_j(items, ["a", "a", "b", "b"], null_variance=2.0)
    assert np.isnan(res.values[0]) and not np.isnan(res.values[1])


def test_zero_variance_teams_agree_perfectly() -> None:
    items = [[3, 4], [3, 4], [3, 4]]
    for result in (
        rwg_j(items, ["a"] * 3, null_variance=2.0),
        rwg_j_lindell(items, ["a"] * 3, null_variance=2.0),
        awg(items, ["a"] * 3, low=1, high=5),
    ):
        assert result.values.tolist() == [1.0]
    assert average_deviation(items, ["a"] * 3, center="median").values.tolist() == [0.0]


def test_invalid_arguments_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="null_variance must be a positive"):
        rwg([1, 2], [1, 1], null_variance=0)
    with pytest.raises(ValueError, match="low must be below high"):
        awg([[1], [2]], [1, 1], low=5, high=1)
    with pytest.raises(ValueError, match="missing must be one of"):
        rwg_j([[1], [2]], [1, 1], null_variance=2.0, missing="pair")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="center must be one of"):
        average_deviation([[1], [2]], [1, 1], center="mode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rows"):
        rwg([1, 2, 3], [1, 1], null_variance=2.0)


def test_a_groups_object_and_plain_labels_give_the_same_result() -> None:
    labels = ["x", "y", "x", "y", "x"]
    items = [[1, 2], [3, 3], [2, 2], [4, 3], [2, 1]]
    a = awg(items, labels, low=1, high=5)
    b = awg(items, Groups.from_labels(labels), low=1, high=5)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.to_dict()["labels"] == ["x", "y"]


# --- naive per-team reference on random data ------------------------------------------------


def _naive(frame: pd.DataFrame, items: list[str], low: int, high: int, sigma2: float) -> dict:
    """Straight from the formulas, one team at a time, listwise like R's awg/ad.m."""
    out: dict[str, dict[object, float]] = {"rwg_j": {}, "awg": {}, "ad_mean": {}, "ad_median": {}}
    for team, block in frame.groupby("team"):
        pairwise_var = block[items].var(ddof=1).mean(skipna=False)
        s = min(pairwise_var, sigma2) / sigma2
        k_items = len(items)
        out["rwg_j"][team] = k_items * (1 - s) / (k_items * (1 - s) + s)
        complete = block[items].dropna()
        k = len(complete)
        if k < 2:
            for key in ("awg", "ad_mean", "ad_median"):
                out[key][team] = np.nan
            continue
        values = []
        for item in items:
            x = complete[item]
            m = x.mean()
            if m in (low, high):
                values.append(1.0)
            elif (low * (k - 1) + high) / k <= m <= (high * (k - 1) + low) / k:
                bound = ((high + low) * m - m * m - high * low) * k / (k - 1)
                values.append(1 - 2 * x.var(ddof=1) / bound)
        out["awg"][team] = float(np.mean(values)) if values else np.nan
        out["ad_mean"][team] = float(
            np.mean([(complete[i] - complete[i].mean()).abs().mean() for i in items])
        )
        out["ad_median"][team] = float(
            np.mean([(complete[i] - complete[i].median()).abs().mean() for i in items])
        )
    return out


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_teams=st.integers(1, 8),
    missing_share=st.sampled_from([0.0, 0.05, 0.2]),
)
def test_agreement_indices_match_a_naive_per_team_implementation(
    seed: int, n_teams: int, missing_share: float
) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(n_teams * 2, n_teams * 8))
    items = ["i1", "i2", "i3"]
    frame = pd.DataFrame(rng.integers(1, 6, size=(n, 3)).astype(float), columns=items)
    frame = frame.mask(rng.random((n, 3)) < missing_share)
    frame["team"] = rng.integers(0, n_teams, size=n)
    naive = _naive(frame, items, 1, 5, 2.0)
    got = {
        "rwg_j": rwg_j(frame[items], frame["team"], null_variance=2.0),
        "awg": awg(frame[items], frame["team"], low=1, high=5),
        "ad_mean": average_deviation(frame[items], frame["team"]),
        "ad_median": average_deviation(frame[items], frame["team"], center="median"),
    }
    for key, result in got.items():
        reference = [naive[key][label] for label in result.labels.tolist()]
        np.testing.assert_allclose(result.values, reference, atol=1e-12, err_msg=key)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_permuting_rows_changes_nothing_and_indices_stay_in_range(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    items = rng.integers(1, 8, size=(n, 4)).astype(float)
    teams = rng.integers(0, 5, size=n)
    order = rng.permutation(n)
    sigma2 = null_variance(7)
    calls = [
        lambda x, g: rwg(x[:, 0], g, null_variance=sigma2),
        lambda x, g: rwg_j(x, g, null_variance=sigma2),
        lambda x, g: rwg_j_lindell(x, g, null_variance=sigma2),
        lambda x, g: awg(x, g, low=1, high=7),
        lambda x, g: average_deviation(x, g, center="median"),
    ]
    for call in calls:
        before, after = call(items, teams), call(items[order], teams[order])
        np.testing.assert_allclose(before.values, after.values, atol=1e-12)
    for index in (
        rwg(items[:, 0], teams, null_variance=sigma2),
        rwg_j(items, teams, null_variance=sigma2),
    ):
        finite = index.values[~np.isnan(index.values)]
        assert np.all((finite >= 0) & (finite <= 1))
    a = awg(items, teams, low=1, high=7).values
    assert np.all((a[~np.isnan(a)] >= -1 - 1e-12) & (a[~np.isnan(a)] <= 1 + 1e-12))
    lindell = rwg_j_lindell(items, teams, null_variance=sigma2).values
    assert np.all(lindell[~np.isnan(lindell)] <= 1)


@pytest.mark.parametrize("scale", [0.25, 7.0])  # fractional answers; integers on a wide range
def test_median_deviation_for_non_likert_data_matches_pandas(scale: float) -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.integers(0, 9, size=(40, 2)) * scale, columns=["a", "b"])
    frame["team"] = rng.integers(0, 5, size=40)
    res = average_deviation(frame[["a", "b"]], frame["team"], center="median")
    naive = frame.groupby("team")[["a", "b"]].apply(
        lambda block: (block - block.median()).abs().mean().mean()
    )
    np.testing.assert_allclose(res.values, naive.to_numpy(), atol=1e-12)


# --- the count-table path (whole-number answers) --------------------------------------------


def _all_indices(items: np.ndarray, teams: np.ndarray, counts: object = None) -> dict:
    sigma2 = 2.0
    return {
        "rwg_j": rwg_j(items, teams, null_variance=sigma2, counts=counts),  # type: ignore[arg-type]
        "rwg_j_listwise": rwg_j(
            items,
            teams,
            null_variance=sigma2,
            missing="listwise",
            counts=counts,  # type: ignore[arg-type]
        ),
        "lindell": rwg_j_lindell(items, teams, null_variance=sigma2, counts=counts),  # type: ignore[arg-type]
        "awg": awg(items, teams, low=1, high=5, counts=counts),  # type: ignore[arg-type]
        "ad_mean": average_deviation(items, teams, counts=counts),  # type: ignore[arg-type]
        "ad_median": average_deviation(items, teams, center="median", counts=counts),  # type: ignore[arg-type]
    }


def _assert_same(got: dict, reference: dict) -> None:
    for key, result in got.items():
        other = reference[key]
        assert result.labels.tolist() == other.labels.tolist(), key
        np.testing.assert_allclose(result.values, other.values, rtol=0, atol=1e-12, err_msg=key)
        np.testing.assert_array_equal(result.n, other.n, err_msg=key)
        np.testing.assert_array_equal(result.items_used, other.items_used, err_msg=key)


def _float_path_only() -> object:
    """Refuse the count table, so every index takes the general float path."""
    return mock.patch.object(agreement, "answer_table", return_value=None)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_teams=st.integers(1, 7),
    n_items=st.integers(1, 5),
    low=st.sampled_from([-3, 0, 1]),
    n_options=st.integers(2, 11),
    missing_share=st.sampled_from([0.0, 0.1, 0.4]),
)
def test_count_table_gives_the_float_path_results_on_integer_answers_with_missing(
    seed: int, n_teams: int, n_items: int, low: int, n_options: int, missing_share: float
) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, n_teams * 6 + 1))
    items = rng.integers(low, low + n_options, size=(n, n_items)).astype(float)
    items[rng.random((n, n_items)) < missing_share] = np.nan
    if n > 2:
        items[0] = np.nan  # a row without any answer
    teams = rng.integers(0, n_teams, size=n)
    assert agreement.answer_table(items, Groups.from_labels(teams)) is not None
    table_path = _all_indices(items, teams)
    shared = _all_indices(
        items, teams, team_item_counts(items, teams, low=low, high=low + n_options - 1)
    )
    with _float_path_only():
        float_path = _all_indices(items, teams)
    _assert_same(table_path, float_path)
    _assert_same(shared, float_path)


def test_count_table_matches_a_pandas_crosstab_per_team_item_and_answer() -> None:
    rng = np.random.default_rng(11)
    items = rng.integers(1, 6, size=(200, 3)).astype(float)
    items[rng.random((200, 3)) < 0.1] = np.nan
    teams = rng.choice(["x", "y", "z"], size=200)
    counts = team_item_counts(items, teams, low=1, high=7)
    frame = pd.DataFrame(items, columns=["a", "b", "c"]).assign(team=teams)
    long = frame.melt(id_vars="team", var_name="item", value_name="answer").dropna()
    naive = long.groupby(["team", "item", "answer"]).size()
    assert counts.labels.tolist() == ["x", "y", "z"]
    assert counts.answers.shape == (3, 3, 7) and counts.low == 1
    for (team, item, answer), size in naive.items():
        position = (counts.labels.tolist().index(team), "abc".index(item), int(answer) - 1)
        assert counts.answers[position] == size
    assert counts.answers.sum() == len(long)
    complete = frame.dropna()
    assert counts.complete.tolist() == complete.groupby("team").size().tolist()
    assert counts.complete_answers.sum() == complete[["a", "b", "c"]].size
    responding = frame[["a", "b", "c"]].notna().any(axis=1).groupby(frame["team"]).sum()
    assert counts.responding.tolist() == responding.tolist()


def test_shared_counts_reproduce_the_multilevel_values(
    lq2002: pd.DataFrame, expected: pd.DataFrame
) -> None:
    items, teams = lq2002[LEAD_ITEMS], lq2002["COMPID"]
    counts = team_item_counts(items, teams, low=1, high=5)
    assert rwg_j(items, teams, null_variance=2.0, counts=counts).mean == pytest.approx(
        float(expected.loc["R11", "expected"]), abs=1e-7
    )
    assert awg(items, teams, low=1, high=5, counts=counts).mean == pytest.approx(
        float(expected.loc["R14", "expected"]), abs=1e-9
    )
    for center, ref in (("mean", "R16"), ("median", "R17")):
        result = average_deviation(items, teams, center=center, counts=counts)  # type: ignore[arg-type]
        assert result.mean == pytest.approx(
            float(expected.loc[ref, "expected"]), abs=float(expected.loc[ref, "tolerance"])
        )


def test_shared_counts_reproduce_pairwise_and_listwise_multilevel_with_missing_answers(
    cohesion: pd.DataFrame,
) -> None:
    items, unit = cohesion[COHESION_ITEMS], cohesion["UNIT"]
    counts = team_item_counts(items, unit, low=1, high=5)
    pairwise = rwg_j(items, unit, null_variance=2.0, counts=counts)
    np.testing.assert_allclose(pairwise.values, [0.7377049180, 0.8988764045], atol=1e-9)
    assert pairwise.n.tolist() == [6, 5]
    listwise = rwg_j(items, unit, null_variance=2.0, missing="listwise", counts=counts)
    np.testing.assert_allclose(listwise.values, [0.7539682540, 0.8988764045], atol=1e-9)
    np.testing.assert_allclose(
        awg(items, unit, low=1, high=5, counts=counts).values,
        [0.4738455988, 0.6746703297],
        atol=1e-9,
    )
    np.testing.assert_allclose(
        average_deviation(items, unit, counts=counts).values, [0.80, 0.56], atol=1e-9
    )


@pytest.mark.parametrize(
    ("values", "why"),
    [
        ([[1.5, 2.0], [2.0, 3.0]], "a fractional answer"),
        ([[1.0, 2.0], [300.0, 3.0]], "an answer outside int8"),
        ([[127.0, 2.0], [126.0, 3.0]], "no int8 code left for a missing answer"),
        ([[-129.0, 2.0], [1.0, 3.0]], "an answer below int8"),
        ([[np.inf, 2.0], [1.0, 3.0]], "an infinite answer"),
        ([[1.0, 2.0], [100.0, 3.0]], "more than MAX_OPTIONS options"),
    ],
)
def test_answers_that_a_count_table_cannot_hold_take_the_float_path(
    values: list[list[float]], why: str
) -> None:
    grouping = Groups.from_labels(["a", "a"])
    assert agreement.answer_table(np.array(values), grouping) is None, why


def test_one_respondent_per_team_takes_the_float_path_unless_counts_are_asked_for() -> None:
    n = 70_000  # teams × options beyond both the rows and the small-table allowance
    items = np.ones((n, 1))
    grouping = Groups.from_labels(np.arange(n))
    assert agreement.answer_table(items, grouping) is None
    forced = agreement.answer_table(items, grouping, compact_only=False)
    assert forced is not None and forced.answers.shape == (n, 1, 1)


def test_no_answers_at_all_give_no_agreement_on_both_paths() -> None:
    items = np.full((4, 2), np.nan)
    teams = np.array([1, 1, 2, 2])
    table_path = _all_indices(items, teams)
    with _float_path_only():
        _assert_same(table_path, _all_indices(items, teams))
    assert np.isnan(table_path["rwg_j"].values).all()
    assert table_path["rwg_j"].n.tolist() == [0, 0]


def test_team_item_counts_rejects_answers_off_the_declared_scale() -> None:
    with pytest.raises(ValueError, match="whole numbers from 1 to 5"):
        team_item_counts([[1, 6], [2, 2]], [1, 1], low=1, high=5)
    with pytest.raises(ValueError, match="whole numbers from 1 to 5"):
        team_item_counts([[1, 2.5], [2, 2]], [1, 1], low=1, high=5)
    with pytest.raises(TypeError, match="low must be a whole number"):
        team_item_counts([[1, 2], [2, 2]], [1, 1], low=0.5, high=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="high must be a whole number"):
        team_item_counts([[1, 2], [2, 2]], [1, 1], low=1, high=float("nan"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="span 2 to 64 options"):
        team_item_counts([[1, 2], [2, 2]], [1, 1], low=5, high=5)


def test_counts_from_other_data_are_refused() -> None:
    items = [[1, 2], [2, 2], [3, 3]]
    counts = team_item_counts(items, ["a", "a", "b"], low=1, high=5)
    with pytest.raises(ValueError, match="counts were made from 3 rows × 2 items"):
        rwg_j([[1], [2], [3]], ["a", "a", "b"], null_variance=2.0, counts=counts)
    with pytest.raises(ValueError, match="counts were made from"):
        awg(items, ["a", "a"], low=1, high=5, counts=counts)
    with pytest.raises(ValueError, match="other teams"):
        average_deviation(items, Groups.from_labels(["a", "b", "c"]), counts=counts)
    with pytest.raises(TypeError, match="team_item_counts"):
        rwg_j_lindell(items, ["a", "a", "b"], null_variance=2.0, counts="table")  # type: ignore[arg-type]


def test_medians_from_the_count_table_match_pandas_including_even_team_sizes() -> None:
    rng = np.random.default_rng(5)
    items = rng.integers(1, 8, size=(120, 4)).astype(float)
    teams = rng.integers(0, 9, size=120)
    counts = team_item_counts(items, teams, low=1, high=7)
    naive = pd.DataFrame(items).groupby(teams).median().to_numpy()
    assert (counts.complete % 2 == 0).any(), "some teams must have an even size"
    np.testing.assert_array_equal(counts.medians(listwise=True), naive)


def test_the_float_path_also_reproduces_the_multilevel_values(
    lq2002: pd.DataFrame, cohesion: pd.DataFrame, expected: pd.DataFrame
) -> None:
    items, teams = lq2002[LEAD_ITEMS], lq2002["COMPID"]
    with _float_path_only():
        assert rwg_j(items, teams, null_variance=2.0).mean == pytest.approx(
            float(expected.loc["R11", "expected"]), abs=1e-7
        )
        assert rwg_j_lindell(items, teams, null_variance=2.0).mean == pytest.approx(
            float(expected.loc["R13", "expected"]), abs=1e-9
        )
        assert awg(items, teams, low=1, high=5).mean == pytest.approx(
            float(expected.loc["R14", "expected"]), abs=1e-9
        )
        ad = average_deviation(items, teams, center="median")
        assert ad.mean == pytest.approx(
            float(expected.loc["R17", "expected"]), abs=float(expected.loc["R17", "tolerance"])
        )
        pairwise = rwg_j(cohesion[COHESION_ITEMS], cohesion["UNIT"], null_variance=2.0)
    np.testing.assert_allclose(pairwise.values, [0.7377049180, 0.8988764045], atol=1e-9)
