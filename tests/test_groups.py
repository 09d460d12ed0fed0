"""The grouped kernel agrees with pandas groupby on random data with missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vrijuit.stats._grouping import any_per_row, true_per_row
from vrijuit.stats.groups import Groups


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n_rows=st.integers(min_value=1, max_value=60),
    n_items=st.integers(min_value=1, max_value=4),
)
def test_reductions_match_pandas_groupby(data: st.DataObject, n_rows: int, n_items: int) -> None:
    labels = data.draw(arrays(np.int64, n_rows, elements=st.integers(0, 6)))
    values = data.draw(
        arrays(
            np.float64,
            (n_rows, n_items),
            elements=st.one_of(st.just(np.nan), st.integers(1, 5).map(float)),
        )
    )
    groups = Groups.from_labels(labels)
    frame = pd.DataFrame(values).groupby(labels)
    np.testing.assert_allclose(groups.count(values), frame.count().to_numpy())
    np.testing.assert_allclose(groups.sum(values), frame.sum().to_numpy())
    np.testing.assert_allclose(groups.mean(values), frame.mean().to_numpy(), equal_nan=True)
    np.testing.assert_allclose(
        groups.var(values), frame.var(ddof=1).to_numpy(), equal_nan=True, atol=1e-12
    )
    assert groups.labels.tolist() == sorted(set(labels.tolist()))


def test_a_missing_group_label_names_its_row() -> None:
    with pytest.raises(ValueError, match="row 3"):
        Groups.from_labels(["a", "b", None])


def test_rows_must_match_the_grouping() -> None:
    with pytest.raises(ValueError, match="3 rows but the grouping has 2"):
        Groups.from_labels(["a", "b"]).mean([1.0, 2.0, 3.0])


@settings(max_examples=40, deadline=None)
@given(
    mask=st.integers(0, 12).flatmap(
        lambda k: arrays(bool, st.tuples(st.integers(0, 30), st.just(k)))
    )
)
def test_true_per_row_and_any_per_row_agree_with_numpy(mask: np.ndarray) -> None:
    counted = true_per_row(mask)
    assert counted.dtype == np.int64
    np.testing.assert_array_equal(counted, np.count_nonzero(mask, axis=1))
    np.testing.assert_array_equal(any_per_row(mask), mask.any(axis=1))
