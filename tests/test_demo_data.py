"""The demo faculty: reproducible, within the instrument's bounds, and every planted pattern is
really in the data — each checked with a plain pandas computation written here, not with the
engine that will later analyse these files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from vrijuit.demo import DATA_DIR, load_responses, load_units
from vrijuit.demo.generate import (
    DECLINING_DEPARTMENT,
    IMPROVING_DEPARTMENT,
    POLARISED_TEAM,
    WAVES,
    generate_demo,
    item_specs,
    main,
)
from vrijuit.stats.instruments import load_instrument

INSTRUMENT = load_instrument("vrijuit")
SPECS = item_specs(INSTRUMENT)
# The shipped seed, plus two others: the patterns are built in, not luck of one draw.
SEEDS = (2026, 11, 12345)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def demo(request: pytest.FixtureRequest) -> pd.DataFrame:
    """Responses for one seed with a naive per-person score column per climate scale."""
    frame = generate_demo(SPECS, seed=request.param).responses
    return with_scores(frame)


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return with_scores(load_responses())


def with_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the mean of the answered (reverse-keyed) items per scale, missing below min_items."""
    frame = frame.copy()
    for scale in INSTRUMENT.scales:
        if scale.role not in ("climate", "leader_own"):
            continue
        low, high = scale.response_format.low, scale.response_format.high
        keyed = pd.DataFrame(
            {
                item.id: (low + high - frame[item.id].astype(float))
                if item.reverse
                else frame[item.id].astype(float)
                for item in scale.items
            }
        )
        enough = keyed.notna().sum(axis=1) >= scale.min_items
        frame[scale.id] = keyed.mean(axis=1).where(enough)
    frame["department"] = frame["team"].str.split("-").str[0]
    return frame


def members(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["role"] == "member"]


def icc1(frame: pd.DataFrame, column: str) -> float:
    """One-way ANOVA ICC(1) with the unbalanced-group k0 (Bliese 2000), by hand."""
    data = frame.dropna(subset=[column])
    groups = data.groupby("team")[column]
    n, mean = groups.count(), groups.mean()
    N, J, grand = n.sum(), len(n), data[column].mean()
    msb = (n * (mean - grand) ** 2).sum() / (J - 1)
    msw = ((data[column] - groups.transform("mean")) ** 2).sum() / (N - J)
    k0 = (N - (n**2).sum() / N) / (J - 1)
    return float((msb - msw) / (msb + (k0 - 1) * msw))


# --- reproducibility ------------------------------------------------------------------------


def test_the_same_seed_gives_identical_data_and_another_seed_different_data() -> None:
    first = generate_demo(SPECS, seed=5).responses
    again = generate_demo(SPECS, seed=5).responses
    other = generate_demo(SPECS, seed=6).responses
    pd.testing.assert_frame_equal(first, again)
    assert not first["respondent_id"].isin(other["respondent_id"]).any()
    assert not first.drop(columns="respondent_id").head(50).equals(other.head(50))


