"""Generate the synthetic demo faculty: units.csv and responses.csv, deterministic for a seed.

Run ``python -m vrijuit.demo.generate --out DIR --seed 2026`` (or ``vrijuit generate-demo``).
The shipped files in ``vrijuit/demo/data/`` are this generator's output for seed 2026; a test
regenerates them and fails when they drift from the code.

The data come from a latent multilevel model, not from real people:

* every person has a general climate level = team effect + department trend for the wave +
  person effect (+ the planted group effects below); each scale adds a scale-specific person
  deviation; each item adds noise and is cut into the answer categories at fixed thresholds
  (reverse-worded items are answered the other way round);
* yes/no items (voice behaviour, unwanted behaviour) are drawn from a logistic model on the same
  latent level, so people in less safe teams report more unwanted behaviour.

The planted patterns (each checked by ``tests/test_demo_data.py``, documented in the data README):
one polarised team, a minority gap, a hierarchy gradient, a leader-safety effect, one department
improving and one declining over the waves, and a few very small teams.
"""

from __future__ import annotations

import argparse
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_SEED",
    "DemoData",
    "ItemSpec",
    "generate_demo",
    "item_specs",
    "main",
    "write_demo",
]

DEFAULT_SEED = 2026
WAVES = ("2024-najaar", "2025-voorjaar", "2025-najaar")
ATTRIBUTES = ("role", "gender", "nationality_group", "position", "contract")

# --- the organisation --------------------------------------------------------------------------
# (unit id, Dutch name, English name, teams); a team is (id suffix, nl, en, headcount).
# Headcount 5 marks the small teams: only 3 or 4 of them answer in any wave.
_DEPARTMENTS: tuple[tuple[str, str, str, tuple[tuple[str, str, str, int], ...]], ...] = (
    (
        "psy",
        "Psychologie",
        "Psychology",
        (
            ("klin", "Klinische Psychologie", "Clinical Psychology", 20),
            ("soc", "Sociale Psychologie", "Social Psychology", 22),
            ("ontw", "Ontwikkelingspsychologie", "Developmental Psychology", 16),
            ("cogn", "Cognitieve Psychologie", "Cognitive Psychology", 18),
            ("gez", "Gezondheidspsychologie", "Health Psychology", 14),
            ("ao", "Arbeids- en Organisatiepsychologie", "Work and Organisational Psychology", 15),
            ("meth", "Methodologie en Statistiek", "Methodology and Statistics", 12),
        ),
    ),
    (
        "ped",
        "Pedagogische Wetenschappen",
        "Education and Child Studies",
        (
            ("orth", "Orthopedagogiek", "Special Education", 16),
            ("gezin", "Gezinspedagogiek", "Family Studies", 13),
            ("ow", "Onderwijswetenschappen", "Educational Sciences", 17),
            ("jeugd", "Jeugd en Opvoeding", "Youth and Upbringing", 14),
            ("leren", "Leren en Innovatie", "Learning and Innovation", 12),
            ("kind", "Kinderopvang en Ontwikkeling", "Early Childhood Development", 5),
        ),
    ),
    (
        "soc",
        "Sociologie",
        "Sociology",
        (
            ("arb", "Arbeid en Organisatie", "Work and Organisations", 15),
            ("migr", "Migratie en Diversiteit", "Migration and Diversity", 16),
            ("lev", "Gezondheid en Levensloop", "Health and Life Course", 14),
            ("ongel", "Sociale Ongelijkheid", "Social Inequality", 17),
            ("comp", "Computationele Sociologie", "Computational Sociology", 13),
            ("crim", "Criminologie", "Criminology", 18),
        ),
    ),
    (
        "ant",
        "Culturele Antropologie en Ontwikkelingssociologie",
        "Cultural Anthropology and Development Sociology",
        (
            ("rel", "Antropologie van Religie", "Anthropology of Religion", 12),
            ("ontw", "Ontwikkelingsstudies", "Development Studies", 15),
            ("dig", "Digitale Antropologie", "Digital Anthropology", 13),
            ("duur", "Milieu en Duurzaamheid", "Environment and Sustainability", 14),
            ("vis", "Visuele Antropologie", "Visual Anthropology", 5),
        ),
    ),
    (
        "com",
        "Communicatiewetenschap",
        "Communication Science",
        (
            ("pol", "Politieke Communicatie", "Political Communication", 17),
            ("pers", "Persuasieve Communicatie", "Persuasive Communication", 16),
            ("media", "Jeugd en Media", "Youth and Media", 15),
            ("corp", "Corporate Communicatie", "Corporate Communication", 13),
            ("journ", "Journalistiek", "Journalism", 14),
            ("ent", "Entertainmentcommunicatie", "Entertainment Communication", 12),
        ),
    ),
    (
        "bsk",
        "Bestuurskunde",
        "Public Administration",
        (
            ("ob", "Openbaar Bestuur", "Public Governance", 16),
            ("beleid", "Beleidsanalyse", "Policy Analysis", 14),
            ("pm", "Publiek Management", "Public Management", 15),
            ("veil", "Veiligheid en Crisisbeheersing", "Security and Crisis Governance", 13),
            ("eur", "Europese Governance", "European Governance", 5),
        ),
    ),
    (
        "fb",
        "Faculteitsbureau",
        "Faculty Office",
        (
            ("onderwijs", "Onderwijsbureau", "Education Office", 16),
            ("hr", "Personeelszaken", "Human Resources", 12),
            ("onderzoek", "Onderzoeksondersteuning", "Research Support", 12),
            ("ict", "ICT en Lab", "IT and Lab", 14),
            ("comm", "Communicatie en Marketing", "Communications and Marketing", 12),
        ),
    ),
)
SUPPORT_DEPARTMENT = "fb"
POLARISED_TEAM = "psy-soc"
IMPROVING_DEPARTMENT = "soc"
DECLINING_DEPARTMENT = "com"
SMALL_HEADCOUNT = 5

