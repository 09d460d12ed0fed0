"""Group labels (teams, attribute values) to integer codes: the one set of rules of the engine.

Every place that turns labels into codes — the report, the disclosure lattice, the gaps, trends
and leader statistics, the web app's results — uses this module, so a respondent lands in the
same group wherever the labels are read. The rules:

* **Codes.** ``codes[i]`` indexes the distinct labels: dense ``0 .. m − 1`` with every code in
  use, equal labels get equal codes, and **−1 means missing**.
* **Missing.** ``None``, NaN, NaT and ``pd.NA`` (what :func:`pandas.isna` calls missing) get
  code −1. The empty text ``""`` is a label like any other: the engine does not guess (its
  readers already turn empty cells into NaN). Only :func:`label_texts` can treat ``""`` as
  missing, for the web app, whose sealed attributes store ``""`` for "not declared".
* **Order.** The labels are sorted: by value in :func:`label_codes`, by text in
  :func:`text_codes`.
* **Values or text.** :func:`label_codes` keeps the caller's values (``1`` stays ``1``): the
  engine's public statistics (gaps, trends, leaders) report groups by the labels they were
  given. :func:`text_codes` compares labels as text (``str``), so ``1`` and ``"1"`` are one label
  ``"1"``: the report's cells are named by text (``attribute:gender=w``), and two labels with one
  name must be one cell, never two cells with the same id.
* **Categorical input** is not re-factorised: its own codes are used as they are (no value is
  compared, which is also the fast path for a million rows). Categories that no row has get no
  code, so a report never grows empty units or values because of a column's dtype. In
  :func:`label_codes` the categories keep their declared order (e.g. PhD < postdoc < professor);
  in :func:`text_codes` they are sorted by text like any other labels, so a lattice does not
  depend on whether a column was categorical.

Labels that are equal as values but differ in text, such as ``1`` and ``1.0``, are one label
(pandas hashes them as one); its text is that of the first occurrence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.stats.groups import Groups

__all__ = ["dense_groups", "label_codes", "label_texts", "text_categorical", "text_codes"]

IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]


def label_codes(labels: Any, *, n_rows: int, name: str) -> tuple[IntArray, npt.NDArray[Any]]:
    """Codes (−1 = missing) and the sorted distinct labels, as the caller's values.

    A :class:`Groups` is taken as it is (already factorised by the caller). ``pandas.factorize``
    runs on the column as given: a pandas string column stays a string column, which factorises
    several times faster than an object array.

    >>> codes, uniques = label_codes(["b", None, "a", "b"], n_rows=4, name="teams")
    >>> codes.tolist(), uniques.tolist()
    ([1, -1, 0, 1], ['a', 'b'])
    >>> levels = pd.Categorical(["prof", "phd"], categories=["phd", "postdoc", "prof"])
    >>> label_codes(levels, n_rows=2, name="levels")[1].tolist()  # declared order, used only
    ['phd', 'prof']
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


def _one_dimensional(labels: Any) -> Any:
    """``labels`` as something ``pandas.factorize`` takes without copying a pandas column."""
    if isinstance(labels, pd.Series) and isinstance(labels.dtype, pd.CategoricalDtype):
        return labels.array
    if isinstance(labels, pd.Categorical):
        return labels
    if not isinstance(labels, np.ndarray | pd.Series | pd.Index):
        labels = pd.Series(list(labels), dtype=object)
    if np.ndim(labels) != 1:
        raise ValueError(f"labels must be one-dimensional, got shape {np.shape(labels)}.")
    return labels


def text_codes(
    labels: Any, *, missing: Literal["code", "text"] = "code"
) -> tuple[IntArray, ObjectArray]:
    """Codes into the sorted distinct labels as text; labels that read the same are one label.

    Each distinct value is turned into text once, not each row. ``missing="text"`` keeps a
    missing value as its text (``"nan"``; ``"<NA>"`` in a ``string`` column), as ``astype(str)``
    does; only the report's team column asks for it (see ``report._labels``).

    >>> codes, texts = text_codes([1, "1", None, "a"])
    >>> codes.tolist(), texts.tolist()
    ([0, 0, -1, 1], ['1', 'a'])
    >>> text_codes(["b", None], missing="text")[1].tolist()
    ['b', 'nan']
    """
    values = _one_dimensional(labels)
    if isinstance(values, pd.Categorical):
        codes = np.asarray(values.codes, dtype=np.int64)
        uniques = np.asarray(values.categories, dtype=object)
        if missing == "text" and (codes < 0).any():
            uniques = np.append(uniques, np.array([np.nan], dtype=object))
            codes = np.where(codes < 0, uniques.shape[0] - 1, codes)
        used = np.bincount(codes[codes >= 0], minlength=uniques.shape[0]) > 0
        if not used.all():  # categories no row has get no code
            codes = np.append(np.cumsum(used) - 1, -1)[codes]
            uniques = uniques[used]
    else:
        raw_codes, raw_uniques = pd.factorize(values, use_na_sentinel=missing == "code")
        codes = np.asarray(raw_codes, dtype=np.int64)
        uniques = np.asarray(raw_uniques, dtype=object)
    texts = np.array([str(u) for u in uniques], dtype=object)
    merged, distinct = pd.factorize(texts, sort=True)
    remap = np.append(merged, -1).astype(np.int64)  # code −1 (missing) stays −1
    return remap[codes], np.asarray(distinct, dtype=object)


def text_categorical(labels: Any, *, missing: Literal["code", "text"] = "code") -> pd.Categorical:
    """:func:`text_codes` as a categorical (codes into the sorted texts, −1 for missing).

    >>> text_categorical(["b", None, "a"]).codes.tolist()
    [1, -1, 0]
    """
    codes, texts = text_codes(labels, missing=missing)
    return pd.Categorical.from_codes(codes, categories=pd.Index(texts, dtype=object))


def label_texts(values: Sequence[Any], *, blank_is_missing: bool) -> ObjectArray:
    """Each value as text, ``None`` where it is missing (and where it is ``""``, if asked).

    For labels that are stored, not computed (the web app's sealed attributes): the engine then
    reads text only, and :func:`text_codes` finds the same groups in every later step.

    >>> label_texts(["w", "", None, 3], blank_is_missing=True).tolist()
    ['w', None, None, '3']
    """
    return np.asarray(
        [None if _missing(v) or (blank_is_missing and v == "") else str(v) for v in values],
        dtype=object,
    )


def _missing(value: Any) -> bool:
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def dense_groups(codes: IntArray, uniques: npt.NDArray[Any]) -> Groups:
    """A :class:`Groups` of the rows' codes (none −1), keeping only the labels that occur."""
    present = np.bincount(codes, minlength=uniques.shape[0]) > 0
    remap = np.cumsum(present) - 1
    return Groups(codes=remap[codes].astype(np.int64), labels=uniques[present])
