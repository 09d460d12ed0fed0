"""The one set of label → code rules (vrijuit.stats._labels) and the edge cases of every caller:
the report's team and attribute columns, the disclosure lattice and the web app's attributes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vrijuit.stats._labels import label_codes, label_texts, text_categorical, text_codes
from vrijuit.stats.disclosure import CellKey, cells_for_report
from vrijuit.stats.instruments import Instrument, load_instrument
from vrijuit.stats.report import build_report

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)
MISSING = st.sampled_from([None, np.nan, pd.NA])
# Whole numbers and short texts, some of them a number's text ("1" and 1 are one label as text).
VALUES = st.one_of(st.integers(-3, 12), st.text(alphabet="ab1 ", max_size=3))
LABELS = st.lists(st.one_of(VALUES, MISSING), max_size=40)


def missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


@SETTINGS
@given(LABELS)
def test_text_codes_are_dense_sorted_and_equal_for_labels_that_read_the_same(
    labels: list[Any],
) -> None:
    codes, texts = text_codes(labels)
    m = len(texts)
    assert codes.dtype == np.int64 and codes.shape == (len(labels),)
    assert sorted(set(codes[codes >= 0].tolist())) == list(range(m))  # dense, every code used
    assert list(texts) == sorted(set(texts))  # sorted and distinct
    for label, code in zip(labels, codes.tolist(), strict=True):
        if missing(label):
            assert code == -1
        else:
            assert texts[code] == str(label)


@SETTINGS
@given(st.lists(st.one_of(st.integers(-3, 12), MISSING), max_size=40))
def test_label_codes_keep_the_callers_values_in_sorted_order(labels: list[Any]) -> None:
    codes, uniques = label_codes(labels, n_rows=len(labels), name="labels")
    assert sorted(set(codes[codes >= 0].tolist())) == list(range(len(uniques)))
    assert list(uniques) == sorted({v for v in labels if not missing(v)})
    for label, code in zip(labels, codes.tolist(), strict=True):
        assert code == -1 if missing(label) else uniques[code] == label


@SETTINGS
@given(
    st.lists(st.sampled_from(["phd", "postdoc", "prof", "10", "9"]), unique=True, min_size=1),
    st.data(),
)
def test_categorical_input_keeps_its_categories_and_gives_what_plain_labels_give(
    categories: list[str], data: st.DataObject
) -> None:
    rows = data.draw(st.lists(st.one_of(st.sampled_from(categories), st.none()), max_size=30))
    categorical = pd.Categorical(rows, categories=categories)
    codes, texts = text_codes(categorical)
    plain_codes, plain_texts = text_codes(rows)
    assert codes.tolist() == plain_codes.tolist() and texts.tolist() == plain_texts.tolist()
    assert text_codes(pd.Series(categorical))[0].tolist() == plain_codes.tolist()
    # label_codes: the declared order of the categories, only those that occur
    _, uniques = label_codes(categorical, n_rows=len(rows), name="levels")
    assert uniques.tolist() == [c for c in categories if c in rows]


def test_missing_values_are_none_nan_and_na_and_the_empty_text_is_a_label() -> None:
    codes, texts = text_codes(["", None, np.nan, pd.NA, "x"])
    assert codes.tolist() == [0, -1, -1, -1, 1] and texts.tolist() == ["", "x"]
    codes, texts = text_codes(pd.Series(["b", None, "a"], dtype="string"))
    assert codes.tolist() == [1, -1, 0]


def test_missing_as_text_keeps_one_label_for_every_kind_of_missing() -> None:
    codes, texts = text_codes(["b", None, np.nan], missing="text")
    assert texts.tolist() == ["b", "nan"] and codes.tolist() == [0, 1, 1]
    categorical = pd.Categorical(["b", None, "a"], categories=["a", "b", "z"])
    codes, texts = text_codes(categorical, missing="text")
    assert texts.tolist() == ["a", "b", "nan"] and codes.tolist() == [1, 2, 0]


def test_equal_values_with_different_texts_are_one_label() -> None:
    # pandas hashes 1 and 1.0 as one value: one label, named as it first occurs.
    codes, texts = text_codes([1, 1.0, "1"])
    assert codes.tolist() == [0, 0, 0] and texts.tolist() == ["1"]


def test_labels_must_be_one_dimensional() -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        text_codes(np.array([["a", "b"], ["c", "d"]], dtype=object))


def test_label_codes_refuse_a_wrong_number_of_rows() -> None:
    with pytest.raises(ValueError, match="3 rows but teams has 2"):
        label_codes(["a", "b"], n_rows=3, name="teams")


def test_text_categorical_indexes_the_sorted_texts() -> None:
    labels = text_categorical([3, "b", None, "3"])
    assert labels.codes.tolist() == [0, 1, -1, 0]
    assert labels.categories.tolist() == ["3", "b"]


def test_label_texts_blank_is_missing_only_when_asked() -> None:
    values = ["w", "", None, np.nan, 3, " "]
    assert label_texts(values, blank_is_missing=True).tolist() == ["w", None, None, None, "3", " "]
    assert label_texts(values, blank_is_missing=False).tolist() == ["w", "", None, None, "3", " "]


# -- the disclosure lattice (cells_for_report) ------------------------------------------------

TREE = {"org": None, "7": "org", "b": "org"}


def test_a_unit_given_as_number_or_text_is_one_unit_of_the_tree() -> None:
    lattice = cells_for_report([7, "7", "b"], TREE)
    assert lattice.cell(CellKey("unit", unit="7")).n == 2
    assert lattice.team_codes.tolist()[0] == lattice.team_codes.tolist()[1]


def test_attribute_values_that_read_the_same_are_one_cell() -> None:
    # Formerly refused ("read the same as text"); the report already merged them, and cells are
    # named by text, so they are one cell everywhere now.
    lattice = cells_for_report(["b", "b", "7"], TREE, {"contract": [1, "1", 2]})
    values = [(c.key.value, c.n) for c in lattice.cells if c.key.kind == "attribute"]
    assert values == [("1", 2), ("2", 1)]


def test_categories_no_respondent_has_give_no_cell_and_no_unknown_unit() -> None:
    teams = pd.Categorical(["7", "b"], categories=["7", "b", "ghost"])
    gender = pd.Categorical(["w", "m"], categories=["m", "w", "x"])
    lattice = cells_for_report(teams, TREE, {"gender": gender})
    assert [c.key.value for c in lattice.cells if c.key.kind == "attribute"] == ["m", "w"]
    assert lattice.cells == cells_for_report(["7", "b"], TREE, {"gender": ["w", "m"]}).cells


def test_a_missing_unit_is_refused_with_its_row() -> None:
    with pytest.raises(ValueError, match="respondent row 2 is missing"):
        cells_for_report(["b", np.nan], TREE)


# -- the report -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument("edmondson")


def answers(instrument: Instrument, teams: list[Any]) -> pd.DataFrame:
    """Answers with a clear team effect (so the ICC, and with it the design effect, is > 0)."""
    rng = np.random.default_rng(3)
    items = list(instrument.item_ids())
    shift = 2 * (np.array([int(str(t)) if str(t).isdigit() else 0 for t in teams]) % 3)
    noise = rng.integers(1, 4, size=(len(teams), len(items)))
    frame = pd.DataFrame(np.clip(noise + shift[:, np.newaxis], 1, 7), columns=items)
    frame["team"] = teams
    frame["gender"] = np.resize(["w", "m", "x"], len(teams))
    return frame


def test_a_report_is_the_same_for_teams_as_numbers_text_or_both(instrument: Instrument) -> None:
    numbers = np.repeat([1, 2, 3, 4], 15).tolist()
    texts = [str(t) for t in numbers]
    both = [t if i % 2 else str(t) for i, t in enumerate(numbers)]
    frames = [answers(instrument, teams) for teams in (numbers, texts, both)]
    reports = [build_report(f, instrument, by=("gender",)) for f in frames]
    assert reports[0].to_dict() == reports[1].to_dict() == reports[2].to_dict()
    assert [u.unit_id for u in reports[0].units][1:] == ["1", "2", "3", "4"]


def test_the_wave_trend_groups_teams_by_text_like_the_last_wave(instrument: Instrument) -> None:
    # Team 1 and team "1" in one earlier wave are one team, as they are in the last wave: the
    # design effect of the earlier wave's CI is computed over 4 teams, not 8.
    teams = np.repeat([1, 2, 3, 4], 15).tolist()
    mixed = [t if i % 2 else str(t) for i, t in enumerate(teams)]
    first, second = answers(instrument, teams), answers(instrument, teams)
    frames = [
        pd.concat([first.assign(wave="2025", team=labels), second.assign(wave="2026")])
        for labels in (teams, mixed)
    ]
    trends = [
        build_report(f.reset_index(drop=True), instrument, wave_column="wave").to_dict()[
            "organisation"
        ][0]["trend"]
        for f in frames
    ]
    assert trends[0] == trends[1]
    assert trends[0][0]["design_effect"] > 1.0


def test_a_categorical_attribute_gives_no_empty_value_in_the_report(
    instrument: Instrument,
) -> None:
    plain = answers(instrument, np.repeat(["a", "b", "c", "d"], 15).tolist())
    categorical = plain.assign(
        gender=pd.Categorical(plain["gender"], categories=["m", "w", "x", "unused"])
    )
    reports = [build_report(f, instrument, by=("gender",)).to_dict() for f in (plain, categorical)]
    assert reports[0] == reports[1]
    assert "attribute:gender=unused" not in str(reports[1])


def test_a_row_without_a_team_is_a_unit_of_its_own_in_a_flat_report(
    instrument: Instrument,
) -> None:
    teams: list[Any] = np.repeat(["a", "b", "c", "d"], 15).tolist()
    teams[:5] = [None] * 5
    report = build_report(answers(instrument, teams), instrument)
    assert report.n_respondents == 60  # nobody is dropped
    assert "nan" in [u.unit_id for u in report.units]