# --- the latent model (all effects in latent units; item noise SD 0.7) -------------------------
MEAN_LEVEL = 0.8
TEAM_SD = 0.27
PERSON_SD = 0.75
SCALE_SD = 0.35
ITEM_SD = 0.70
WAVE_SD = 0.25  # a person's level moves a little between waves
THRESHOLDS = np.array([-1.55, -0.65, 0.25, 1.25])  # 5 categories; rescaled for other widths
TREND = {
    IMPROVING_DEPARTMENT: np.array([-0.40, 0.10, 0.60]),
    DECLINING_DEPARTMENT: np.array([0.40, -0.10, -0.60]),
}
# Planted group effects per construct (item-id prefix). "*" applies to every climate construct.
INTERNATIONAL_EFFECT = {"IN": -0.60, "SU": -0.40, "RC": -0.15, "AO": -0.10}
POSITION_EFFECT = {
    "phd": {"SU": -0.50, "AO": -0.55, "IC": -0.20, "FU": -0.15},
    "postdoc": {"SU": -0.40, "AO": -0.45, "IC": -0.15, "FU": -0.10},
    "assistant_professor": {"SU": -0.15, "AO": -0.20},
    "associate_professor": {},
    "full_professor": {"SU": 0.25, "AO": 0.25, "FU": 0.10},
    "support_staff": {"SU": -0.10, "AO": -0.15},
}
TEMPORARY_EFFECT = {"SU": -0.25, "AO": -0.25, "FU": -0.10}
LEADER_EFFECT_ON_RL = 0.4  # per SD of the leader's own safety
POLARISED_SHARE = 0.28
POLARISED_SHIFT = (-2.5, 0.95)  # the unsafe subgroup, the rest of the team
# Unwanted behaviour (past two years), base logits per form; lower climate raises the odds.
UB_LOGITS = {
    "bullying": -1.9,
    "discrimination": -2.5,
    "intimidation": -2.2,
    "sexual": -3.4,
    "aggression": -3.7,
    "misconduct": -2.6,
}
UB_WITNESSED_SHIFT = 0.8
UB_CLIMATE_SLOPE = -0.75
UB_FEMALE_SHIFT = 0.3
MISSING_RATE = 0.025  # "prefer not to say" and skipped items, on average
UNDISCLOSED_RATE = 0.04  # background attributes left empty


