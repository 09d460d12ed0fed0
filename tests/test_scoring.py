"""Scale scores: reverse keying on the declared bounds, the prorated mean and the min_items rule,
checked against a naive pandas reference and with property tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from vrijuit.stats.instruments import load_instrument
from vrijuit.stats.scoring import reverse_key, scale_scores, score_instrument

PROPERTIES = settings(max_examples=60, deadline=None)


@st.composite
def answer_matrices(draw: st.DrawFn) -> tuple[np.ndarray, int, int, np.ndarray]:
    """Answers on a declared scale low..high with some missing cells, and a keying vector."""
    low = draw(st.integers(min_value=0, max_value=2))
    high = low + draw(st.integers(min_value=1, max_value=6))
    n = draw(st.integers(min_value=1, max_value=30))
    k = draw(st.integers(min_value=1, max_value=7))
    codes = draw(hnp.arrays(np.int64, (n, k), elements=st.integers(low, high)))
    missing = draw(hnp.arrays(np.bool_, (n, k)))
    values = np.where(missing, np.nan, codes.astype(np.float64))
    reverse = draw(hnp.arrays(np.bool_, (k,)))
    return values, low, high, reverse


def _naive_scores(values: np.ndarray, reverse: np.ndarray, low: int, high: int, min_items: int):
    """Per person in plain Python: recode, keep the answered items, average if enough."""
    scores, used = [], []
    for row in values:
        answered = [
            (low + high - v) if rev else v
            for v, rev in zip(row, reverse, strict=True)
            if not np.isnan(v)
        ]
        used.append(len(answered))
        scores.append(sum(answered) / len(answered) if len(answered) >= min_items else np.nan)
    return np.array(scores), np.array(used)


def test_reverse_key_uses_the_declared_bounds_not_the_observed_ones() -> None:
    # Nobody used 1 or 2 here; psych's observed-bounds keying would map 5 -> 3, we map 5 -> 1.
    assert reverse_key([3.0, 4.0, 5.0], low=1, high=5).tolist() == [3.0, 2.0, 1.0]


def test_reverse_key_keeps_missing_answers_missing_and_rejects_out_of_range_values() -> None:
    assert np.isnan(reverse_key([np.nan], low=1, high=5)).all()
    with pytest.raises(
        ValueError, match=r"value 6\.0 at row 2, outside the declared bounds 1\.\.5"
    ):
        reverse_key([1, 6], low=1, high=5)
    with pytest.raises(ValueError, match="high must be larger than low"):
        reverse_key([1], low=5, high=5)


@PROPERTIES
@given(answer_matrices())
def test_reverse_keying_twice_gives_back_the_answers(case) -> None:
    values, low, high, _ = case
    twice = reverse_key(reverse_key(values, low=low, high=high), low=low, high=high)
    np.testing.assert_array_equal(twice, values)


@PROPERTIES
@given(answer_matrices(), st.data())
def test_scores_match_a_naive_per_person_reference_and_stay_within_bounds(case, data) -> None:
    values, low, high, reverse = case
    min_items = data.draw(st.integers(1, values.shape[1]))
    result = scale_scores(values, reverse=reverse, low=low, high=high, min_items=min_items)
    expected_scores, expected_used = _naive_scores(values, reverse, low, high, min_items)
    np.testing.assert_allclose(result.scores, expected_scores, rtol=1e-12)
    np.testing.assert_array_equal(result.items_used, expected_used)
    scored = result.scores[~np.isnan(result.scores)]
    assert ((scored >= low) & (scored <= high)).all()


@PROPERTIES
@given(answer_matrices(), st.data())
def test_the_min_items_rule_leaves_exactly_the_people_with_too_few_answers_unscored(
    case, data
) -> None:
    values, low, high, reverse = case
    min_items = data.draw(st.integers(1, values.shape[1]))
    result = scale_scores(values, reverse=reverse, low=low, high=high, min_items=min_items)
    answered = (~np.isnan(values)).sum(axis=1)
    np.testing.assert_array_equal(np.isnan(result.scores), answered < min_items)


@PROPERTIES
@given(answer_matrices())
def test_reversing_the_marked_items_equals_scoring_data_recoded_by_hand(case) -> None:
    values, low, high, reverse = case
    recoded = pd.DataFrame(values).copy()
    for column in np.flatnonzero(reverse):
        recoded[column] = recoded[column].map({c: low + high - c for c in range(low, high + 1)})
    keyed = scale_scores(values, reverse=reverse, low=low, high=high, min_items=1)
    plain = scale_scores(recoded.to_numpy(), low=low, high=high, min_items=1)
    np.testing.assert_allclose(keyed.scores, plain.scores, rtol=1e-12)


def test_scale_scores_check_their_arguments() -> None:
    with pytest.raises(ValueError, match=r"min_items must lie in 1\.\.2"):
        scale_scores([[1, 2]], low=1, high=5, min_items=3)
    with pytest.raises(ValueError, match="one entry per item"):
        scale_scores([[1, 2]], reverse=[True], low=1, high=5, min_items=1)
    with pytest.raises(ValueError, match="outside the declared bounds"):
        scale_scores([[1, 0]], low=1, high=5, min_items=1)


def test_an_all_missing_row_has_no_score_and_zero_items_used() -> None:
    result = scale_scores([[np.nan, np.nan], [2, 4]], low=1, high=5, min_items=1)
    assert np.isnan(result.scores[0])
    assert result.items_used.tolist() == [0, 2]
    assert result.to_dict()["scores"] == [None, 3.0]


def _vrijuit_responses(n: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    vrijuit = load_instrument("vrijuit")
    rng = np.random.default_rng(seed)
    frame = {}
    columns = []
    for scale in vrijuit.scales:
        if scale.role == "incidents":
            continue  # the optional block is left out of this file on purpose
        fmt = scale.response_format
        for item_id in scale.item_ids:
            answers = rng.integers(fmt.low, fmt.high + 1, size=n).astype(float)
            answers[rng.random(n) < 0.15] = np.nan  # "prefer not to say"
            frame[item_id] = answers
            columns.append(item_id)
    frame["team"] = rng.choice(["a", "b"], size=n)
    return pd.DataFrame(frame), columns


def test_score_instrument_matches_a_naive_pandas_reference_for_every_scale() -> None:
    vrijuit = load_instrument("vrijuit")
    responses, _ = _vrijuit_responses(200, seed=3)
    result = score_instrument(responses, vrijuit)
    assert result.not_scored == ("unwanted_experienced", "unwanted_witnessed")
    for scale in vrijuit.scales:
        if scale.id in result.not_scored:
            continue
        fmt = scale.response_format
        raw = responses[list(scale.item_ids)].copy()
        for item in scale.items:
            if item.reverse:
                raw[item.id] = fmt.low + fmt.high - raw[item.id]
        counts = raw.notna().sum(axis=1)
        expected = raw.mean(axis=1).where(counts >= scale.min_items)
        pd.testing.assert_series_equal(
            result.scores[scale.id], expected, check_names=False, rtol=1e-12
        )
        assert (result.items_used[scale.id] == counts).all()
        np.testing.assert_array_equal(result.keyed_items(scale.id), raw.to_numpy(dtype=float))


def test_score_instrument_keeps_the_index_and_scores_only_the_scales_asked_for() -> None:
    responses, _ = _vrijuit_responses(20, seed=4)
    responses.index = [f"r{i}" for i in range(20)]
    result = score_instrument(responses, load_instrument("vrijuit"), scales=["inclusion"])
    assert list(result.scores.columns) == ["inclusion"]
    assert list(result.scores.index) == list(responses.index)
    with pytest.raises(KeyError, match="was not scored"):
        result.keyed_items("speaking_up")
    assert set(result.to_dict()) == {"instrument_id", "scores", "items_used", "not_scored"}


def test_score_instrument_names_missing_columns_and_bad_answers() -> None:
    vrijuit = load_instrument("vrijuit")
    responses, _ = _vrijuit_responses(10, seed=5)
    with pytest.raises(ValueError, match=r"lack the item column\(s\) UBE1"):
        score_instrument(responses, vrijuit, scales=["unwanted_experienced"])
    partial = responses.drop(columns=["SU2"])
    with pytest.raises(ValueError, match=r"SU2 of scale 'speaking_up'"):
        score_instrument(partial, vrijuit)
    text = responses.astype({"SU1": object})
    text.loc[3, "SU1"] = "agree"
    with pytest.raises(ValueError, match=r"item 'SU1' has the non-numeric answer 'agree' in row 4"):
        score_instrument(text, vrijuit)
    seven = responses.copy()
    seven.loc[0, "AO1"] = 7
    with pytest.raises(ValueError, match=r"outside the declared bounds 1\.\.5"):
        score_instrument(seven, vrijuit)
    with pytest.raises(TypeError, match="DataFrame"):
        score_instrument(responses.to_numpy(), vrijuit)  # type: ignore[arg-type]


def test_yes_no_scales_score_as_the_share_of_yes_answers() -> None:
    vrijuit = load_instrument("vrijuit")
    responses = pd.DataFrame(
        {f"UBE{i}": [1, 0, np.nan] for i in range(1, 7)}
        | {"UBE1": [1, 1, 1], "UBE2": [0, 0, np.nan], "UBE3": [1, 0, 1]}
    )
    scores = score_instrument(responses, vrijuit, scales=["unwanted_experienced"]).scores
    # row 1: 1,0,1,1,1,1 -> 5/6; row 2: 1,0,0,0,0,0 -> 1/6; row 3: only 2 answered < min_items 4
    np.testing.assert_allclose(
        scores["unwanted_experienced"].to_numpy(), [5 / 6, 1 / 6, np.nan], rtol=1e-12
    )


def test_scoring_never_changes_the_callers_data() -> None:
    answers = np.array([[1.0, 5.0, 4.0], [2.0, np.nan, 3.0]])
    before = answers.copy()
    scale_scores(answers, reverse=[True, True, False], low=1, high=5, min_items=1)
    np.testing.assert_array_equal(answers, before)
    edmondson = load_instrument("edmondson")
    ids = list(edmondson.item_ids())
    block = pd.DataFrame(np.tile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], (4, 1)), columns=ids)
    snapshot = block.copy()
    result = score_instrument(block, edmondson)
    pd.testing.assert_frame_equal(block, snapshot)
    # PS1, PS3, PS5 reversed on 1..7: 7, 2, 5, 4, 3, 6, 7 -> mean 34/7
    assert result.scores["psychological_safety"].tolist() == pytest.approx([34 / 7] * 4)
