"""Synthetic survey data for the benchmark: respondents in teams in a four-level unit tree.

Everything is generated with vectorised numpy from one seed, so a million respondents take about
a second and the same seed always gives the same data.

The shape mirrors a Vrijuit survey: 30 items on a 1..5 agreement scale in 6 scales of 5 items
(the second item of every scale reverse-keyed, like Edmondson's items), "prefer not to say"
stored as missing, a gender and a position attribute, and teams of very different sizes (some of
a single person) under departments, faculties and one organisation. Person answers follow a
random-intercept model (a team effect shared by the team's members plus a person effect), a small
gender gap inside teams, and a few polarised teams where a third of the members feel unsafe.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "CUTOFF",
    "GENDERS",
    "HIGH",
    "LOW",
    "MIN_ITEMS",
    "POSITIONS",
    "BenchData",
    "ScaleSpec",
    "instrument_yaml",
    "make_data",
    "write_csv",
]

LOW, HIGH = 1, 5
CUTOFF = 3.0  # a person score strictly below 3 means "on average disagrees the team is safe"
MIN_ITEMS = 3  # a scale score needs at least 3 of its 5 items answered
SCALE_NAMES = ("climate", "voice", "leader", "learning", "respect", "inclusion")
ITEMS_PER_SCALE = 5
GENDERS = ("man", "woman", "other")
GENDER_SHARES = (0.50, 0.47, 0.03)
# Ordered hierarchy levels (support staff is a separate group, listed last).
POSITIONS = ("phd", "postdoc", "assistant", "associate", "full", "support")
POSITION_SHARES = (0.25, 0.12, 0.15, 0.08, 0.07, 0.33)
POSITION_EFFECT = (-0.15, -0.10, -0.05, 0.05, 0.15, 0.0)


@dataclass(frozen=True)
class ScaleSpec:
    """One scale: its id, its item column names and which items are reverse-keyed."""

    id: str
    items: tuple[str, ...]
    reverse: tuple[bool, ...]


@dataclass(frozen=True)
class BenchData:
    """A generated survey.

    Attributes
    ----------
    responses
        One row per respondent: ``respondent_id``, ``team``, ``gender``, ``position`` and one float
        column per item (NaN = missing).
    units
        The unit tree: ``unit_id``, ``parent_id`` (missing for the root), ``name_en``, ``name_nl``,
        ``level`` (organisation, faculty, department, team). Teams are the leaves.
    scales
        The scales, in order.
    """

    responses: pd.DataFrame
    units: pd.DataFrame
    scales: tuple[ScaleSpec, ...]

    @property
    def item_columns(self) -> list[str]:
        return [item for scale in self.scales for item in scale.items]

    def items(self, scale: ScaleSpec) -> npt.NDArray[np.float64]:
        """The raw (not reverse-keyed) item matrix of one scale, N × K."""
        return self.responses[list(scale.items)].to_numpy(dtype=np.float64, copy=True)


def default_scales(n_items: int = 30) -> tuple[ScaleSpec, ...]:
    """``n_items`` items in scales of 5 (the last scale takes the remainder)."""
    if n_items < 2:
        raise ValueError("need at least 2 items.")
    n_scales = max(1, n_items // ITEMS_PER_SCALE)
    scales = []
    start = 0
    for s in range(n_scales):
        stop = n_items if s == n_scales - 1 else start + ITEMS_PER_SCALE
        name = SCALE_NAMES[s] if s < len(SCALE_NAMES) else f"scale{s + 1}"
        items = tuple(f"{name}_{i + 1}" for i in range(stop - start))
        reverse = tuple(i == 1 for i in range(stop - start))
        scales.append(ScaleSpec(id=name, items=items, reverse=reverse))
        start = stop
    return tuple(scales)


def _unit_tree(n_teams: int) -> tuple[pd.DataFrame, npt.NDArray[np.str_]]:
    """Organisation → faculties → departments → teams; returns the tree and the team ids."""
    n_departments = max(1, n_teams // 25)
    n_faculties = max(1, n_departments // 20)
    team_ids = np.char.add("T", np.char.zfill(np.arange(1, n_teams + 1).astype(str), 6))
    dept_ids = np.char.add("D", np.char.zfill(np.arange(1, n_departments + 1).astype(str), 5))
    fac_ids = np.char.add("F", np.char.zfill(np.arange(1, n_faculties + 1).astype(str), 3))
    team_parent = dept_ids[np.arange(n_teams) * n_departments // n_teams]
    dept_parent = fac_ids[np.arange(n_departments) * n_faculties // n_departments]
    unit_id = np.concatenate([["ORG"], fac_ids, dept_ids, team_ids])
    parent = np.concatenate([[None], np.full(n_faculties, "ORG"), dept_parent, team_parent])
    level = np.repeat(
        ["organisation", "faculty", "department", "team"],
        [1, n_faculties, n_departments, n_teams],
    )
    level_nl = np.repeat(
        ["organisatie", "faculteit", "afdeling", "team"],
        [1, n_faculties, n_departments, n_teams],
    )
    names_en = np.char.add(np.char.add(level.astype(str), " "), unit_id.astype(str))
    names_nl = np.char.add(np.char.add(level_nl.astype(str), " "), unit_id.astype(str))
    units = pd.DataFrame(
        {
            "unit_id": unit_id.astype(object),
            "parent_id": parent.astype(object),
            "name_en": names_en.astype(object),
            "name_nl": names_nl.astype(object),
            "level": level.astype(object),
        }
    )
    return units, team_ids


def make_data(
    n_respondents: int,
    *,
    n_items: int = 30,
    n_teams: int | None = None,
    missing_rate: float = 0.02,
    seed: int = 20240514,
) -> BenchData:
    """Generate a survey of ``n_respondents`` people in ``n_teams`` teams (default N / 50).

    Every team gets at least one respondent; the rest are spread with log-normal team weights,
    so sizes range from 1 to several times the mean.
    """
    if n_respondents < 1:
        raise ValueError("need at least one respondent.")
    J = n_teams if n_teams is not None else max(2, n_respondents // 50)
    if not 1 <= J <= n_respondents:
        raise ValueError("need between 1 and n_respondents teams.")
    rng = np.random.default_rng(seed)
    scales = default_scales(n_items)
    units, team_ids = _unit_tree(J)

    weights = rng.lognormal(0.0, 0.7, J)
    sizes = 1 + rng.multinomial(n_respondents - J, weights / weights.sum())
    team = rng.permutation(np.repeat(np.arange(J), sizes))
    N = n_respondents

    gender = rng.choice(len(GENDERS), size=N, p=GENDER_SHARES)
    position = rng.choice(len(POSITIONS), size=N, p=POSITION_SHARES)

    S = len(scales)
    team_effect = rng.normal(0.0, 0.35, J)[:, np.newaxis] + rng.normal(0.0, 0.15, (J, S))
    polarised = rng.random(J) < 0.03
    unsafe_minority = polarised[team] & (rng.random(N) < 0.33)
    person = (
        0.5 * rng.normal(0.0, 1.0, N)
        - 0.20 * (gender == 1)
        - 0.30 * (gender == 2)
        + np.asarray(POSITION_EFFECT)[position]
        - 1.8 * unsafe_minority
        + 0.4 * polarised[team]
    )
    latent = team_effect[team] + person[:, np.newaxis] + rng.normal(0.0, 0.4, (N, S))
    del team_effect, person

    columns: dict[str, object] = {
        "respondent_id": np.arange(1, N + 1),
        "team": team_ids[team].astype(object),
        "gender": np.asarray(GENDERS, dtype=object)[gender],
        "position": np.asarray(POSITIONS, dtype=object)[position],
    }
    for s, scale in enumerate(scales):
        K = len(scale.items)
        raw = 3.6 + 0.9 * latent[:, [s]] + rng.normal(0.0, 0.7, (N, K))
        answers = np.clip(np.rint(raw), LOW, HIGH)
        flip = np.asarray(scale.reverse)
        answers[:, flip] = (LOW + HIGH) - answers[:, flip]
        answers[rng.random((N, K)) < missing_rate] = np.nan
        for k, item in enumerate(scale.items):
            columns[item] = answers[:, k]
    responses = pd.DataFrame(columns)
    return BenchData(responses=responses, units=units, scales=scales)


def instrument_yaml(scales: tuple[ScaleSpec, ...]) -> str:
    """The benchmark's scales as a Vrijuit instrument file (for the importer and the report)."""
    lines = [
        "id: bench",
        'version: "1"',
        "name: {en: Benchmark instrument, nl: Benchmarkinstrument}",
        "description: {en: Synthetic scales for the benchmark., nl: Synthetische schalen.}",
        "source: {citation: Generated by bench/make_data.py, licence: CC0}",
        "prefer_not_to_say: {en: Prefer not to say, nl: Zeg ik liever niet}",
        "response_formats:",
        "  - id: agree5",
        "    kind: likert",
        f"    low: {LOW}",
        f"    high: {HIGH}",
        "    labels:",
    ]
    lines += [f"      {a}: {{en: Option {a}, nl: Optie {a}}}" for a in range(LOW, HIGH + 1)]
    lines.append("scales:")
    for number, scale in enumerate(scales):
        lines += [
            f"  - id: {scale.id}",
            f"    name: {{en: {scale.id}, nl: {scale.id}}}",
            f"    description: {{en: Scale {scale.id}., nl: Schaal {scale.id}.}}",
            "    role: climate",
            "    audience: all",
            f"    headline: {'true' if number == 0 else 'false'}",
            "    response_format: agree5",
            f"    min_items: {MIN_ITEMS}",
            f"    unsafe_below: {CUTOFF}",
            "    items:",
        ]
        for item, reverse in zip(scale.items, scale.reverse, strict=True):
            lines += [f"      - id: {item}", f"        reverse: {'true' if reverse else 'false'}"]
            lines.append(f"        text: {{en: Item {item}., nl: Item {item}.}}")
    return "\n".join(lines) + "\n"


def write_csv(data: BenchData, path: Path) -> None:
    """Write the responses as a survey-export-like CSV (answers as integers, missing empty)."""
    data.responses.to_csv(path, index=False, float_format="%.0f", na_rep="")


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic Vrijuit survey as CSV.")
    parser.add_argument("--size", type=int, default=100_000, help="number of respondents")
    parser.add_argument("--teams", type=int, default=None, help="number of teams (default N/50)")
    parser.add_argument("--seed", type=int, default=20240514)
    parser.add_argument("out", type=Path, help="directory for responses.csv and units.csv")
    args = parser.parse_args()
    data = make_data(args.size, n_teams=args.teams, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(data, args.out / "responses.csv")
    data.units.to_csv(args.out / "units.csv", index=False)
    print(f"wrote {len(data.responses)} respondents in {args.out}")


if __name__ == "__main__":
    main()