@dataclass(frozen=True)
class ItemSpec:
    """What the generator needs to know of one instrument item."""

    id: str
    scale: str
    construct: str  # the item-id prefix: SU, AO, RC, RL, IN, IC, FU, LO, VB, UB
    role: str  # climate | leader_own | behaviour | incidents
    audience: str  # all | leaders
    kind: str  # a likert kind, "yes_no" or "frequency"
    low: int
    high: int
    reverse: bool
    yes_code: int | None = None  # the code meaning "yes" for yes/no items
    follows: str | None = None  # a "how did it go" item asked only after a "yes" to this item
    text_en: str = ""


@dataclass(frozen=True)
class DemoData:
    """The generated demo faculty: the unit tree and all waves of responses."""

    units: pd.DataFrame
    responses: pd.DataFrame


def _construct(item_id: str) -> str:
    match = re.match(r"[A-Za-z]+", item_id)
    return match.group(0).upper() if match else item_id


def _yes_code(labels: Any, low: int, high: int) -> int:
    """The answer code whose English label is "yes" (the instrument declares the codes)."""
    for code, label in dict(labels or {}).items():
        text = getattr(label, "en", label)
        if isinstance(text, str) and text.strip().lower().startswith("yes"):
            return int(code)
    return high


def item_specs(instrument: Any) -> tuple[ItemSpec, ...]:
    """Read the items the generator fills in from an ``Instrument`` (``vrijuit.yaml``).

    The behaviour block asks "how did it go?" only after a "yes": its k-th rated (non yes/no)
    item follows its k-th yes/no item (VB4 after VB1, and so on), as the instrument's comment says.
    """
    specs: list[ItemSpec] = []
    for scale in instrument.scales:
        fmt = scale.response_format
        kind = str(fmt.kind)
        low, high = int(fmt.low), int(fmt.high)
        yes = _yes_code(getattr(fmt, "labels", None), low, high) if kind == "yes_no" else None
        for item in scale.items:
            text = getattr(item, "text", None)
            specs.append(
                ItemSpec(
                    id=str(item.id),
                    scale=str(scale.id),
                    construct=_construct(str(item.id)),
                    role=str(scale.role),
                    audience=str(scale.audience),
                    kind=kind,
                    low=low,
                    high=high,
                    reverse=bool(getattr(item, "reverse", False)),
                    yes_code=yes,
                    text_en=str(getattr(text, "en", "") or ""),
                )
            )
    asked = [s.id for s in specs if s.role == "behaviour" and s.kind == "yes_no"]
    rated = [s.id for s in specs if s.role == "behaviour" and s.kind != "yes_no"]
    follows = dict(zip(rated, asked, strict=False))
    return tuple(replace(s, follows=follows.get(s.id)) for s in specs)


def _uuid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _units_frame() -> pd.DataFrame:
    rows = [
        ("uni", "", "organisation", "Voorbeelduniversiteit", "Example University"),
        (
            "fsw",
            "uni",
            "faculty",
            "Faculteit der Sociale Wetenschappen",
            "Faculty of Social Sciences",
        ),
    ]
    for dept, dept_nl, dept_en, teams in _DEPARTMENTS:
        rows.append((dept, "fsw", "department", dept_nl, dept_en))
        rows.extend(
            (f"{dept}-{suffix}", dept, "team", name_nl, name_en)
            for suffix, name_nl, name_en, _ in teams
        )
    return pd.DataFrame(rows, columns=["unit_id", "parent_id", "level", "name_nl", "name_en"])