def test_the_shipped_files_are_exactly_the_generator_output_for_seed_2026(tmp_path) -> None:
    assert main(["--out", str(tmp_path), "--seed", "2026"]) == 0
    for name in ("units.csv", "responses.csv"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


# --- shape and bounds -----------------------------------------------------------------------


def test_columns_are_the_background_then_exactly_the_instrument_items_in_order() -> None:
    frame = load_responses()
    background = ["respondent_id", "wave", "team", "role", "gender", "nationality_group"]
    background += ["position", "contract"]
    assert list(frame.columns) == [*background, *INSTRUMENT.item_ids()]


def test_every_answer_lies_within_its_response_format() -> None:
    frame = load_responses()
    for scale in INSTRUMENT.scales:
        fmt = scale.response_format
        for item in scale.items:
            answered = frame[item.id].dropna()
            assert answered.between(fmt.low, fmt.high).all(), item.id
            assert set(answered.unique()) <= set(fmt.labels), item.id


def test_background_values_come_from_the_documented_categories() -> None:
    frame = load_responses()
    allowed = {
        "role": {"member", "leader"},
        "gender": {"female", "male", "other"},
        "nationality_group": {"dutch", "international"},
        "position": {
            "phd",
            "postdoc",
            "assistant_professor",
            "associate_professor",
            "full_professor",
            "support_staff",
        },
        "contract": {"temporary", "permanent"},
    }
    for column, values in allowed.items():
        assert set(frame[column].dropna()) == values, column
    assert list(frame["wave"].unique()) == list(WAVES)
    assert frame["respondent_id"].is_unique
    assert frame["respondent_id"].str.fullmatch(r"[0-9a-f-]{36}").all()


def test_skipped_answers_and_undisclosed_backgrounds_occur_at_realistic_rates() -> None:
    frame = load_responses()
    always_asked = [
        item.id
        for scale in INSTRUMENT.scales
        if scale.audience == "all" and scale.id != "voice_outcome"
        for item in scale.items
    ]
    assert 0.015 < frame[always_asked].isna().to_numpy().mean() < 0.045
    for column in ("gender", "nationality_group", "position", "contract"):
        assert 0.01 < frame[column].isna().mean() < 0.08, column
    assert frame["role"].notna().all() and frame["team"].notna().all()


def test_leader_block_is_answered_only_by_leaders_and_outcomes_only_after_a_yes() -> None:
    frame = load_responses()
    leader_items = [i.id for i in INSTRUMENT.scale("leader_own").items]
    assert frame.loc[frame["role"] == "member", leader_items].isna().all().all()
    assert frame.loc[frame["role"] == "leader", leader_items].notna().any(axis=1).mean() > 0.9
    for asked, outcome in (("VB1", "VB4"), ("VB2", "VB5"), ("VB3", "VB6")):
        assert frame.loc[frame[asked] != 1, outcome].isna().all()
        assert frame.loc[frame[asked] == 1, outcome].notna().mean() > 0.9


def test_the_unit_tree_is_one_faculty_of_departments_and_teams() -> None:
    units = load_units()
    assert units["unit_id"].is_unique
    assert units["parent_id"].isna().sum() == 1
    assert set(units["parent_id"].dropna()) <= set(units["unit_id"])
    levels = units["level"].value_counts()
    assert levels["organisation"] == 1 and levels["faculty"] == 1
    assert 6 <= levels["department"] <= 8 and 35 <= levels["team"] <= 45
    teams = set(units.loc[units["level"] == "team", "unit_id"])
    assert set(load_responses()["team"]) == teams
    assert units[["name_nl", "name_en"]].notna().all().all()


def test_about_six_hundred_staff_answer_at_sixty_to_eighty_percent_per_wave() -> None:
    per_wave = load_responses().groupby("wave").size()
    assert per_wave.between(360, 480).all()
    assert per_wave.nunique() == 3  # response varies between waves


def test_every_team_has_at_most_one_leader_answering_per_wave() -> None:
    frame = load_responses()
    leaders = frame[frame["role"] == "leader"].groupby(["wave", "team"]).size()
    assert leaders.max() == 1
    assert frame.loc[frame["role"] == "leader", "team"].nunique() == frame["team"].nunique()


# --- the planted patterns -------------------------------------------------------------------


def test_team_climate_differs_with_icc1_in_the_usual_organisational_range(
    demo: pd.DataFrame,
) -> None:
    values = {
        scale: np.mean([icc1(members(demo[demo["wave"] == wave]), scale) for wave in WAVES])
        for scale in ("speaking_up", "addressing_others", "relational_colleagues", "inclusion")
    }
    assert all(0.03 < value < 0.25 for value in values.values()), values
    assert 0.06 < np.mean(list(values.values())) < 0.2, values


def test_a_few_small_teams_have_only_three_or_four_respondents_in_every_wave(
    demo: pd.DataFrame,
) -> None:
    sizes = demo.groupby(["team", "wave"]).size().unstack()
    small = sizes[(sizes <= 4).all(axis=1)]
    assert 2 <= len(small) <= 4
    assert small.isin([3, 4]).all().all()
    others = sizes.drop(index=small.index)
    assert (others >= 5).sum(axis=1).min() >= 2  # a regular team dips below 5 at most once
    assert others.median().min() >= 8


def test_the_polarised_team_has_an_ordinary_mean_but_an_unsafe_minority(
    demo: pd.DataFrame,
) -> None:
    people = members(demo)
    team = people[people["team"] == POLARISED_TEAM]["relational_colleagues"].dropna()
    assert abs(team.mean() - people["relational_colleagues"].mean()) < 0.35
    assert 0.18 < (team < 3).mean() < 0.4
    # Bimodal: Sarle's bimodality coefficient above the uniform distribution's 5/9.
    n = len(team)
    skew, excess = stats.skew(team, bias=False), stats.kurtosis(team, bias=False)
    coefficient = (skew**2 + 1) / (excess + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
    assert coefficient > 5 / 9
    # It has the widest spread of all teams large enough to show.
    sd = people.groupby("team")["relational_colleagues"].agg(["std", "count"])
    assert sd[sd["count"] >= 15]["std"].idxmax() == POLARISED_TEAM


def test_international_staff_score_lower_on_inclusion_and_speaking_up_within_and_between_teams(
    demo: pd.DataFrame,
) -> None:
    people = members(demo).dropna(subset=["nationality_group"])
    international = people["nationality_group"] == "international"
    for scale in ("inclusion", "speaking_up"):
        raw = people.loc[~international, scale].mean() - people.loc[international, scale].mean()
        centred = people[scale] - people.groupby(["wave", "team"])[scale].transform("mean")
        within = centred[~international].mean() - centred[international].mean()
        assert raw > 0.3, (scale, raw)
        # Partly within teams, partly because international staff sit in less safe teams.
        assert 0.1 < within < raw - 0.05, (scale, within, raw)


def test_junior_and_temporary_staff_feel_less_free_to_speak_up_and_address_others(
    demo: pd.DataFrame,
) -> None:
    people = members(demo)
    for scale in ("speaking_up", "addressing_others"):
        by_position = people.groupby("position")[scale].mean()
        assert by_position["phd"] < by_position["assistant_professor"]
        assert by_position["postdoc"] < by_position["assistant_professor"]
        assert by_position["assistant_professor"] < by_position["full_professor"]
        by_contract = people.groupby("contract")[scale].mean()
        assert by_contract["permanent"] - by_contract["temporary"] > 0.15


def test_teams_of_leaders_who_feel_less_safe_themselves_feel_less_safe_with_their_leader(
    demo: pd.DataFrame,
) -> None:
    leader_own = demo[demo["role"] == "leader"].set_index(["wave", "team"])["leader_own"]
    team_mean = members(demo).groupby(["wave", "team"])["relational_leader"].mean()
    paired = pd.concat([leader_own, team_mean], axis=1, join="inner").dropna()
    assert len(paired) > 90
    r = stats.pearsonr(paired["leader_own"], paired["relational_leader"]).statistic
    assert 0.3 < r < 0.9


def test_one_department_improves_and_one_declines_over_the_waves(demo: pd.DataFrame) -> None:
    people = members(demo)
    climate = [s.id for s in INSTRUMENT.scales if s.role == "climate"]
    people = people.assign(climate=people[climate].mean(axis=1))
    means = people.groupby(["department", "wave"])["climate"].mean().unstack()[list(WAVES)]
    change = means[WAVES[-1]] - means[WAVES[0]]
    assert change[IMPROVING_DEPARTMENT] > 0.3
    assert change[DECLINING_DEPARTMENT] < -0.3
    assert means.loc[DECLINING_DEPARTMENT].is_monotonic_decreasing
    others = change.drop([IMPROVING_DEPARTMENT, DECLINING_DEPARTMENT])
    assert others.abs().max() < 0.3


def test_unwanted_behaviour_is_common_but_below_the_sector_figures(demo: pd.DataFrame) -> None:
    experienced = demo[[i.id for i in INSTRUMENT.scale("unwanted_experienced").items]]
    witnessed = demo[[i.id for i in INSTRUMENT.scale("unwanted_witnessed").items]]
    any_experienced = (experienced == 1).any(axis=1).mean()
    any_witnessed = (witnessed == 1).any(axis=1).mean()
    # Labour Inspectorate 2024: 54% experienced, 69% witnessed in two years.
    assert 0.3 < any_experienced < 0.54
    assert any_experienced < any_witnessed < 0.69
    # Less safe climates go with more unwanted behaviour.
    unsafe = demo["relational_colleagues"] < 3
    assert (experienced[unsafe] == 1).any(axis=1).mean() > any_experienced + 0.1


def test_the_generator_refuses_nothing_but_writes_both_files_into_a_new_folder(tmp_path) -> None:
    target = tmp_path / "nested" / "demo"
    assert main(["--out", str(target), "--seed", "3"]) == 0
    units = pd.read_csv(target / "units.csv")
    responses = pd.read_csv(target / "responses.csv")
    assert len(units) == len(load_units())
    assert np.isin(responses["team"].unique(), units["unit_id"]).all()
