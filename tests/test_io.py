"""Importing survey exports: exact values back, and every bad input named by file, row, column,
value and expectation, in English and Dutch.

Oracles: the data the test itself wrote (round trips through CSV, XLSX and .sav written by
pandas, openpyxl and pyreadstat), the fixtures' documented contents (tests/fixtures/io/README.md),
and row numbers counted by hand in the files.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vrijuit.stats.instruments import Instrument, load_instrument
from vrijuit.stats.io import (
    ColumnMapping,
    ResponseFileError,
    RowProblem,
    read_responses,
)

FIXTURES = Path(__file__).parent / "fixtures" / "io"
ITEMS = [f"PS{i}" for i in range(1, 8)]
HEADER = "respondent_id,team," + ",".join(ITEMS)


@pytest.fixture(scope="module")
def edmondson() -> Instrument:
    return load_instrument("edmondson")


def write(tmp_path: Path, text: str, name: str = "export.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def bad_rows(path: Path, instrument: Instrument, **kwargs: object) -> ResponseFileError:
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, instrument=instrument, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == "io.file.bad_rows"
    return caught.value


def sample_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    values = rng.integers(1, 8, size=(12, 7)).astype(float)
    values[rng.random(values.shape) < 0.15] = np.nan
    frame = pd.DataFrame(values, columns=ITEMS)
    frame.insert(0, "team", [f"T{i % 3}" for i in range(12)])
    frame.insert(0, "respondent_id", [f"{i:03d}" for i in range(12)])
    return frame


def assert_same_responses(imported: pd.DataFrame, original: pd.DataFrame) -> None:
    assert list(imported.columns) == list(original.columns)
    assert imported["respondent_id"].tolist() == original["respondent_id"].tolist()
    assert imported["team"].tolist() == original["team"].tolist()
    np.testing.assert_array_equal(imported[ITEMS].to_numpy(), original[ITEMS].to_numpy())


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sep", "encoding"), [(",", "utf-8"), (";", "utf-8"), (";", "utf-8-sig"), ("\t", "utf-8")]
)
def test_csv_with_any_delimiter_and_bom_reads_back_the_same_responses(
    tmp_path: Path, edmondson: Instrument, sep: str, encoding: str
) -> None:
    original = sample_frame()
    path = tmp_path / "export.csv"
    original.to_csv(path, sep=sep, index=False, encoding=encoding)
    result = read_responses(path, instrument=edmondson)
    assert_same_responses(result.data, original)
    assert result.rows.tolist() == list(range(2, 14))
    assert result.excluded == () and result.warnings == ()


def test_xlsx_and_sav_read_back_the_same_responses(tmp_path: Path, edmondson: Instrument) -> None:
    original = sample_frame()
    original.to_excel(tmp_path / "export.xlsx", index=False, sheet_name="Data")
    pyreadstat.write_sav(original, str(tmp_path / "export.sav"))
    from_xlsx = read_responses(tmp_path / "export.xlsx", instrument=edmondson)
    from_sav = read_responses(tmp_path / "export.sav", instrument=edmondson)
    assert_same_responses(from_xlsx.data, original)
    assert_same_responses(from_sav.data, original)
    assert from_xlsx.rows.tolist() == list(range(2, 14))  # Excel rows under the header
    assert from_sav.rows.tolist() == list(range(1, 13))  # SPSS case numbers


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answers=st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 7)), min_size=7, max_size=7),
        min_size=1,
        max_size=30,
    ),
    teams=st.lists(st.text(string.ascii_letters + " éëï-", min_size=1, max_size=8), min_size=1),
    sep=st.sampled_from([",", ";", "\t"]),
)
def test_any_valid_csv_imports_exactly_its_values_and_loses_no_row(
    tmp_path: Path,
    edmondson: Instrument,
    answers: list[list[int | None]],
    teams: list[str],
    sep: str,
) -> None:
    teams = [t for t in teams if t.strip()] or ["A"]
    frame = pd.DataFrame(
        np.array([[np.nan if v is None else v for v in row] for row in answers], dtype=float),
        columns=ITEMS,
    )
    frame.insert(0, "team", [teams[i % len(teams)].strip() for i in range(len(answers))])
    frame.insert(0, "respondent_id", [f"id{i}" for i in range(len(answers))])
    path = tmp_path / "random.csv"
    frame.to_csv(path, sep=sep, index=False)
    result = read_responses(path, instrument=edmondson, on_bad_rows="exclude")
    assert len(result.data) + len(result.excluded_rows) == len(answers)
    assert_same_responses(result.data, frame)


# --- survey tools' exports --------------------------------------------------------------------


def test_qualtrics_export_skips_its_two_extra_header_rows_and_maps_columns(
    edmondson: Instrument,
) -> None:
    result = read_responses(
        FIXTURES / "qualtrics_export.csv",
        instrument=edmondson,
        mapping=FIXTURES / "qualtrics_mapping.yaml",
    )
    data = result.data
    assert data["respondent_id"].tolist() == [
        "R_1a2B3c4D5e6F7g8",
        "R_2b3C4d5E6f7G8h9",
        "R_3c4D5e6F7g8H9i0",
    ]
    assert data["team"].tolist() == ["Onderzoek", "Onderzoek", "Onderwijs"]
    expected = np.array(
        [[2, 6, 1, 5, 3, 6, 7], [1, 7, np.nan, 6, 2, 7, 6], [3, 5, 2, 4, 4, np.nan, 5]]
    )  # -99 (seen, not answered) and the empty cell are missing
    np.testing.assert_array_equal(data[ITEMS].to_numpy(), expected)
    assert result.rows.tolist() == [4, 5, 6]  # header, question text, ImportId, then answers
    messages = [w.message("en") for w in result.warnings]
    assert any("IPAddress, LocationLatitude, LocationLongitude" in m for m in messages)
    assert any("StartDate" in m and "not imported" in m for m in messages)


def test_limesurvey_export_maps_bracketed_codes_and_answer_codes(edmondson: Instrument) -> None:
    result = read_responses(
        FIXTURES / "limesurvey_export.csv",
        instrument=edmondson,
        mapping=FIXTURES / "limesurvey_mapping.yaml",
    )
    assert result.data["respondent_id"].tolist() == ["1", "2", "3"]
    expected = np.array(
        [[2, 6, 1, 5, 3, 6, 7], [1, 7, np.nan, 6, 2, 7, 6], [3, 5, 2, np.nan, 4, 4, 5]]
    )
    np.testing.assert_array_equal(result.data[ITEMS].to_numpy(), expected)
    assert "ipaddr" in " ".join(w.message("en") for w in result.warnings)


def test_xlsx_sheet_is_chosen_by_name_and_labels_become_numbers(edmondson: Instrument) -> None:
    result = read_responses(FIXTURES / "responses.xlsx", instrument=edmondson, sheet="Antwoorden")
    assert result.data["respondent_id"].tolist() == ["007", "008", "009"]  # leading zeros kept
    np.testing.assert_array_equal(result.data["PS1"].to_numpy(), [2, 2, np.nan])  # "Mee oneens"
    np.testing.assert_array_equal(result.data["PS3"].to_numpy(), [1, np.nan, 2])  # liever niet
    np.testing.assert_array_equal(result.data["PS7"].to_numpy(), [7, 6, 7])  # "Strongly agree"


def test_sav_value_labels_and_user_missing_values_become_missing(edmondson: Instrument) -> None:
    result = read_responses(FIXTURES / "responses.sav", instrument=edmondson)
    # PS1 = 8 is labelled "Zeg ik liever niet"; PS2 = 9 is declared user-missing in SPSS.
    np.testing.assert_array_equal(result.data["PS1"].to_numpy(), [2, 1, np.nan, 3])
    np.testing.assert_array_equal(result.data["PS2"].to_numpy(), [6, 7, 5, np.nan])
    assert result.data["team"].tolist() == ["10", "10", "20", "20"]


def test_cp1252_file_reads_correctly_when_its_encoding_is_named(edmondson: Instrument) -> None:
    result = read_responses(FIXTURES / "cp1252_export.csv", instrument=edmondson, encoding="cp1252")
    assert result.data["team"].tolist() == ["Bèta Zoë", "Alfa"]
    np.testing.assert_array_equal(
        result.data[ITEMS].to_numpy(), [[1, 2, 3, 4, 5, 6, 7], [7, 2, np.nan, 4, 5, 6, 7]]
    )


# --- file-level errors ------------------------------------------------------------------------


def test_wrong_encoding_names_row_byte_and_suggests_cp1252(edmondson: Instrument) -> None:
    with pytest.raises(ResponseFileError) as caught:
        read_responses(FIXTURES / "cp1252_export.csv", instrument=edmondson)
    error = caught.value
    assert (error.code, error.row, error.value) == ("io.file.encoding", 2, "e8 74 61 20")
    assert error.params["offset"] == 52
    assert "row 2, character 5 (byte 52)" in error.message("en")
    assert "--encoding cp1252" in error.message("en")
    assert "rij 2, teken 5 (byte 52)" in error.message("nl")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "io.file.empty"),
        ("  \n\n", "io.file.empty"),
        (HEADER + "\n", "io.file.header_only"),
        (HEADER + "\n,,,,,,,,\n\n", "io.file.header_only"),
    ],
)
def test_empty_and_header_only_files_are_file_errors(
    tmp_path: Path, edmondson: Instrument, text: str, code: str
) -> None:
    with pytest.raises(ResponseFileError) as caught:
        read_responses(write(tmp_path, text, "x.csv"), instrument=edmondson)
    assert caught.value.code == code
    assert str(tmp_path / "x.csv") in caught.value.message("nl")


def test_fixture_empty_and_header_only_files(edmondson: Instrument) -> None:
    for name, code in [("empty.csv", "io.file.empty"), ("header_only.csv", "io.file.header_only")]:
        with pytest.raises(ResponseFileError, match=r"empty|no responses") as caught:
            read_responses(FIXTURES / name, instrument=edmondson)
        assert caught.value.code == code


def test_missing_columns_are_listed_with_what_was_found_and_close_matches(
    tmp_path: Path, edmondson: Instrument
) -> None:
    text = "respondent_id,Team,PS1,PS2,PS3,PS4,PS5,PS_6\nr1,A,1,2,3,4,5,6\n"
    with pytest.raises(ResponseFileError) as caught:
        read_responses(write(tmp_path, text), instrument=edmondson)
    error = caught.value
    assert error.code == "io.file.missing_columns"
    assert error.params["missing"] == "team, PS6, PS7"
    assert error.params["found"] == "respondent_id, Team, PS1, PS2, PS3, PS4, PS5, PS_6"
    assert error.params["suggestions"] == "team ← Team; PS6 ← PS_6"
    assert "required column(s) missing: team, PS6, PS7" in error.message("en")
    assert "verplichte kolom(men) ontbreken: team, PS6, PS7" in error.message("nl")


def test_unknown_columns_stop_the_import_unless_the_mapping_ignores_them(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(tmp_path, HEADER + ",Opmerking,Leeftijd\nr1,A,1,2,3,4,5,6,7,hoi,40\n")
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, instrument=edmondson)
    assert caught.value.code == "io.file.unknown_columns"
    assert "2 column(s) match nothing" in str(caught.value)
    assert "Opmerking, Leeftijd" in caught.value.message("nl")

    ignoring = ColumnMapping.from_dict({"unknown_columns": "ignore"})
    result = read_responses(path, instrument=edmondson, mapping=ignoring)
    assert [w.message("en") for w in result.warnings] == [
        f"{path}: 2 column(s) not imported: Opmerking, Leeftijd."
    ]
    listed = ColumnMapping.from_dict({"ignore_columns": ["Opmerking", "Leeftijd"]})
    warned = read_responses(path, instrument=edmondson, mapping=listed).warnings
    assert "niet geïmporteerd: Opmerking, Leeftijd" in warned[0].message("nl")


def test_missing_sheet_lists_the_sheets_there_are(edmondson: Instrument) -> None:
    with pytest.raises(ResponseFileError) as caught:
        read_responses(FIXTURES / "responses.xlsx", instrument=edmondson, sheet="Blad1")
    assert caught.value.code == "io.file.sheet_missing"
    assert "has no sheet 'Blad1'; the sheets are: Info, Antwoorden." in str(caught.value)
    assert "heeft geen tabblad 'Blad1'" in caught.value.message("nl")


def test_first_sheet_without_the_columns_reports_them_missing(edmondson: Instrument) -> None:
    with pytest.raises(ResponseFileError, match="Columns found: Over dit bestand"):
        read_responses(FIXTURES / "responses.xlsx", instrument=edmondson)


def test_ragged_row_names_its_row(tmp_path: Path, edmondson: Instrument) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,1,2,3,4,5,6,7\nr2,A,1,2,3,4,5,6,7,8\n")
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, instrument=edmondson)
    assert (caught.value.code, caught.value.row) == ("io.file.ragged_row", 3)
    assert "row 3: this row has 10 fields but the header has 9" in str(caught.value)
    assert "rij 3: deze rij heeft 10 velden maar de kopregel heeft er 9" in caught.value.message(
        "nl"
    )


def test_duplicate_header_and_two_columns_for_one_item_are_file_errors(
    tmp_path: Path, edmondson: Instrument
) -> None:
    doubled = write(tmp_path, HEADER + ",PS7\nr1,A,1,2,3,4,5,6,7,7\n")
    with pytest.raises(ResponseFileError, match="'PS7' appears twice \\(columns 9 and 10\\)"):
        read_responses(doubled, instrument=edmondson)
    both = write(tmp_path, HEADER + ",Q7\nr1,A,1,2,3,4,5,6,7,7\n", "both.csv")
    with pytest.raises(ResponseFileError, match="'PS7' and 'Q7' both map to 'PS7'"):
        read_responses(both, instrument=edmondson, mapping=ColumnMapping(columns={"Q7": "PS7"}))


def test_unsupported_and_missing_files_are_named(tmp_path: Path, edmondson: Instrument) -> None:
    with pytest.raises(ResponseFileError, match=r"files ending in '\.json' cannot be imported"):
        read_responses(write(tmp_path, "{}", "x.json"), instrument=edmondson)
    with pytest.raises(ResponseFileError, match=r"nope\.csv does not exist"):
        read_responses(tmp_path / "nope.csv", instrument=edmondson)


# --- row-level problems -----------------------------------------------------------------------


def test_out_of_range_value_names_file_row_column_value_and_range(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,1,2,3,4,5,6,7\nr2,A,1,2,8,4,5,6,7\n")
    error = bad_rows(path, edmondson)
    [problem] = error.problems
    assert (problem.row, problem.column, problem.value) == (3, "PS3", "8")
    assert problem.message("en") == (
        f"{path}, row 3, column 'PS3': '8' is out of range; expected a whole number from 1 to 7."
    )
    assert problem.message("nl") == (
        f"{path}, rij 3, kolom 'PS3': '8' valt buiten het bereik; "
        "verwacht: een heel getal van 1 tot en met 7."
    )


def test_fractions_and_zero_are_out_of_range(tmp_path: Path, edmondson: Instrument) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,1,2,3.5,4,5,6,0\n")
    problems = bad_rows(path, edmondson).problems
    assert [(p.column, p.value, p.code) for p in problems] == [
        ("PS3", "3.5", "io.row.out_of_range"),
        ("PS7", "0", "io.row.out_of_range"),
    ]


def test_text_where_a_number_was_expected_names_the_value(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,1,2,3,4,5,6,7\nr2,A,veel,2,3,4,5,6,7\n")
    [problem] = bad_rows(path, edmondson).problems
    assert (problem.code, problem.row, problem.column, problem.value) == (
        "io.row.unknown_answer",
        3,
        "PS1",
        "veel",
    )
    assert "'veel' is not an answer we recognise; expected a whole number from 1 to 7" in (
        problem.message("en")
    )
    assert "Strongly disagree, Disagree" in problem.message("en")
    assert "'veel' is geen antwoord dat we herkennen" in problem.message("nl")
    assert "Helemaal mee oneens, Mee oneens" in problem.message("nl")


def test_unknown_answer_label_is_a_row_problem(tmp_path: Path, edmondson: Instrument) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,Mee eens,Beetje eens,3,4,5,6,7\n")
    [problem] = bad_rows(path, edmondson).problems
    assert (problem.row, problem.column, problem.value) == (2, "PS2", "Beetje eens")
    assert problem.message("en").startswith(
        f"{path}, row 2, column 'PS2': 'Beetje eens' is not an answer we recognise;"
    )
    assert problem.message("nl").startswith(
        f"{path}, rij 2, kolom 'PS2': 'Beetje eens' is geen antwoord dat we herkennen;"
    )


def test_labels_in_either_language_and_prefer_not_to_say_are_accepted(
    tmp_path: Path, edmondson: Instrument
) -> None:
    text = (
        HEADER + "\nr1,A,helemaal mee eens, Agree ,Zeg ik liever niet,Prefer not to say,,4,"
        "Niet mee eens en niet mee oneens\n"
    )
    result = read_responses(write(tmp_path, text), instrument=edmondson)
    np.testing.assert_array_equal(result.data[ITEMS].to_numpy(), [[7, 6] + [np.nan] * 3 + [4, 4]])


def test_duplicate_respondent_ids_name_both_rows(tmp_path: Path, edmondson: Instrument) -> None:
    path = write(
        tmp_path, HEADER + "\nr1,A,1,2,3,4,5,6,7\nr2,A,1,2,3,4,5,6,7\nr1,B,1,1,1,1,1,1,1\n"
    )
    problems = bad_rows(path, edmondson).problems
    assert [(p.row, p.other_rows, p.value) for p in problems] == [(2, (4,), "r1"), (4, (2,), "r1")]
    assert "respondent id 'r1' also appears on row 4" in problems[0].message("en")
    assert "respondent-id 'r1' staat ook in rij 2" in problems[1].message("nl")


def test_missing_team_and_missing_id_are_row_problems(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(tmp_path, HEADER + "\nr1,,1,2,3,4,5,6,7\n,A,1,2,3,4,5,6,7\n")
    problems = bad_rows(path, edmondson).problems
    assert [(p.code, p.row, p.column) for p in problems] == [
        ("io.row.missing_team", 2, "team"),
        ("io.row.missing_respondent_id", 3, "respondent_id"),
    ]
    assert "row 2, column 'team': the team is empty" in problems[0].message("en")
    assert "rij 3, kolom 'respondent_id': de respondent-id is leeg" in problems[1].message("nl")


def test_every_problem_is_found_and_the_message_lists_twenty_with_the_count(
    tmp_path: Path, edmondson: Instrument
) -> None:
    lines = [f"r{i},A,9,2,3,4,5,6,7" for i in range(30)]
    path = write(tmp_path, HEADER + "\n" + "\n".join(lines) + "\n")
    error = bad_rows(path, edmondson)
    assert len(error.problems) == 30
    assert [p.row for p in error.problems] == list(range(2, 32))
    english = str(error)
    assert english.startswith(f"{path}: 30 problem(s) on 30 row(s); nothing was imported.")
    assert "row 21," in english and "row 22," not in english
    assert english.endswith("… and 10 more problem(s).")
    assert error.message("nl").endswith("… en nog 10 probleem/problemen.")


def test_excluding_bad_rows_reports_each_one_and_keeps_the_rest(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(
        tmp_path,
        HEADER
        + "\nr1,A,1,2,3,4,5,6,7\nr2,,1,2,3,4,5,6,77\nr3,B,7,7,7,7,7,7,7\nr4,B,x,2,3,4,5,6,7\n",
    )
    result = read_responses(path, instrument=edmondson, on_bad_rows="exclude")
    assert result.data["respondent_id"].tolist() == ["r1", "r3"]
    assert result.rows.tolist() == [2, 4]
    assert [(p.row, p.column, p.value) for p in result.excluded] == [
        (3, "team", ""),
        (3, "PS7", "77"),
        (5, "PS1", "x"),
    ]
    assert result.excluded_rows == (3, 5)
    assert len(result.data) + len(result.excluded_rows) == 4


def test_empty_lines_are_skipped_with_a_warning_and_rows_keep_their_numbers(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,1,2,3,4,5,6,7\n\n,,,,,,,,\nr2,A,1,2,3,4,5,6,99\n")
    error = bad_rows(path, edmondson)
    assert error.problems[0].row == 5
    result = read_responses(path, instrument=edmondson, on_bad_rows="exclude")
    assert result.warnings[0].message("en") == f"{path}: skipped 2 empty row(s): 3, 4."


def test_rows_are_counted_past_qualtrics_header_rows_in_errors(
    tmp_path: Path, edmondson: Instrument
) -> None:
    text = (
        (FIXTURES / "qualtrics_export.csv").read_text("utf-8-sig").replace(",1,7,-99,", ",1,9,-99,")
    )
    path = write(tmp_path, text)
    error = bad_rows(path, edmondson, mapping=FIXTURES / "qualtrics_mapping.yaml")
    [problem] = error.problems
    assert (problem.row, problem.column, problem.value) == (5, "Q1_2", "9")


def test_wave_and_attributes_are_kept_as_text_and_a_missing_wave_is_a_problem(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(
        tmp_path,
        "id,afdeling,ronde,gender,PS1,PS2,PS3,PS4,PS5,PS6,PS7\n"
        "007,A,2024,woman,1,2,3,4,5,6,7\n008,A,,,1,2,3,4,5,6,7\n",
    )
    kwargs = {"id_column": "id", "team_column": "afdeling", "wave_column": "ronde"}
    result = read_responses(
        path, instrument=edmondson, attribute_columns=["gender"], on_bad_rows="exclude", **kwargs
    )
    assert list(result.data.columns[:4]) == ["respondent_id", "team", "wave", "gender"]
    assert result.data.iloc[0, :4].tolist() == ["007", "A", "2024", "woman"]
    assert [(p.code, p.row, p.column) for p in result.excluded] == [
        ("io.row.missing_wave", 3, "ronde")
    ]


def test_without_an_id_column_the_row_numbers_become_ids(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(tmp_path, "team," + ",".join(ITEMS) + "\nA,1,2,3,4,5,6,7\nB,1,2,3,4,5,6,7\n")
    result = read_responses(path, instrument=edmondson, id_column=None)
    assert result.data["respondent_id"].tolist() == ["row-2", "row-3"]


def test_errors_keep_their_structured_fields_for_the_web_app(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,1,2,3,4,5,6,8\n")
    payload = bad_rows(path, edmondson).to_dict()
    assert payload["code"] == "io.file.bad_rows"
    problem = payload["problems"][0]
    assert {k: problem[k] for k in ("file", "row", "column", "value", "code")} == {
        "file": str(path),
        "row": 2,
        "column": "PS7",
        "value": "8",
        "code": "io.row.out_of_range",
    }
    assert problem["expected"] == {
        "key": "io.expected.whole_number",
        "params": {"low": "1", "high": "7"},
    }
    restored = RowProblem(
        **{**problem, "expected": bad_rows(path, edmondson).problems[0].expected, "other_rows": ()}
    )
    assert restored.message("nl").endswith("verwacht: een heel getal van 1 tot en met 7.")


# --- mappings ---------------------------------------------------------------------------------


def test_mapping_answers_and_missing_codes_apply_to_numbers_and_text(
    tmp_path: Path, edmondson: Instrument
) -> None:
    mapping = ColumnMapping.from_dict(
        {"answers": {"Heel erg mee eens": 7, "-1": None}, "missing": ["weet niet", 0]}
    )
    path = write(
        tmp_path, HEADER + "\nr1,A,Heel erg mee eens,-1,0,Weet niet,5,6,7\nr2,A,1,2,3,4,5,6,0\n"
    )
    result = read_responses(path, instrument=edmondson, mapping=mapping)
    np.testing.assert_array_equal(
        result.data[ITEMS].to_numpy(),
        [[7, np.nan, np.nan, np.nan, 5, 6, 7], [1, 2, 3, 4, 5, 6, np.nan]],
    )


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("colums: {}\n", "unknown key 'colums' (did you mean 'columns'?)"),
        ("columns: [PS1]\n", "at 'columns': ['PS1'] is not allowed here; expected a mapping"),
        (
            "answers: {Eens: veel}\n",
            "at 'answers.Eens': 'veel' is not allowed here; expected a number",
        ),
        ("preset: surveymonkey\n", "expected one of qualtrics, limesurvey"),
        ("answer_code_pattern: 'A(\\d'\n", "expected a regular expression with exactly one group"),
        ("unknown_columns: skip\n", "expected one of error, ignore"),
        ("extra_header_rows: -1\n", "expected a number of rows"),
        ("columns: {a: b\n", "line 2: this is not valid YAML"),
        ("- columns\n", "at '(top)': ['columns'] is not allowed here; expected a mapping"),
        ("columns: {Q1: 5}\n", "at 'columns.Q1': 5 is not allowed here; expected a column name"),
        ("missing: {a: b}\n", "at 'missing': {'a': 'b'} is not allowed here; expected a list"),
    ],
)
def test_mapping_file_errors_name_the_file_and_the_key(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    path = write(tmp_path, yaml_text, "mapping.yaml")
    with pytest.raises(ResponseFileError) as caught:
        ColumnMapping.from_file(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)
    assert caught.value.message("nl").startswith(str(path))


def test_presets_load_by_name_and_unknown_preset_is_refused() -> None:
    assert ColumnMapping.resolve("qualtrics").columns == {"ResponseId": "respondent_id"}
    assert ColumnMapping.resolve(None) == ColumnMapping()
    with pytest.raises(ValueError, match="unknown preset 'spss'"):
        ColumnMapping.preset("spss")


def test_unknown_scale_and_bad_option_are_developer_errors(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,1,2,3,4,5,6,7\n")
    with pytest.raises(ValueError, match="unknown scale id"):
        read_responses(path, instrument=edmondson, scales=["nope"])
    with pytest.raises(ValueError, match="on_bad_rows must be one of"):
        read_responses(path, instrument=edmondson, on_bad_rows="drop")  # type: ignore[arg-type]


# --- more readers and encodings ---------------------------------------------------------------


def test_qualtrics_xlsx_export_has_its_extra_rows_detected_too(
    tmp_path: Path, edmondson: Instrument
) -> None:
    raw = pd.read_csv(
        FIXTURES / "qualtrics_export.csv", header=None, dtype=str, encoding="utf-8-sig"
    )
    raw.to_excel(tmp_path / "qualtrics.xlsx", header=False, index=False)
    result = read_responses(
        tmp_path / "qualtrics.xlsx",
        instrument=edmondson,
        mapping=FIXTURES / "qualtrics_mapping.yaml",
    )
    assert result.rows.tolist() == [4, 5, 6]
    np.testing.assert_array_equal(result.data["PS3"].to_numpy(), [1, np.nan, 2])
    assert "IPAddress" not in result.data.columns


def test_utf16_with_byte_order_mark_is_read_as_excel_unicode_text(
    tmp_path: Path, edmondson: Instrument
) -> None:
    text = "respondent_id\tteam\t" + "\t".join(ITEMS) + "\nr1\tBèta\t1\t2\t3\t4\t5\t6\t7\n"
    path = write(tmp_path, text, "unicode.txt", encoding="utf-16")
    assert read_responses(path, instrument=edmondson).data["team"].tolist() == ["Bèta"]


def test_bad_byte_far_into_a_large_file_is_located(tmp_path: Path, edmondson: Instrument) -> None:
    lines = [f"r{i},Alfa,1,2,3,4,5,6,7" for i in range(4000)]  # well past the sniffed head
    lines[3500] = "r3500,Bèta,1,2,3,4,5,6,7"
    path = write(tmp_path, HEADER + "\n" + "\n".join(lines) + "\n", encoding="cp1252")
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, instrument=edmondson)
    assert (caught.value.code, caught.value.row, caught.value.params["position"]) == (
        "io.file.encoding",
        3502,
        8,
    )
    fine = read_responses(path, instrument=edmondson, encoding="cp1252")
    assert fine.data["team"].iloc[3500] == "Bèta"


def test_unknown_encoding_name_is_a_file_error(tmp_path: Path, edmondson: Instrument) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,1,2,3,4,5,6,7\n")
    with pytest.raises(ResponseFileError, match="'klingon' is not an encoding"):
        read_responses(path, instrument=edmondson, encoding="klingon")


@pytest.mark.parametrize("name", ["broken.xlsx", "broken.sav"])
def test_damaged_binary_files_are_unreadable_file_errors(
    tmp_path: Path, edmondson: Instrument, name: str
) -> None:
    path = write(tmp_path, "this is not a spreadsheet", name)
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, instrument=edmondson)
    assert caught.value.code == "io.file.unreadable"
    assert caught.value.message("nl").startswith(f"{path} kan niet worden gelezen")


def test_xlsx_row_problems_use_excel_row_numbers(tmp_path: Path, edmondson: Instrument) -> None:
    frame = sample_frame()
    frame.loc[4, "PS2"] = 12.0
    frame["PS5"] = frame["PS5"].astype(object)
    frame.loc[6, "PS5"] = "soms"
    frame.to_excel(tmp_path / "bad.xlsx", index=False)
    problems = bad_rows(tmp_path / "bad.xlsx", edmondson).problems
    assert [(p.row, p.column, p.value, p.code) for p in problems] == [
        (6, "PS2", "12", "io.row.out_of_range"),
        (8, "PS5", "soms", "io.row.unknown_answer"),
    ]


def test_yes_no_items_accept_their_labels_and_refuse_two(
    tmp_path: Path,
) -> None:
    vrijuit = load_instrument("vrijuit")
    header = "respondent_id,team,VB1,VB2,VB3"
    path = write(tmp_path, header + "\nr1,A,Ja,No,1\nr2,A,0,yes,2\n")
    error = bad_rows(path, vrijuit, scales=["voice_behaviour"])
    [problem] = error.problems
    assert (problem.row, problem.column, problem.value) == (3, "VB3", "2")
    assert problem.expected.text("en") == "a whole number from 0 to 1"
    ok = write(tmp_path, header + "\nr1,A,Ja,No,1\nr2,A,0,yes,\n", "ok.csv")
    result = read_responses(ok, instrument=vrijuit, scales=["voice_behaviour"])
    np.testing.assert_array_equal(
        result.data[["VB1", "VB2", "VB3"]].to_numpy(), [[1, 0, 1], [0, 1, np.nan]]
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.lists(
            st.one_of(
                st.sampled_from(["", "1", "4", "7", "Mee eens", "Prefer not to say"]),
                st.sampled_from(["0", "8", "2.5", "veel", "nan", "inf", "-1"]),
            ),
            min_size=7,
            max_size=7,
        ),
        min_size=1,
        max_size=25,
    ),
)
def test_excluded_rows_are_exactly_the_rows_with_a_bad_value_and_none_is_lost(
    tmp_path: Path, edmondson: Instrument, cells: list[list[str]]
) -> None:
    valid = {"", "1", "4", "7", "Mee eens", "Prefer not to say"}
    lines = [f"r{i},T,{','.join(row)}" for i, row in enumerate(cells)]
    path = write(tmp_path, HEADER + "\n" + "\n".join(lines) + "\n", "mixed.csv")
    result = read_responses(path, instrument=edmondson, on_bad_rows="exclude")
    bad = [i + 2 for i, row in enumerate(cells) if any(v not in valid for v in row)]
    assert list(result.excluded_rows) == bad
    assert len(result.data) + len(result.excluded_rows) == len(cells)
    assert sum(v not in valid for row in cells for v in row) == len(result.excluded)
    number = {"": np.nan, "Prefer not to say": np.nan, "Mee eens": 6.0}
    kept = [row for i, row in enumerate(cells) if i + 2 not in bad]
    expected = [[number.get(v, np.nan) if v in number else float(v) for v in row] for row in kept]
    np.testing.assert_array_equal(result.data[ITEMS].to_numpy(), np.array(expected).reshape(-1, 7))


def test_error_text_follows_the_language_asked_for(tmp_path: Path, edmondson: Instrument) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,1,2,3,4,5,6,9\n")
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, instrument=edmondson, lang="nl")
    assert str(caught.value).startswith(f"{path}: 1 probleem/problemen in 1 rij(en)")
    assert str(caught.value).endswith("verwacht: een heel getal van 1 tot en met 7.")


def test_import_summary_is_json_safe(tmp_path: Path, edmondson: Instrument) -> None:
    path = write(tmp_path, HEADER + "\nr1,A,1,2,3,4,5,6,7\n\nr2,A,1,2,3,4,5,6,70\n")
    summary = read_responses(path, instrument=edmondson, on_bad_rows="exclude").to_dict()
    assert summary["n_rows"] == 1 and summary["excluded_rows"] == [4]
    assert summary["columns"] == ["respondent_id", "team", *ITEMS]
    assert summary["warnings"] == [
        {
            "code": "io.notice.empty_rows_skipped",
            "params": {"file": str(path), "count": 1, "rows": "3"},
        }
    ]


def test_empty_yaml_sections_and_a_missing_mapping_file(tmp_path: Path) -> None:
    path = write(tmp_path, "columns:\nmissing:\n", "mapping.yaml")
    assert ColumnMapping.from_file(path) == ColumnMapping(name=str(path))
    with pytest.raises(ResponseFileError, match=r"nope\.yaml does not exist"):
        ColumnMapping.from_file(tmp_path / "nope.yaml")


def test_mapping_recodes_numeric_answer_codes_in_number_and_text_columns(
    tmp_path: Path, edmondson: Instrument
) -> None:
    # A survey tool that stored the 7 options as 11..17.
    mapping = ColumnMapping.from_dict({"answers": {str(10 + k): k for k in range(1, 8)}})
    numbers = write(tmp_path, HEADER + "\nr1,A,11,12,13,14,15,16,17\n")
    mixed = write(tmp_path, HEADER + "\nr1,A,11,Agree,13,14,15,16,17\n", "mixed.csv")
    for path in (numbers, mixed):
        data = read_responses(path, instrument=edmondson, mapping=mapping).data
        np.testing.assert_array_equal(data[ITEMS].to_numpy()[0, [0, 2, 6]], [1, 3, 7])


def test_items_without_answer_labels_expect_numbers_only(tmp_path: Path) -> None:
    from types import SimpleNamespace

    fmt = SimpleNamespace(low=0, high=10, labels={})
    item = SimpleNamespace(id="x")
    tool = SimpleNamespace(scales=[SimpleNamespace(id="s", response_format=fmt, items=[item])])
    path = write(tmp_path, "respondent_id,team,x\nr1,A,10\nr2,A,tien\n")
    [problem] = bad_rows(path, tool).problems  # type: ignore[arg-type]
    assert problem.message("en").endswith(
        "'tien' is not an answer we recognise; expected a whole number from 0 to 10, or empty."
    )


def test_qualtrics_preset_reads_an_export_without_extra_header_rows(
    tmp_path: Path, edmondson: Instrument
) -> None:
    path = write(tmp_path, "ResponseId,team," + ",".join(ITEMS) + "\nR_1,A,1,2,3,4,5,6,-99\n")
    result = read_responses(path, instrument=edmondson, mapping="qualtrics")
    assert result.rows.tolist() == [2]
    assert np.isnan(result.data["PS7"].iloc[0])


def test_byte_order_mark_only_unclosed_quote_and_empty_sheet_are_file_errors(
    tmp_path: Path, edmondson: Instrument
) -> None:
    bom_only = write(tmp_path, "\ufeff", "bom.csv")
    unclosed = write(tmp_path, HEADER + '\nr1,"A,1,2,3,4,5,6,7\n', "quote.csv")
    pd.DataFrame().to_excel(tmp_path / "empty.xlsx", index=False)
    for path, code in [
        (bom_only, "io.file.empty"),
        (unclosed, "io.file.unreadable"),
        (tmp_path / "empty.xlsx", "io.file.empty"),
    ]:
        with pytest.raises(ResponseFileError) as caught:
            read_responses(path, instrument=edmondson)
        assert caught.value.code == code, path


def test_encoding_error_counts_rows_like_a_spreadsheet_when_a_cell_spans_lines(
    tmp_path: Path, edmondson: Instrument
) -> None:
    text = HEADER + '\nr1,"Team\nmet twee regels",1,2,3,4,5,6,7\nr2,Bèta,1,2,3,4,5,6,7\n'
    path = write(tmp_path, text, encoding="cp1252")
    with pytest.raises(ResponseFileError) as caught:
        read_responses(path, instrument=edmondson)
    assert caught.value.row == 3  # the third record, on the fourth line of the file