def _population(rng: np.random.Generator) -> pd.DataFrame:
    """The faculty's staff: one row per person, fixed over the waves."""
    teams: list[tuple[str, str, int]] = [
        (f"{dept}-{suffix}", dept, headcount)
        for dept, _, _, members in _DEPARTMENTS
        for suffix, _, _, headcount in members
    ]
    team_effect = rng.normal(0.0, TEAM_SD, size=len(teams))
    # The polarised team's average looks ordinary; its subgroup is planted per person below.
    team_index = {team: i for i, (team, _, _) in enumerate(teams)}
    team_effect[team_index[POLARISED_TEAM]] = 0.0
    leader_own = rng.normal(0.0, 1.0, size=len(teams))  # leaders' own safety, standardised
    rows: list[dict[str, Any]] = []
    for t, (team, dept, headcount) in enumerate(teams):
        support = dept == SUPPORT_DEPARTMENT
        for slot in range(headcount):
            leader = slot == 0
            if support:
                position = "support_staff"
            elif leader:
                position = str(rng.choice(["full_professor", "associate_professor"], p=[0.7, 0.3]))
            else:
                position = str(
                    rng.choice(
                        [
                            "phd",
                            "postdoc",
                            "assistant_professor",
                            "associate_professor",
                            "full_professor",
                            "support_staff",
                        ],
                        p=[0.36, 0.15, 0.2, 0.1, 0.05, 0.14],
                    )
                )
            temporary_p = {
                "phd": 1.0,
                "postdoc": 1.0,
                "assistant_professor": 0.35,
                "support_staff": 0.25,
            }.get(position, 0.0)
            temporary = (not leader) and rng.random() < temporary_p
            # Composition: international staff sit more often in the less safe teams.
            logit = -1.05 - 0.8 * team_effect[t] / TEAM_SD
            logit += 0.6 if position in ("phd", "postdoc") else 0.0
            logit -= 1.3 if support else 0.0
            international = rng.random() < 1.0 / (1.0 + np.exp(-logit))
            gender = str(rng.choice(["female", "male", "other"], p=[0.55, 0.435, 0.015]))
            rows.append(
                {
                    "team": team,
                    "department": dept,
                    "team_index": t,
                    "role": "leader" if leader else "member",
                    "gender": gender,
                    "nationality_group": "international" if international else "dutch",
                    "position": position,
                    "contract": "temporary" if temporary else "permanent",
                    "team_effect": team_effect[t],
                    "leader_own": leader_own[t],
                    "person_effect": rng.normal(0.0, PERSON_SD),
                    "polarised_unsafe": False,
                    "headcount": headcount,
                }
            )
    people = pd.DataFrame(rows)
    members = people.index[(people["team"] == POLARISED_TEAM) & (people["role"] == "member")]
    n_unsafe = round(POLARISED_SHARE * len(members))
    unsafe = rng.choice(members.to_numpy(), size=n_unsafe, replace=False)
    people.loc[unsafe, "polarised_unsafe"] = True
    # Centre the person effects within both halves of the polarised team, so that its mean is
    # ordinary by construction rather than by luck of the draw.
    for half in (unsafe, members.difference(list(unsafe))):
        people.loc[half, "person_effect"] -= people.loc[half, "person_effect"].mean()
    return people


def _categories(latent: np.ndarray, low: int, high: int) -> np.ndarray:
    """Cut latent values into the answer codes low..high (thresholds spread over the width)."""
    n_cat = high - low + 1
    cuts = THRESHOLDS if n_cat == 5 else np.linspace(THRESHOLDS[0], THRESHOLDS[-1], n_cat - 1)
    codes: np.ndarray = low + np.searchsorted(cuts, latent, side="left").astype(np.int64)
    return codes


