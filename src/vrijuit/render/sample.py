"""A small hand-made Report with every section filled, for previews, examples and tests.

``python -m vrijuit.render.sample nl > sample.html`` shows what a report looks like without any
survey data. The numbers are invented but consistent (n ≥ k everywhere that numbers appear).
"""

from __future__ import annotations

import sys

from vrijuit.stats.report_model import (
    AgreementSummary,
    Distribution,
    Flag,
    FlaggedTeam,
    Gap,
    GapSection,
    IccSummary,
    IncidentBlock,
    ItemDistribution,
    LeaderRelation,
    LevelMean,
    LevelTrend,
    Note,
    OrganisationScale,
    Reliability,
    Report,
    ScaleInfo,
    SectorFigure,
    Share,
    Suppression,
    Text,
    UnitScale,
    UnitSection,
    UnitTable,
    WavePoint,
    WaveSlope,
)

__all__ = ["sample_report", "sector_figure"]


def sector_figure() -> SectorFigure:
    """The Labour Inspectorate's 2024 university figures (source, year and sample included)."""
    return SectorFigure(
        source="Nederlandse Arbeidsinspectie",
        title="Psychosociale arbeidsbelasting universiteiten",
        year=2024,
        sample=Note("report.sector.sample", {"n": "9.000", "universities": 14}),
        figures=(
            Note("report.sector.experienced", {"percent": 54}),
            Note("report.sector.witnessed", {"percent": 69}),
        ),
    )


