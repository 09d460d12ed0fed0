"""build_report: disclosure is the only door, numbers match independent pandas/pingouin
computations, and the JSON form follows docs/report.schema.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from scipy import stats

from vrijuit.i18n import translate
from vrijuit.render import render_html
from vrijuit.stats.instruments import Instrument, load_instrument
from vrijuit.stats.report import build_report
from vrijuit.stats.report_model import Note, Report, json_schema

K = 5
SCHEMA = Path(__file__).parents[1] / "docs" / "report.schema.json"
TREE = {
    "org": None,
    "d1": "org",
    "d2": "org",
    "t1": "d1",
    "t2": "d1",
    "t3": "d2",
    "t4": "d2",
    "t5": "org",
    "t6": "org",
}
TEAM_SIZES = {"t1": 30, "t2": 25, "t3": 20, "t4": 3, "t5": 22, "t6": 7}
SCALE = "psychological_safety"


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument("edmondson")


def make_responses(instrument: Instrument, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    scale = instrument.scale(SCALE)
    rows = []
    for position, (team, size) in enumerate(TEAM_SIZES.items()):
        level = rng.normal(0.0, 0.8) + (1.5 if team == "t2" else 0.0)
        for _ in range(size):
            person = level + rng.normal(0.0, 1.0)
            row: dict[str, Any] = {"team": team}
            for item in scale.items:
                latent = 4.0 + (-person if item.reverse else person) + rng.normal(0.0, 0.8)
                row[item.id] = float(np.clip(np.rint(latent), 1, 7))
            row["gender"] = rng.choice(["f", "m"])
            row["position"] = ["phd", "postdoc", "professor"][(position + len(rows)) % 3]
            rows.append(row)
    frame = pd.DataFrame(rows)
    # some "prefer not to say" (missing) answers
    frame.loc[frame.sample(frac=0.05, random_state=seed).index, "PS3"] = np.nan
    return frame


@pytest.fixture(scope="module")
def responses(instrument: Instrument) -> pd.DataFrame:
    return make_responses(instrument)


@pytest.fixture(scope="module")
def report(responses: pd.DataFrame, instrument: Instrument) -> Report:
    return build_report(
        responses,
        instrument,
        tree=TREE,
        by=("gender",),
        levels={"position": ["phd", "postdoc", "professor"]},
        k=K,
    )


def naive_scores(responses: pd.DataFrame, instrument: Instrument) -> pd.Series:
    """The scale score written out: reverse-key, mean of answered items, NaN below min_items."""
    scale = instrument.scale(SCALE)
    low, high = scale.response_format.low, scale.response_format.high
    keyed = pd.DataFrame(
        {
            i.id: (low + high - responses[i.id]) if i.reverse else responses[i.id]
            for i in scale.items
        }
    )
    score = keyed.mean(axis=1, skipna=True)
    return score.where(keyed.notna().sum(axis=1) >= scale.min_items)


def walk(value: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every JSON object in the report with its path."""
    found = []
    if isinstance(value, dict):
        found.append((path, value))
        for key, child in value.items():
            found.extend(walk(child, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(walk(child, f"{path}[{index}]"))
    return found


def json_cells(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every (path, object) with a cell and an n in the JSON, reading the columnar unit tables
    row by row (a unit row, and each shown scale of it, is about the unit's cell)."""
    found = [
        (path, obj)
        for path, obj in walk(data)
        if "cell" in obj and "n" in obj and not path.startswith((".units", ".unit_gaps"))
    ]
    units = data["units"]
    for row, cell in enumerate(units["cell"]):
        found.append((f".units[{row}]", {"cell": cell, "n": units["n"][row]}))
        for scale in units["scales"]:
            if scale["shown"][row]:
                path = f".units[{row}].{scale['scale_id']}"
                found.append((path, {"cell": cell, "n": scale["n"][row]}))
    for table in data["unit_gaps"]:
        for row, cell in enumerate(table["cell"]):
            found.append((f".unit_gaps.{cell}", {"cell": cell, "n": table["n"][row]}))
            found.append((f".unit_gaps.{cell}.other", {"cell": cell, "n": table["n_other"][row]}))
    return found


# -- disclosure is the only door ------------------------------------------------------------


def test_every_cell_with_numbers_is_shown_and_has_at_least_k_people(report: Report) -> None:
    data = report.to_dict()
    suppressed = {s["cell"] for s in data["suppressed"]}
    cells = json_cells(data)
    assert len(cells) > 10
    for path, obj in cells:
        assert obj["cell"] not in suppressed, path
        assert obj["n"] >= K, path


def test_a_suppressed_cell_carries_no_numbers_about_people(report: Report) -> None:
    for item in report.to_dict()["suppressed"]:
        numbers = {key for key, value in item.items() if isinstance(value, int | float)}
        assert not numbers, item


def test_no_suppression_text_or_field_carries_a_count_below_k(report: Report) -> None:
    small_teams = {size for size in TEAM_SIZES.values() if size < K}
    assert small_teams  # t4 has 3 people: a count that must never be printed
    for item in report.suppressed:
        assert item.revealed is None, item
    for lang, fewer in (("en", "fewer than 5 people"), ("nl", "minder dan 5 mensen")):
        html = render_html(report, lang)
        section = html[html.index('id="suppressed"') :]
        for line in section.split("<li>")[1:]:
            sentence = line.split("</li>")[0]
            assert fewer in sentence, sentence
            for size in small_teams:
                assert f" {size} " not in sentence, sentence


def test_a_team_below_k_is_suppressed_and_not_shown_anywhere(report: Report) -> None:
    reasons = {s.cell: s.reason for s in report.suppressed}
    assert reasons["unit:t4"] == "below_k"
    assert "t4" not in {u.unit_id for u in report.units}
    assert '"t4"' not in json.dumps([u.to_dict() for u in report.units])


def test_a_parent_minus_its_shown_children_never_reveals_a_small_team(report: Report) -> None:
    shown = {u.unit_id: u.n for u in report.units}
    for parent in {p for p in TREE.values() if p is not None}:
        if parent not in shown:
            continue
        children = [u for u, p in TREE.items() if p == parent]
        if all(c in shown for c in children):
            continue
        residual = shown[parent] - sum(shown.get(c, 0) for c in children)
        assert residual == 0 or residual >= K, (parent, residual)
    # d2 = t3 + t4 with t4 below k: d2 and t3 cannot both be shown
    assert not ("d2" in shown and "t3" in shown)
    (hidden,) = [s for s in report.suppressed if s.cell in {"unit:d2", "unit:t3"}]
    assert hidden.reason == "complementary" and hidden.because_of is not None


def test_the_suppression_statement_names_every_suppressed_cell_with_its_reason(
    report: Report,
) -> None:
    html = render_html(report, "en")
    start = html.index('id="suppressed"')
    section = html[start:]
    assert section.count("<li>") == len(report.suppressed) > 0
    assert "t4 is not shown because fewer than 5 people answered." in section
    assert any(s.reason == "complementary" for s in report.suppressed)
    assert "would reveal the answers of fewer than 5 people" in section
    dutch = render_html(report, "nl")
    assert "t4 wordt niet getoond, omdat minder dan 5 mensen" in dutch


def test_a_cell_the_audit_could_not_verify_is_explained_in_plain_words_in_both_languages(
    responses: pd.DataFrame, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vrijuit.stats import disclosure

    real_plan = disclosure.plan_disclosure
    hidden = disclosure.CellKey("attribute", attribute="gender", value="f")

    def plan_with_an_unverified_cell(*args: Any, **kwargs: Any) -> Any:
        plan = real_plan(*args, **kwargs)
        n = args[0].cell(hidden).n
        suppressed = {**plan.suppressed, hidden: disclosure.SuppressionReason("unverified", n)}
        return disclosure.DisclosurePlan(plan.shown - {hidden}, suppressed, plan.k, plan.method)

    monkeypatch.setattr(disclosure, "plan_disclosure", plan_with_an_unverified_cell)
    report = build_report(responses, instrument, tree=TREE, by=("gender",), k=K)
    (item,) = [s for s in report.suppressed if s.cell == "attribute:gender=f"]
    assert (item.reason, item.revealed) == ("unverified", None)
    assert all(g.group != "f" for section in report.gaps for g in section.gaps)
    for lang in ("en", "nl"):
        html = render_html(report, lang)
        section = html[html.index('id="suppressed"') :]
        why = translate("report.suppressed.unverified", lang, cell="@").split("@")[1]
        (line,) = [li for li in section.split("<li>") if why in li]  # the one unverified cell
        assert "gender" in line.split(why)[0]


def test_small_cells_show_bands_and_no_distribution(report: Report) -> None:
    checked = 0
    for unit in report.units:
        for scale in unit.scales:
            assert scale.share_below is not None
            if scale.n < 2 * K:
                checked += 1
                assert scale.share_below.banded and scale.share_below.share is None
                assert scale.distribution is None
            else:
                assert not scale.share_below.banded and scale.distribution is not None
                assert sum(scale.distribution.counts) == scale.n
    assert checked >= 1  # t6 has 7 people


def test_gaps_and_levels_only_use_shown_groups(report: Report) -> None:
    shown_cells = {u.cell for u in report.units} | {s.cell for s in report.organisation}
    suppressed = {s.cell for s in report.suppressed}
    for section in report.gaps:
        for gap in section.gaps:
            assert gap.cell not in suppressed and gap.n >= K and gap.n_other >= K
    for trend in report.levels:
        for level in trend.levels:
            assert level.cell not in suppressed and level.n >= K
    assert shown_cells


def test_with_k_larger_than_the_organisation_nothing_is_shown(
    responses: pd.DataFrame, instrument: Instrument
) -> None:
    report = build_report(responses, instrument, tree=TREE, by=("gender",), k=len(responses) + 1)
    assert report.organisation == () and len(report.units) == 0 and report.n_respondents == 0
    assert all(not g.gaps for g in report.gaps)
    assert {s.cell for s in report.suppressed} >= {f"unit:{u}" for u in TREE}
    assert "<h1>" in render_html(report, "nl")


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), k=st.integers(3, 8))
def test_for_any_data_and_k_no_shown_number_belongs_to_a_small_or_hidden_cell(
    seed: int, k: int, instrument: Instrument
) -> None:
    responses = make_responses(instrument, seed)
    report = build_report(responses, instrument, tree=TREE, by=("gender",), k=k)
    data = report.to_dict()
    hidden = {s["cell"] for s in data["suppressed"]}
    for path, obj in json_cells(data):
        assert obj["cell"] not in hidden and obj["n"] >= k, path


# -- numbers against independent computations -----------------------------------------------


def test_organisation_mean_sd_and_share_below_match_pandas(
    report: Report, responses: pd.DataFrame, instrument: Instrument
) -> None:
    score = naive_scores(responses, instrument).dropna()
    (org,) = report.organisation
    assert org.n == len(score)
    assert org.mean == pytest.approx(score.mean(), rel=1e-12)
    assert org.sd == pytest.approx(score.std(ddof=1), rel=1e-12)
    assert org.share_below is not None
    assert org.share_below.share == pytest.approx((score < 4.0).mean(), rel=1e-12)
    assert org.share_below.ci_low < org.share_below.share < org.share_below.ci_high
    assert org.distribution is not None and sum(org.distribution.counts) == org.n


def test_team_and_department_figures_match_a_pandas_groupby(
    report: Report, responses: pd.DataFrame, instrument: Instrument
) -> None:
    frame = responses.assign(score=naive_scores(responses, instrument))
    team = frame[frame.team == "t1"].score.dropna()
    (t1,) = report.unit("t1").scales
    assert t1.n == len(team)
    assert t1.mean == pytest.approx(team.mean(), rel=1e-12)
    assert t1.sd == pytest.approx(team.std(ddof=1), rel=1e-12)
    assert t1.share_below is not None
    assert t1.share_below.share == pytest.approx((team < 4.0).mean(), rel=1e-12)
    department = frame[frame.team.isin(["t1", "t2"])].score.dropna()
    (d1,) = report.unit("d1").scales
    assert (d1.n, d1.mean) == (len(department), pytest.approx(department.mean(), rel=1e-12))
    assert d1.rwg_j is None and d1.shrunken_mean is None  # not a team: no team statistics


def test_shrunken_team_means_lie_between_the_raw_mean_and_the_grand_mean(report: Report) -> None:
    (org,) = report.organisation
    assert org.mean is not None
    for unit in report.units:
        if not unit.team:
            continue
        (scale,) = unit.scales
        assert scale.mean is not None and scale.shrunken_mean is not None
        low, high = sorted((scale.mean, org.mean))
        assert low - 0.05 <= scale.shrunken_mean <= high + 0.05


def test_alpha_matches_pingouin(
    report: Report, responses: pd.DataFrame, instrument: Instrument
) -> None:
    scale = instrument.scale(SCALE)
    keyed = pd.DataFrame(
        {i.id: (8 - responses[i.id]) if i.reverse else responses[i.id] for i in scale.items}
    )
    alpha, _ = pg.cronbach_alpha(data=keyed, nan_policy="pairwise")
    (org,) = report.organisation
    assert org.reliability is not None
    assert org.reliability.alpha == pytest.approx(alpha, abs=1e-6)


def test_icc1_matches_a_one_way_anova_written_out(
    report: Report, responses: pd.DataFrame, instrument: Instrument
) -> None:
    frame = responses.assign(score=naive_scores(responses, instrument)).dropna(subset=["score"])
    groups = frame.groupby("team").score
    n_teams, n = groups.ngroups, len(frame)
    grand = frame.score.mean()
    msb = (groups.size() * (groups.mean() - grand) ** 2).sum() / (n_teams - 1)
    msw = ((frame.score - groups.transform("mean")) ** 2).sum() / (n - n_teams)
    k_bar = n / n_teams
    (org,) = report.organisation
    assert org.icc is not None
    assert org.icc.icc1 == pytest.approx((msb - msw) / (msb + (k_bar - 1) * msw), rel=1e-9)
    assert org.icc.icc2 == pytest.approx((msb - msw) / msb, rel=1e-9)


def test_a_gap_is_the_group_mean_minus_the_mean_of_the_other_shown_groups(
    report: Report, responses: pd.DataFrame, instrument: Instrument
) -> None:
    frame = responses.assign(score=naive_scores(responses, instrument)).dropna(subset=["score"])
    (section,) = report.gaps
    assert section.works_alike is not None
    if not section.works_alike:
        assert section.gaps == () and section.reasons
        return
    for gap in section.gaps:
        mine = frame[frame.gender == gap.group].score
        rest = frame[frame.gender != gap.group].score
        assert gap.difference == pytest.approx(mine.mean() - rest.mean(), rel=1e-9)
        low, high = stats.ttest_ind(mine, rest, equal_var=False).confidence_interval()
        assert (gap.ci_low, gap.ci_high) == (
            pytest.approx(low, rel=1e-9),
            pytest.approx(high, rel=1e-9),
        )


def test_the_level_trend_has_the_level_means_of_pandas(
    report: Report, responses: pd.DataFrame, instrument: Instrument
) -> None:
    frame = responses.assign(score=naive_scores(responses, instrument)).dropna(subset=["score"])
    (trend,) = report.levels
    assert [lv.level for lv in trend.levels] == ["phd", "postdoc", "professor"]
    for level in trend.levels:
        values = frame[frame.position == level.level].score
        assert (level.n, level.mean) == (len(values), pytest.approx(values.mean(), rel=1e-12))


# -- the report's shape and options ---------------------------------------------------------


def test_the_docs_schema_file_is_the_generated_schema() -> None:
    assert json.loads(SCHEMA.read_text("utf-8")) == json_schema()


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> None:
    """A small JSON Schema checker for the keywords the report schema uses."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        validate(value, root["$defs"][name], root, path)
        return
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                validate(value, option, root, path)
                return
            except AssertionError as error:
                errors.append(str(error))
        raise AssertionError(f"{path}: matches no option: {errors}")
    kind = schema["type"]
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    assert checks[kind](value), f"{path}: {value!r} is not {kind}"
    if kind == "object":
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            assert name in value, f"{path}: {name} missing"
        for name, child in value.items():
            if name in properties:
                validate(child, properties[name], root, f"{path}.{name}")
            else:
                extra = schema.get("additionalProperties", True)
                assert extra is not False, f"{path}: unexpected {name}"
                if isinstance(extra, dict):
                    validate(child, extra, root, f"{path}.{name}")
    if kind == "array":
        for index, child in enumerate(value):
            validate(child, schema["items"], root, f"{path}[{index}]")


def test_the_report_json_validates_against_the_schema(report: Report) -> None:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    validate(data, schema, schema)
    broken = {**data, "k": "five"}
    with pytest.raises(AssertionError, match="is not integer"):
        validate(broken, schema, schema)


def test_progress_reports_every_stage_in_order(
    responses: pd.DataFrame, instrument: Instrument
) -> None:
    seen: list[tuple[str, int, int]] = []
    build_report(responses, instrument, progress=lambda *a: seen.append(a), k=K)
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == ["reading", "scoring", "disclosure", "statistics"]
    assert all(0 <= done <= total for _, done, total in seen)
    assert seen[-1][1] == seen[-1][2]


def test_without_a_tree_the_teams_hang_under_the_organisation(
    responses: pd.DataFrame, instrument: Instrument
) -> None:
    report = build_report(responses, instrument, k=K)
    assert report.units[0].unit_id == "__organisation__"
    assert report.units[0].name.nl == "Organisatie"
    # organisation minus the shown teams would be t4 (3 people): the smallest other team goes too
    assert {u.unit_id for u in report.units[1:]} == {"t1", "t2", "t3", "t5"}
    reasons = {s.cell: (s.reason, s.revealed) for s in report.suppressed}
    assert reasons == {"unit:t4": ("below_k", None), "unit:t6": ("complementary", None)}


def test_waves_give_the_trend_and_the_report_covers_the_last_wave(
    responses: pd.DataFrame, instrument: Instrument
) -> None:
    earlier = make_responses(instrument, seed=99).assign(wave="2025")
    both = pd.concat([earlier, responses.assign(wave="2026")], ignore_index=True)
    report = build_report(both, instrument, tree=TREE, wave_column="wave", k=K)
    assert report.n_respondents == len(responses)
    (org,) = report.organisation
    assert [p.wave for p in org.trend] == ["2025", "2026"]
    last = naive_scores(responses, instrument).dropna()
    assert org.trend[-1].mean == pytest.approx(last.mean(), rel=1e-12)
    assert org.trend[-1].ci_low < org.trend[-1].mean < org.trend[-1].ci_high


def test_a_missing_column_is_a_clear_error(responses: pd.DataFrame, instrument: Instrument) -> None:
    with pytest.raises(ValueError, match="team column 'unit'"):
        build_report(responses, instrument, team_column="unit")
    with pytest.raises(ValueError, match="attribute column 'age'"):
        build_report(responses, instrument, by=("age",))
    with pytest.raises(ValueError, match="k must be at least 2"):
        build_report(responses, instrument, k=1)


def test_the_vrijuit_instrument_fills_voice_and_incident_blocks_beside_the_sector_figure() -> None:
    instrument = load_instrument("vrijuit")
    rng = np.random.default_rng(3)
    rows = 60
    frame = pd.DataFrame({"team": np.repeat(["a", "b", "c"], rows // 3)})
    for scale in instrument.scales:
        low, high = scale.response_format.low, scale.response_format.high
        for item in scale.items:
            frame[item.id] = rng.integers(low, high + 1, size=rows).astype(float)
    report = build_report(frame, instrument, k=K)
    assert {s.scale_id for s in report.voice} == {"voice_behaviour", "voice_outcome"}
    assert report.incidents is not None
    assert report.incidents.sector.year == 2024
    assert {s.scale_id for s in report.incidents.scales} == {
        "unwanted_experienced",
        "unwanted_witnessed",
    }
    headline = {s.scale_id for s in report.organisation}
    assert "unwanted_experienced" not in headline and "leader_own" not in headline
    # a leader's own score is never reported per team
    for unit in report.units:
        assert "leader_own" not in {s.scale_id for s in unit.scales}


def test_a_unit_tree_gives_the_units_their_names_and_levels() -> None:
    from vrijuit.demo import load_responses, load_units
    from vrijuit.stats.rollup import UnitTree

    units = load_units()
    tree = UnitTree.from_frame(units, name_en="name_en", name_nl="name_nl", level="level")
    responses = load_responses()
    responses = responses[responses.wave == responses.wave.iloc[-1]]
    report = build_report(responses, load_instrument("vrijuit"), tree=tree, k=K)
    root = report.units[0]
    assert (root.unit_id, root.name.nl, root.level) == (
        "uni",
        "Voorbeelduniversiteit",
        "organisation",
    )
    expected = units.set_index("unit_id")
    for unit in report.units:
        assert unit.name.en == expected.loc[unit.unit_id, "name_en"]


def test_wave_intervals_use_the_design_effect_and_the_slope_matches_statsmodels(
    responses: pd.DataFrame, instrument: Instrument
) -> None:
    import statsmodels.formula.api as smf

    earlier = make_responses(instrument, seed=99).assign(wave="2025")
    both = pd.concat([earlier, responses.assign(wave="2026")], ignore_index=True)
    report = build_report(both, instrument, tree=TREE, wave_column="wave", k=K)
    (org,) = report.organisation
    frame = both.assign(score=naive_scores(both, instrument)).dropna(subset=["score"])
    for point in org.trend:
        wave = frame[frame["wave"] == point.wave]
        # ICC(1) from the one-way ANOVA, by hand (groupby), then Kish's design effect
        groups = wave.groupby("team")["score"]
        n, teams = len(wave), groups.ngroups
        msb = (groups.size() * (groups.mean() - wave["score"].mean()) ** 2).sum() / (teams - 1)
        msw = ((wave["score"] - groups.transform("mean")) ** 2).sum() / (n - teams)
        k_bar = n / teams
        icc1 = (msb - msw) / (msb + (k_bar - 1) * msw)
        deff = 1 + (k_bar - 1) * max(icc1, 0.0)
        assert point.design_effect == pytest.approx(deff, rel=1e-9)
        n_eff = n / deff
        half = stats.t.ppf(0.975, n_eff - 1) * wave["score"].std(ddof=1) / np.sqrt(n_eff)
        assert point.ci_high - point.mean == pytest.approx(half, rel=1e-9)
    slope = org.wave_slope
    assert slope is not None and slope.per == "wave_value" and slope.n_waves == 2
    frame = frame.assign(year=frame["wave"].astype(float), cell=frame["team"] + frame["wave"])
    fit = smf.mixedlm("score ~ year", frame, groups=frame["cell"]).fit(reml=True)
    assert slope.slope == pytest.approx(fit.params["year"], rel=1e-3)  # optimiser tolerance
    assert slope.ci_low < slope.slope < slope.ci_high


def leader_survey(seed: int = 0) -> pd.DataFrame:
    """14 teams of 6 members and a leader whose own safety follows the team's climate."""
    instrument = load_instrument("vrijuit")
    rng = np.random.default_rng(seed)
    rows = []
    for team in range(14):
        level = rng.normal(0.0, 0.35)
        for member in range(7):
            leader = member == 0
            row: dict[str, Any] = {"team": f"t{team:02d}", "role": "leader" if leader else "member"}
            for scale in instrument.scales:
                low, high = scale.response_format.low, scale.response_format.high
                for item in scale.items:
                    if scale.role == "leader_own":
                        value = 3 + 2.5 * level + rng.normal(0, 0.5) if leader else np.nan
                    else:
                        value = (low + high) / 2 + level + rng.normal(0, 1.2)
                    value = low + high - value if item.reverse else value
                    row[item.id] = float(np.clip(np.rint(value), low, high))
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("seed", "beyond_one"), [(0, True), (4, False)])
def test_a_leader_correction_beyond_one_is_shown_clipped_with_the_flag(
    seed: int, beyond_one: bool
) -> None:
    from vrijuit.stats.scoring import score_instrument

    instrument = load_instrument("vrijuit")
    frame = leader_survey(seed)
    relation = build_report(frame, instrument, role_column="role", k=K).leaders
    assert relation is not None
    # the independent computation: r over teams (scipy), ICC(2) from a groupby ANOVA of the
    # members, alpha of the leaders' own scale (pingouin); corrected = r / sqrt(ICC(2)·alpha)
    scored = score_instrument(frame, instrument)
    is_leader = (frame.role == "leader").to_numpy()
    members = pd.DataFrame(
        {"team": frame.team[~is_leader], "y": scored.scores[relation.team_scale_id][~is_leader]}
    ).dropna()
    leader_score = pd.Series(
        scored.scores["leader_own"][is_leader].to_numpy(), index=frame.team[is_leader]
    )
    team_means = members.groupby("team").y.mean()
    r = stats.pearsonr(leader_score[team_means.index], team_means).statistic
    sizes = members.groupby("team").y.size()
    msb = (sizes * (team_means - members.y.mean()) ** 2).sum() / (len(sizes) - 1)
    msw = members.groupby("team").y.var(ddof=1).mul(sizes - 1).sum() / (len(members) - len(sizes))
    icc2 = 1 - msw / msb
    leader_items = pd.DataFrame(scored.keyed["leader_own"][is_leader])
    alpha = pg.cronbach_alpha(leader_items)[0]
    corrected = r / np.sqrt(icc2 * alpha)
    assert relation.r == pytest.approx(r, rel=1e-9)
    assert relation.disattenuated == pytest.approx(corrected, rel=1e-9)
    assert (abs(corrected) > 1) == beyond_one == relation.exceeds_one
    assert relation.disattenuated_clipped == pytest.approx(np.clip(corrected, -1, 1))
    as_json = relation.to_dict()
    assert as_json["exceeds_one"] is beyond_one and abs(as_json["disattenuated_clipped"]) <= 1


# -- gaps inside units ------------------------------------------------------------------------


def subtree_teams(unit: str) -> set[str]:
    """The teams at or below ``unit`` in TREE, by walking each team's ancestors."""
    inside = set()
    for team in TEAM_SIZES:
        walk: str | None = team
        while walk is not None:
            if walk == unit:
                inside.add(team)
            walk = TREE[walk]
    return inside


@pytest.fixture(scope="module")
def unit_gap_survey(instrument: Instrument) -> tuple[pd.DataFrame, Report]:
    frame = make_responses(instrument, seed=21)
    # a few people leave gender empty: they belong to the rest of their unit
    frame.loc[frame.sample(frac=0.06, random_state=4).index, "gender"] = None
    return frame, build_report(frame, instrument, tree=TREE, by=("gender",), k=K)


def test_unit_gaps_match_welch_and_hedges_g_of_the_value_against_the_rest_of_the_unit(
    unit_gap_survey: tuple[pd.DataFrame, Report], instrument: Instrument
) -> None:
    from vrijuit.stats.gaps import hedges_g, mean_difference

    frame, report = unit_gap_survey
    (table,) = report.unit_gaps
    assert (table.attribute, table.scale_id) == ("gender", SCALE)
    assert len(table) >= 4
    scored = frame.assign(score=naive_scores(frame, instrument))
    for row in range(len(table)):
        unit, group = str(table.unit_id[row]), str(table.group[row])
        people = scored[scored.team.isin(subtree_teams(unit))]
        x = people.score[people.gender == group].dropna()
        y = people.score[people.gender != group].dropna()  # includes an empty gender
        welch, effect = mean_difference(x, y), hedges_g(x, y)
        assert (table.n[row], table.n_other[row]) == (len(x), len(y))
        got = [table.mean[row], table.mean_other[row], table.difference[row]]
        got += [table.ci_low[row], table.ci_high[row], table.hedges_g[row]]
        want = [welch.mean_x, welch.mean_y, welch.difference, welch.ci_low, welch.ci_high]
        want += [effect.g]
        assert got == pytest.approx(want, rel=1e-9)
        assert (table.g_ci_low[row], table.g_ci_high[row]) == pytest.approx(
            (effect.g_ci_low, effect.g_ci_high), abs=1e-8
        )


def test_a_unit_gap_is_shown_only_for_shown_cells_with_k_people_on_both_sides(
    unit_gap_survey: tuple[pd.DataFrame, Report],
) -> None:
    frame, report = unit_gap_survey
    (table,) = report.unit_gaps
    hidden = {s.cell for s in report.suppressed}
    shown_units = {u.unit_id for u in report.units}
    for row in range(len(table)):
        unit, group = str(table.unit_id[row]), str(table.group[row])
        assert table.cell[row] == f"unit_attribute:{unit}|gender={group}"
        assert table.cell[row] not in hidden and unit in shown_units
        people = frame[frame.team.isin(subtree_teams(unit))]
        assert (people.gender == group).sum() >= K and (people.gender != group).sum() >= K
        assert table.n[row] >= K and table.n_other[row] >= K
    # the hidden unit × gender cells (t4 has 3 people) never appear
    assert not {c for c in hidden if c.startswith("unit_attribute:")} & set(table.cell)
    assert "t4" not in set(table.unit_id)
    assert json.loads(json.dumps(report.to_dict()))["unit_gaps"][0]["unit_id"] == list(
        table.unit_id
    )


def test_a_unit_gap_whose_rest_has_fewer_than_k_people_is_left_out_even_if_the_plan_shows_it(
    instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vrijuit.stats import disclosure

    # t1: 12 women and 3 men, so "t1 minus women" is 3 people
    frame = make_responses(instrument, seed=5)
    t1 = frame.index[frame.team == "t1"]
    frame.loc[t1, "gender"] = ["m"] * 3 + ["f"] * (len(t1) - 3)
    women_t1 = disclosure.CellKey("unit_attribute", unit="t1", attribute="gender", value="f")
    real_plan = disclosure.plan_disclosure

    def plan_that_misses_the_rest(*args: Any, **kwargs: Any) -> Any:
        plan = real_plan(*args, **kwargs)
        assert women_t1 not in plan.shown  # the real audit hides it: the rest is derivable
        suppressed = {key: r for key, r in plan.suppressed.items() if key != women_t1}
        return disclosure.DisclosurePlan(plan.shown | {women_t1}, suppressed, plan.k, plan.method)

    monkeypatch.setattr(disclosure, "plan_disclosure", plan_that_misses_the_rest)
    report = build_report(frame, instrument, tree=TREE, by=("gender",), k=K)
    cells = {str(c) for table in report.unit_gaps for c in table.cell}
    assert "unit_attribute:t1|gender=f" not in cells


def test_unit_cells_the_audit_could_not_verify_give_no_unit_gaps_and_say_why(
    responses: pd.DataFrame, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vrijuit.stats import disclosure

    real_plan = disclosure.plan_disclosure

    def plan_too_large(*args: Any, **kwargs: Any) -> Any:
        plan = real_plan(*args, **kwargs)
        lattice = args[0]
        analyst = {key for key in plan.shown if key.kind == "unit_attribute"}
        assert analyst  # something to hide
        suppressed = dict(plan.suppressed)
        for key in analyst:
            suppressed[key] = disclosure.SuppressionReason("unverified", lattice.cell(key).n)
        return disclosure.DisclosurePlan(plan.shown - analyst, suppressed, plan.k, plan.method)

    monkeypatch.setattr(disclosure, "plan_disclosure", plan_too_large)
    report = build_report(responses, instrument, tree=TREE, by=("gender",), k=K)
    assert report.unit_gaps == ()
    unverified = [s for s in report.suppressed if s.reason == "unverified"]
    assert unverified and all(s.kind == "unit_attribute" for s in unverified)
    assert report.gaps[0].gaps  # the organisation's gaps are still there


# A budget of 1 is beaten by the five leaf teams with k people already (the cheap bound before
# any lattice); a budget of 5 passes that bound and is beaten by the counted atoms.
@pytest.mark.parametrize("budget", [1, 5])
def test_beyond_the_atom_budget_unit_cells_are_hidden_at_once_with_one_note_per_attribute(
    budget: int, responses: pd.DataFrame, instrument: Instrument, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vrijuit.stats.report as report_module

    monkeypatch.setattr(report_module, "UNIT_CELL_ATOMS", budget)
    report = build_report(responses, instrument, tree=TREE, by=("gender",), k=K)
    assert report.unit_gaps == ()
    assert not [s for s in report.suppressed if s.kind == "unit_attribute"]
    notes = [n for n in report.notes if n.key == "report.note.unit_cells_unverified"]
    assert [n.params for n in notes] == [{"attribute": "gender"}]
    assert report.gaps[0].gaps  # the organisation's gaps are still there
    for lang in ("en", "nl"):
        wording = translate("report.note.unit_cells_unverified", lang, attribute="gender")
        assert wording.split(":")[0] in render_html(report, lang)


def test_the_html_report_has_a_table_of_gaps_inside_units_in_both_languages(
    unit_gap_survey: tuple[pd.DataFrame, Report],
) -> None:
    from vrijuit.render.formatting import format_ci, format_number

    _, report = unit_gap_survey
    (table,) = report.unit_gaps
    for lang in ("en", "nl"):
        html = render_html(report, lang)
        scale = report.scale(SCALE).name.get(lang)
        caption = translate("report.unit_gaps.caption", lang, scale=scale, attribute="gender")
        assert caption in html
        body = html[html.index(caption) :].split("</table>")[0]
        rows = body.split("<tr>")[2:]  # after the header row
        assert len(rows) == len(table)
        for i, row in enumerate(rows):
            assert f"{table.n[i]} / {table.n_other[i]}" in row
            assert format_number(float(table.difference[i]), lang) in row
            assert format_ci(float(table.ci_low[i]), float(table.ci_high[i]), lang) in row
            assert format_number(float(table.hedges_g[i]), lang) in row


def test_the_html_report_shows_the_clipped_leader_correction_and_says_why() -> None:
    from vrijuit.render.formatting import format_number

    report = build_report(leader_survey(0), load_instrument("vrijuit"), role_column="role", k=K)
    relation = report.leaders
    assert relation is not None and relation.exceeds_one
    for lang in ("en", "nl"):
        html = render_html(report, lang)
        section = html[html.index('id="leaders"') :].split("</section>")[0]
        raw = format_number(relation.disattenuated, lang)
        clipped = format_number(relation.disattenuated_clipped, lang)
        why = translate("report.leaders.exceeds_one", lang, value=raw, clipped=clipped)
        assert why.split('"')[0] in section.replace("&#34;", '"')
        result = section.split(why.split(",")[0])[0]  # the result sentence before the note
        assert clipped in result and raw not in result


# -- robustness: valid data on which a statistic is undefined never crashes the report ----------


def _edge_frame(
    instrument: Instrument,
    *,
    n_teams: int,
    per_team: int,
    constant: float | None = None,
    blank_scale: str | None = None,
) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"team": np.repeat([f"t{i}" for i in range(n_teams)], per_team)})
    for scale in instrument.scales:
        fmt = scale.response_format
        for item in scale.items:
            size = len(frame)
            answers = rng.integers(int(fmt.low), int(fmt.high) + 1, size=size).astype(float)
            if constant is not None:
                answers[:] = np.clip(constant, fmt.low, fmt.high)
            if scale.id == blank_scale:
                answers[:] = np.nan
            frame[item.id] = answers
    frame["gender"] = rng.choice(["woman", "man"], len(frame))
    return frame


EDGE_CASES = {
    # name: (frame arguments, k, notes the report must carry as (key, statistic))
    "every answer the same": (
        {"n_teams": 4, "per_team": 10, "constant": 3.0},
        K,
        {
            ("report.not_computable.zero_variance", "icc"),
            ("report.not_computable.zero_variance_items", "alpha"),
            ("report.not_computable.zero_variance_items", "omega"),
        },
    ),
    "a single team": (
        {"n_teams": 1, "per_team": 20},
        K,
        {("report.not_computable.one_team", "icc")},
    ),
    "one respondent per team": (
        {"n_teams": 20, "per_team": 1},
        K,
        {("report.not_computable.one_per_team", "icc")},
    ),
    "one respondent per team with k above every unit": (
        {"n_teams": 20, "per_team": 1},
        15,
        {("report.not_computable.one_per_team", "icc")},
    ),
    "all answers missing on the scale": (
        {"n_teams": 4, "per_team": 10, "blank_scale": SCALE},
        K,
        {("report.note.scale_too_few", None)},
    ),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_report_builds_renders_and_says_why_when_a_statistic_is_undefined(
    case: str, instrument: Instrument
) -> None:
    arguments, k, expected = EDGE_CASES[case]
    frame = _edge_frame(instrument, **arguments)
    report = build_report(frame, instrument, by=("gender",), k=k)
    found = {(n.key, n.params.get("statistic")) for n in report.notes}
    assert expected <= found
    scale_name = {lang: instrument.scale(SCALE).name.get(lang) for lang in ("en", "nl")}
    for lang in ("en", "nl"):
        page = render_html(report, lang)
        for key, statistic in expected:
            params = {"scale": scale_name[lang], "k": k}
            if statistic is not None:
                params["statistic"] = translate(f"report.statistic.{statistic}", lang)
            sentence = translate(key, lang, **params)
            assert str(escape(sentence)) in page, (lang, key)
        render_html(report, lang, medium="print")


def test_zero_variance_scale_keeps_its_mean_and_leaves_out_only_what_is_undefined(
    instrument: Instrument,
) -> None:
    frame = _edge_frame(instrument, n_teams=4, per_team=10, constant=3.0)
    report = build_report(frame, instrument, by=("gender",), k=K)
    (scale,) = report.organisation
    assert scale.n == 40
    fmt = instrument.scale(SCALE).response_format
    keyed = [
        fmt.low + fmt.high - 3.0 if item.reverse else 3.0 for item in instrument.scale(SCALE).items
    ]
    assert scale.mean == pytest.approx(np.mean(keyed))  # reverse-keyed by hand
    assert scale.sd == pytest.approx(0.0)
    assert scale.icc is None
    assert scale.reliability is not None
    assert scale.reliability.alpha is None and scale.reliability.omega is None
    (section,) = report.gaps
    assert section.gaps == ()
    assert [n.key for n in section.reasons] == ["report.not_computable.zero_variance"]


def test_a_blank_scale_among_answered_ones_is_named_and_the_rest_still_reported() -> None:
    instrument = load_instrument("vrijuit")
    blank = next(s.id for s in instrument.scales if s.role == "climate" and not s.headline)
    frame = _edge_frame(instrument, n_teams=4, per_team=10, blank_scale=blank)
    report = build_report(frame, instrument, k=K)
    shown = {s.scale_id for s in report.organisation}
    assert blank not in shown and shown
    assert Note("report.note.scale_too_few", {"scale": blank, "k": K}) in report.notes
    for lang in ("en", "nl"):
        name = instrument.scale(blank).name.get(lang)
        page = render_html(report, lang)
        sentence = translate("report.note.scale_too_few", lang, scale=name, k=K)
        assert str(escape(sentence)) in page


def test_constant_yes_no_block_does_not_stop_the_vrijuit_report() -> None:
    instrument = load_instrument("vrijuit")
    frame = _edge_frame(instrument, n_teams=1, per_team=20, constant=1.0)
    report = build_report(frame, instrument, k=K)
    assert report.voice or report.incidents
    keys = {n.key for n in report.notes}
    assert "report.not_computable.zero_variance_items" in keys
    for lang in ("en", "nl"):
        assert "<!DOCTYPE html>" in render_html(report, lang)