def _logistic(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return result


def _ub_form(spec: ItemSpec) -> tuple[str, bool]:
    """Which form of unwanted behaviour an item asks about, and whether it is about witnessing."""
    text = spec.text_en.lower()
    witnessed = "witness" in spec.scale or any(word in text for word in ("seen", "saw"))
    for form, words in {
        "bullying": ("bully", "gossip", "pest"),
        "discrimination": ("discriminat",),
        "intimidation": ("intimidat", "abuse of power", "power"),
        "sexual": ("sexual",),
        "aggression": ("aggress", "violen"),
        "misconduct": ("misconduct", "integrity", "fraud"),
    }.items():
        if any(word in text for word in words):
            return form, witnessed
    return "bullying", witnessed


def _wave_answers(
    rng: np.random.Generator, people: pd.DataFrame, specs: Sequence[ItemSpec], wave: int
) -> pd.DataFrame:
    n = len(people)
    dept = people["department"].to_numpy()
    general = (
        MEAN_LEVEL
        + people["team_effect"].to_numpy()
        + people["person_effect"].to_numpy()
        + rng.normal(0.0, WAVE_SD, size=n)
    )
    for department, steps in TREND.items():
        general = general + np.where(dept == department, steps[wave], 0.0)
    unsafe = people["polarised_unsafe"].to_numpy()
    in_polarised = (people["team"] == POLARISED_TEAM).to_numpy() & (people["role"] == "member")
    general = general + np.where(
        unsafe, POLARISED_SHIFT[0], np.where(in_polarised, POLARISED_SHIFT[1], 0.0)
    )
    leader = (people["role"] == "leader").to_numpy()
    international = (people["nationality_group"] == "international").to_numpy()
    temporary = (people["contract"] == "temporary").to_numpy()
    position = people["position"].to_numpy()
    leader_own = people["leader_own"].to_numpy()
    female = (people["gender"] == "female").to_numpy()

    scale_level: dict[str, np.ndarray] = {}

    def construct_level(construct: str) -> np.ndarray:
        if construct in scale_level:
            return scale_level[construct]
        level: np.ndarray = general + rng.normal(0.0, SCALE_SD, size=n)
        level = level + international * INTERNATIONAL_EFFECT.get(construct, 0.0)
        level = level + temporary * TEMPORARY_EFFECT.get(construct, 0.0)
        for pos, effects in POSITION_EFFECT.items():
            level = level + (position == pos) * effects.get(construct, 0.0)
        if construct == "RL":
            # Members feel as safe with their leader as the leader feels with theirs; a leader's
            # own "leader" is their superior, so their answer tracks their own safety.
            level = level + np.where(leader, 0.7, LEADER_EFFECT_ON_RL) * leader_own
        if construct == "LO":
            level = MEAN_LEVEL + 0.85 * leader_own + rng.normal(0.0, 0.3, size=n)
        scale_level[construct] = level
        return level

    person_missing = rng.beta(1.0, 1.0 / MISSING_RATE - 1.0, size=n)
    answers: dict[str, np.ndarray] = {}
    for spec in specs:
        if spec.kind == "yes_no":
            if spec.role == "incidents":
                form, witnessed = _ub_form(spec)
                logit = (
                    UB_LOGITS[form]
                    + (UB_WITNESSED_SHIFT if witnessed else 0.0)
                    + UB_CLIMATE_SLOPE * (general - MEAN_LEVEL)
                    + UB_FEMALE_SHIFT * female
                )
            else:
                logit = -0.3 + 0.6 * (construct_level("SU") - MEAN_LEVEL)
            yes = rng.random(n) < _logistic(logit)
            yes_code = spec.high if spec.yes_code is None else spec.yes_code
            no_code = spec.low if yes_code != spec.low else spec.high
            values = np.where(yes, yes_code, no_code).astype(float)
        else:
            source = spec.construct if spec.role != "behaviour" else "RC"
            latent = construct_level(source) + rng.normal(0.0, ITEM_SD, size=n)
            codes = _categories(latent, spec.low, spec.high)
            if spec.reverse:
                codes = spec.low + spec.high - codes
            values = codes.astype(float)
        if spec.audience == "leaders":
            values[~leader] = np.nan
        if spec.follows is not None and spec.follows in answers:
            previous = next(s for s in specs if s.id == spec.follows)
            values[answers[spec.follows] != previous.yes_code] = np.nan
        values[rng.random(n) < person_missing] = np.nan
        answers[spec.id] = values
    return pd.DataFrame(answers, index=people.index)


def _respondents(rng: np.random.Generator, people: pd.DataFrame) -> np.ndarray:
    """Who answers this wave: ~60-80% per team, leaders mostly, 3 or 4 in the small teams."""
    responds = np.zeros(len(people), dtype=bool)
    for _, index in people.groupby("team", sort=True).groups.items():
        idx = np.asarray(index)
        if people.loc[idx[0], "headcount"] <= SMALL_HEADCOUNT:
            chosen = rng.choice(idx, size=int(rng.integers(3, 5)), replace=False)
            responds[chosen] = True
            continue
        rate = rng.uniform(0.6, 0.8)
        leader = (people.loc[idx, "role"] == "leader").to_numpy()
        responds[idx] = rng.random(len(idx)) < np.where(leader, 0.9, rate)
    return responds


def generate_demo(specs: Sequence[ItemSpec], *, seed: int = DEFAULT_SEED) -> DemoData:
    """Generate the demo faculty for ``specs`` (from :func:`item_specs`), deterministic per seed."""
    rng = np.random.default_rng(seed)
    people = _population(rng)
    frames: list[pd.DataFrame] = []
    for w, wave in enumerate(WAVES):
        answers = _wave_answers(rng, people, specs, w)
        responds = _respondents(rng, people)
        background = people.loc[responds, ["team", *ATTRIBUTES]].copy()
        for column in ("gender", "nationality_group", "position", "contract"):
            hidden = rng.random(len(background)) < UNDISCLOSED_RATE
            background[column] = background[column].where(~hidden, None)
        frame = pd.concat([background, answers.loc[responds]], axis=1)
        frame.insert(0, "wave", wave)
        frame.insert(0, "respondent_id", [_uuid(rng) for _ in range(len(frame))])
        # Export order carries no information: shuffle within the wave.
        frames.append(frame.iloc[rng.permutation(len(frame))])
    responses = pd.concat(frames, ignore_index=True)
    for spec in specs:
        responses[spec.id] = responses[spec.id].astype("Int64")
    columns = ["respondent_id", "wave", "team", *ATTRIBUTES, *(s.id for s in specs)]
    return DemoData(units=_units_frame(), responses=responses[columns])


def write_demo(out: str | Path, *, seed: int = DEFAULT_SEED, instrument: Any = None) -> DemoData:
    """Generate the demo data and write ``units.csv`` and ``responses.csv`` into ``out``."""
    if instrument is None:
        from vrijuit.stats.instruments import load_instrument

        instrument = load_instrument("vrijuit")
    data = generate_demo(item_specs(instrument), seed=seed)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    data.units.to_csv(folder / "units.csv", index=False, lineterminator="\n")
    data.responses.to_csv(folder / "responses.csv", index=False, lineterminator="\n")
    return data


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m vrijuit.demo.generate --out DIR --seed N``."""
    parser = argparse.ArgumentParser(
        prog="python -m vrijuit.demo.generate",
        description="Generate the synthetic Vrijuit demo faculty (units.csv, responses.csv).",
    )
    parser.add_argument("--out", required=True, help="folder to write the CSV files into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    data = write_demo(args.out, seed=args.seed)
    print(f"{len(data.responses)} responses in {len(data.units)} units written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
