"""The `vrijuit` command: Dutch and English help, clear errors with exit status 2 and no
traceback, and the analysis of the demo data into a report."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from vrijuit.cli import detect_language, main
from vrijuit.demo import DATA_DIR, load_responses

# The demo file's background columns, as a user passes them.
BACKGROUND = ["--wave", "wave", "--role", "role"]
for _column in ("gender", "nationality_group", "position", "contract"):
    BACKGROUND += ["--by", _column]


def test_help_is_in_dutch_with_lang_nl(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "nl", "analyze", "--help"]) == 0
    text = capsys.readouterr().out
    assert "gebruik:" in text and "opties:" in text
    assert "het bestand met de antwoorden" in text
    assert "the file with the answers" not in text


def test_help_follows_the_environment_when_no_lang_is_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VRIJUIT_LANG", "nl")
    assert main(["--help"]) == 0
    assert "Toon de vragenlijsten" in capsys.readouterr().out
    assert detect_language([], {"LANG": "de_DE.UTF-8"}) == "en"
    assert detect_language(["--lang=nl"], {"VRIJUIT_LANG": "en"}) == "nl"


def test_usage_errors_and_a_missing_command_exit_with_status_2() -> None:
    assert main(["--lang", "en"]) == 2
    assert main(["analyze"]) == 2
    assert main(["analyze", "x.csv", "--format", "docx"]) == 2


@pytest.mark.parametrize(("lang", "wording"), [("en", "does not exist"), ("nl", "bestaat niet")])
def test_a_missing_responses_file_is_one_translated_message(
    lang: str, wording: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"
    assert main(["analyze", str(missing), "--lang", lang, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and wording in err
    assert "Traceback" not in err


def test_an_unknown_report_suffix_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.docx"
    assert main(["analyze", str(DATA_DIR / "responses.csv"), "--out", str(out), "-q"]) == 2
    assert "report.docx" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("lang", "word"), [("en", "row"), ("nl", "rij")])
def test_a_bad_value_names_file_row_column_and_value_in_both_languages(
    lang: str, word: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = load_responses().head(8).copy()
    frame.loc[2, "SU2"] = 7  # out of range on a 1-5 scale; spreadsheet row 4
    path = tmp_path / "answers.csv"
    frame.to_csv(path, index=False)
    out = str(tmp_path / "r.json")
    code = main(["analyze", str(path), *BACKGROUND, "--out", out, "--lang", lang, "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert "answers.csv" in err and "SU2" in err and "7" in err and "4" in err
    assert word in err.lower()
    assert "Traceback" not in err


def test_a_broken_instrument_file_is_reported_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instrument = tmp_path / "mine.yaml"
    instrument.write_text("id: mine\nversion: '1'\nscales: nope\n", encoding="utf-8")
    args = ["analyze", str(DATA_DIR / "responses.csv"), "--instrument", str(instrument), "-q"]
    assert main([*args, "--out", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert "mine.yaml" in err and "Traceback" not in err


def test_instruments_lists_the_shipped_questionnaires(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["instruments", "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("edmondson:") or "edmondson:" in out
    assert "vrijuit:" in out and "schalen" in out


def test_generate_demo_writes_the_same_files_as_the_shipped_seed(tmp_path: Path) -> None:
    assert main(["generate-demo", "--out", str(tmp_path), "--seed", "2026", "-q"]) == 0
    for name in ("units.csv", "responses.csv"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes()


def test_analyze_writes_a_json_report_of_the_demo_data(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    args = ["analyze", str(DATA_DIR / "responses.csv"), "--tree", str(DATA_DIR / "units.csv")]
    args += [*BACKGROUND, "--out", str(out), "-q"]
    assert main(args) == 0
    report = json.loads(out.read_text("utf-8"))
    assert isinstance(report, dict) and report
    # The organisation-wide count is the number of members in the last wave, computed here.
    demo = pd.read_csv(DATA_DIR / "responses.csv")
    last = demo[demo["wave"] == demo["wave"].iloc[-1]]
    assert str(len(last[last["role"] == "member"])) in out.read_text("utf-8")


def test_exclude_bad_rows_leaves_them_out_and_the_report_lists_each_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    responses = load_responses()
    responses = responses[responses["wave"] == responses["wave"].iloc[-1]].copy()
    responses = responses[["respondent_id", "team", *responses.columns[8:]]]
    item = "SU1"
    responses[item] = responses[item].astype(object)
    responses.iloc[3, responses.columns.get_loc(item)] = 99  # out of range
    responses.iloc[8, responses.columns.get_loc("team")] = None  # no team
    source = tmp_path / "bad.csv"
    responses.to_csv(source, index=False)
    out = tmp_path / "report.json"
    arguments = ["--lang", "en", "analyze", str(source), "--out", str(out), "--quiet"]
    assert main(arguments) == 2  # without the flag the bad rows stop the import
    assert "--exclude-bad-rows" in capsys.readouterr().err
    assert main([*arguments, "--exclude-bad-rows"]) == 0
    report = json.loads(out.read_text("utf-8"))
    notes = report["notes"]
    assert {"key": "report.note.excluded_rows", "params": {"n": 2}} in notes
    reasons = {
        n["params"]["row"]: n["key"] for n in notes if n["key"].startswith("report.excluded.")
    }
    # file rows count the header: data row i is file row i + 2
    assert reasons == {5: "report.excluded.out_of_range", 10: "report.excluded.missing_team"}
    assert report["n_respondents"] == len(responses) - 2


def test_a_unit_tree_file_gives_the_report_its_names_and_levels(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code = main(
        [
            "--lang", "en", "analyze", str(DATA_DIR / "responses.csv"), "--tree",
            str(DATA_DIR / "units.csv"), *BACKGROUND, "--out", str(out), "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    units = pd.read_csv(DATA_DIR / "units.csv", dtype=str).set_index("unit_id")
    table = json.loads(out.read_text("utf-8"))["units"]
    assert len(table["unit_id"]) > 1
    for unit, name_nl, level in zip(
        table["unit_id"], table["name_nl"], table["level"], strict=True
    ):
        assert name_nl == units.loc[unit, "name_nl"] and level == units.loc[unit, "level"]


@pytest.mark.parametrize(
    ("lang", "wording"),
    [
        ("en", "Unit 't1' has parent 'nowhere', which is not in the units table."),
        ("nl", "Eenheid 't1' valt onder 'nowhere', maar die staat niet in de tabel met eenheden."),
    ],
)
def test_a_broken_unit_tree_is_explained_in_the_users_language(
    lang: str, wording: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = tmp_path / "units.csv"
    tree.write_text(
        "unit_id,parent_id,name_en,name_nl,level\norg,,Org,Org,org\nt1,nowhere,T1,T1,team\n",
        encoding="utf-8",
    )
    responses = tmp_path / "responses.csv"
    responses.write_text("team,PS1\nt1,3\n", encoding="utf-8")
    args = ["analyze", str(responses), "--tree", str(tree), "--lang", lang, "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert wording in err and str(tree) in err
    assert "Traceback" not in err


def test_levels_order_the_hierarchy_trend_lowest_first(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    order = "phd,postdoc,assistant_professor,associate_professor,full_professor"
    args = ["analyze", str(DATA_DIR / "responses.csv"), "--tree", str(DATA_DIR / "units.csv")]
    args += [*BACKGROUND, "--levels", f"position={order}", "--out", str(out), "-q"]
    assert main(args) == 0
    trends = json.loads(out.read_text("utf-8"))["levels"]
    assert trends, "a --levels attribute gives a level trend"
    for trend in trends:
        assert trend["attribute"] == "position"
        shown = [level["level"] for level in trend["levels"]]
        assert shown == [level for level in order.split(",") if level in shown]
    assert trends[0]["levels"][0]["level"] == "phd"


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        ("position", "en", "--levels expects ATTRIBUTE=LOW,...,HIGH"),
        ("position=phd", "en", "at least two different levels"),
        ("position=phd,phd", "nl", "minstens twee verschillende niveaus"),
    ],
)
def test_a_bad_levels_value_is_one_translated_message(
    value: str, lang: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["analyze", str(DATA_DIR / "responses.csv"), "--levels", value, "--lang", lang, "-q"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