def sample_report() -> Report:
    """A complete small report: one organisation, two departments, three teams."""
    climate = ScaleInfo(
        "climate", Text("Team climate", "Teamklimaat"), "climate", True, 1.0, 5.0, 3.0, 3
    )
    voice = ScaleInfo(
        "voice", Text("Speaking up", "Je uitspreken"), "behaviour", False, 1.0, 5.0, None, 3
    )
    leader = ScaleInfo(
        "leader_own",
        Text("Leader's own safety", "Eigen veiligheid leider"),
        "leader_own",
        False,
        1.0,
        5.0,
        3.0,
        3,
    )
    incidents = ScaleInfo(
        "incidents",
        Text("Unwanted behaviour", "Ongewenst gedrag"),
        "incidents",
        False,
        0.0,
        1.0,
        None,
        2,
    )
    edges = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)
    org_climate = OrganisationScale(
        scale_id="climate",
        cell="unit:ORG",
        n=40,
        mean=3.62,
        sd=0.71,
        distribution=Distribution(edges, (1, 1, 2, 4, 8, 11, 9, 4)),
        share_below=Share(3.0, 0.2, 0.105, 0.348),
        reliability=Reliability(0.84, 0.74, 0.91, 0.85, 3, 40),
        icc=IccSummary(0.12, 0.01, 0.35, 0.52, 3, False),
        agreement=AgreementSummary(0.78, 0.81, 3, "uniform"),
        trend=(WavePoint("2025", 38, 3.41, 3.18, 3.64), WavePoint("2026", 40, 3.62, 3.39, 3.85)),
        wave_slope=WaveSlope(0.21, 0.08, 0.05, 0.37, 0.012, 2, "wave_value"),
        items=(
            ItemDistribution(
                "c1",
                Text("Mistakes are held against you", "Fouten worden je aangerekend"),
                True,
                (1, 2, 3, 4, 5),
                (10, 14, 8, 6, 2),
                40,
            ),
            ItemDistribution(
                "c2",
                Text("I can raise problems", "Ik kan problemen aankaarten"),
                False,
                (1, 2, 3, 4, 5),
                (2, 5, 9, 15, 9),
                40,
            ),
        ),
    )
    org_voice = OrganisationScale(
        "voice",
        "unit:ORG",
        40,
        3.9,
        0.6,
        Distribution(edges, (0, 1, 1, 3, 7, 12, 10, 6)),
        None,
        Reliability(0.79, 0.66, 0.88, None, 3, 40),
        None,
        None,
    )
    org_incidents = OrganisationScale(
        "incidents", "unit:ORG", 40, 0.3, 0.46, None, None, None, None, None
    )

    def team(
        unit_id: str,
        en: str,
        nl: str,
        parent: str,
        n: int,
        mean: float,
        flags: tuple[Flag, ...] = (),
        banded: bool = True,
    ) -> UnitSection:
        share = (
            Share(3.0, None, None, None, True, 0.0, 0.25) if banded else Share(3.0, 0.1, 0.03, 0.3)
        )
        return UnitSection(
            unit_id,
            f"unit:{unit_id}",
            Text(en, nl),
            parent,
            2,
            "team",
            True,
            n,
            (
                UnitScale(
                    "climate", n, mean, 0.6, mean - 0.05, None, share, 0.82, 0.71, 0.45, flags
                ),
            ),
        )

    polarised = Flag("polarised", {"share": "30%"})
    units = (
        UnitSection(
            "ORG",
            "unit:ORG",
            Text("University", "Universiteit"),
            None,
            0,
            "organisation",
            False,
            40,
            (
                UnitScale(
                    "climate",
                    40,
                    3.62,
                    0.71,
                    3.62,
                    Distribution(edges, (1, 1, 2, 4, 8, 11, 9, 4)),
                    Share(3.0, 0.2, 0.105, 0.348),
                    None,
                    None,
                    None,
                ),
            ),
        ),
        UnitSection(
            "D1",
            "unit:D1",
            Text("Faculty of Science", "Faculteit Bètawetenschappen"),
            "ORG",
            1,
            "faculty",
            False,
            28,
            (
                UnitScale(
                    "climate",
                    28,
                    3.55,
                    0.75,
                    3.57,
                    Distribution(edges, (1, 1, 1, 3, 6, 8, 6, 2)),
                    Share(3.0, 0.214, 0.102, 0.395),
                    None,
                    None,
                    None,
                ),
            ),
        ),
        team("T1", "Physics", "Natuurkunde", "D1", 14, 3.7, banded=False),
        team(
            "T2",
            "Chemistry",
            "Scheikunde",
            "D1",
            8,
            3.2,
            (polarised, Flag("low_agreement", {"rwg": 0.42})),
        ),
        team("T3", "Library", "Bibliotheek", "ORG", 12, 3.8, banded=False),
    )
    return Report(
        schema_version="1.0",
        engine_version="0.1.0",
        instrument_id="vrijuit",
        instrument_version="1",
        instrument_name=Text(
            "Vrijuit social safety survey", "Vrijuit-vragenlijst sociale veiligheid"
        ),
        k=5,
        n_respondents=40,
        scales=(climate, voice, leader, incidents),
        organisation=(org_climate,),
        units=UnitTable.from_sections(units),
        flagged=(FlaggedTeam("T2", "climate", (polarised,)),),
        gaps=(
            GapSection(
                "gender",
                "climate",
                None,
                True,
                (),
                (
                    Gap(
                        "man",
                        "attr:gender=man",
                        18,
                        22,
                        3.7,
                        3.55,
                        0.15,
                        -0.3,
                        0.6,
                        0.21,
                        -0.41,
                        0.83,
                        0.51,
                        0.1,
                        -0.2,
                        0.4,
                    ),
                    Gap(
                        "woman",
                        "attr:gender=woman",
                        22,
                        18,
                        3.55,
                        3.7,
                        -0.15,
                        -0.6,
                        0.3,
                        -0.21,
                        -0.83,
                        0.41,
                        0.51,
                    ),
                ),
            ),
            GapSection(
                "contract",
                "climate",
                None,
                False,
                (Note("report.alike.alpha_low", {"group": "temporary", "alpha": 0.41}),),
                (),
            ),
        ),
        levels=(
            LevelTrend(
                "position",
                "climate",
                (
                    LevelMean("phd", "attr:position=phd", 12, 3.4, 0.8),
                    LevelMean("postdoc", "attr:position=postdoc", 9, 3.6, 0.7),
                    LevelMean("professor", "attr:position=professor", 19, 3.8, 0.6),
                ),
                0.2,
                0.01,
                0.39,
                0.04,
            ),
        ),
        leaders=LeaderRelation("leader_own", "climate", 3, 0.35, -0.99, 1.0, 0.48),
        voice=(org_voice,),
        incidents=IncidentBlock((org_incidents,), sector_figure()),
        suppressed=(
            Suppression(
                "unit:T4", "unit", "T4", None, None, "below_k", name=Text("Archive", "Archief")
            ),
            Suppression("attr:gender=other", "attribute", None, "gender", "other", "below_k"),
            Suppression(
                "unit:T5",
                "unit",
                "T5",
                None,
                None,
                "complementary",
                "unit:D1",
                2,
                Text("Lab support", "Labondersteuning"),
            ),
        ),
        notes=(Note("report.note.sample"),),
    )


if __name__ == "__main__":  # pragma: no cover - a preview helper
    from vrijuit.render import render_html

    sys.stdout.write(render_html(sample_report(), sys.argv[1] if len(sys.argv) > 1 else "en"))
