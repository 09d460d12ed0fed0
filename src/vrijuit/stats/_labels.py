"""Team and group labels to integer codes, once per call and fast for a million rows.

``pandas.factorize`` on the column as given (a pandas string column stays a string column, which
factorises several times faster than an object array); missing labels get code −1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.stats.groups import Groups

__all__ = ["dense_groups", "label_codes"]

IntArray = npt.NDArray[np.int64]


def label_codes(labels: Any, *, n_rows: int, name: str) -> tuple[IntArray, npt.NDArray[Any]]:
    """Codes (−1 = missing) and the sorted distinct labels.

    >>> codes, uniques = label_codes(["b", None, "a", "b"], n_rows=4, name="teams")
    >>> codes.tolist(), uniques.tolist()
    ([1, -1, 0, 1], ['a', 'b'])
    """
    if isinstance(labels, Groups):
        codes, uniques = labels.codes, labels.labels
    else:
        series = labels if isinstance(labels, pd.Series) else pd.Series(labels)
        raw_codes, raw_uniques = pd.factorize(series, sort=True)
        codes, uniques = raw_codes.astype(np.int64), np.asarray(raw_uniques, dtype=object)
    if codes.shape[0] != n_rows:
        raise ValueError(f"the scores have {n_rows} rows but {name} has {codes.shape[0]}.")
    return codes, uniques


def dense_groups(codes: IntArray, uniques: npt.NDArray[Any]) -> Groups:
    """A :class:`Groups` of the rows' codes (none −1), keeping only the labels that occur."""
    present = np.bincount(codes, minlength=uniques.shape[0]) > 0
    remap = np.cumsum(present) - 1
    return Groups(codes=remap[codes].astype(np.int64), labels=uniques[present])
