"""Computing a wave's results: reporting-store rows → the engine → a stored snapshot.

This is the one module that reads ``surveys.Response`` rows (answers). Everything after it
(pages, CSV, PDF) reads ``ResultSnapshot`` rows only.

Disclosure (docs/results.md):

* **R9, the cells promised at launch.** Organisation × value cells exist only for the wave's
  ``report_attributes`` and unit × value cells only for its ``unit_attributes`` that are also
  report attributes (a split per unit adds up to the split of the whole organisation, so the
  wave form asks for both; ``promised_attributes``). Nothing else is built, planned, computed
  or stored.
* **P8, one plan for every role.** The engine plans the lattice of every cell any role can see
  (every unit with its subtree, organisation × each report attribute value, unit × each unit
  attribute value) once; each role's view is a subset of the shown cells, so the union of all
  views is audited as a whole. The engine hands its plan over (``build_report(on_plan=...)``),
  so the lattice is planned once.
* **P9, snapshots over time.** A second snapshot of the same wave is planned again with the
  released ones as ``EarlierRelease``: a unit that gained 1..k−1 responses since is not shown
  with its new count. The snapshot's ``shown`` is the intersection of the engine's plan and this
  plan; a subset of a safe set is safe (its span only shrinks).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone
from threadpoolctl import threadpool_limits

from vrijuit.org.models import PositionLevel, Unit
from vrijuit.results.models import ResultSnapshot
from vrijuit.stats import ENGINE_VERSION
from vrijuit.stats._labels import label_texts
from vrijuit.stats.disclosure import EarlierRelease, cells_for_report, plan_disclosure
from vrijuit.stats.instruments import Instrument, load_instrument
from vrijuit.stats.report import build_report, cell_id
from vrijuit.stats.rollup import UnitTree

# The column names the engine reads; respondent ids are the reporting store's random UUIDs.
TEAM = "team"
ROLE = "role"
LEADER = "leader"
POSITION_ORDER = [
    PositionLevel.PHD,
    PositionLevel.POSTDOC,
    PositionLevel.ASSISTANT_PROFESSOR,
    PositionLevel.ASSOCIATE_PROFESSOR,
    PositionLevel.FULL_PROFESSOR,
]


@functools.lru_cache(maxsize=8)
def _instrument(name: str) -> Instrument:
    # A shipped instrument never changes while the process runs; parsing its YAML takes longer
    # than computing a small wave.
    return load_instrument(name)


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run the engine with one BLAS thread.

    Its matrices are tiny (items × items, teams); with threads every small product waits for a
    thread on a shared machine (a 20-answer wave took 2 s instead of 0.1 s on a busy 2-core
    host), and a web worker is one process per core already.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def tree_of(units: Sequence[Unit]) -> dict[str, str | None]:
    """Unit id → parent id (text), for the tree holding ``units``: the whole organisation."""
    root_ids = {u.path.strip("/").split("/")[0] for u in units if u.path}
    everything = Unit.objects.filter(path__regex=r"^/(" + "|".join(sorted(root_ids)) + r")/")
    return {
        str(u.pk): None if u.parent_id is None else str(u.parent_id)
        for u in everything.only("pk", "parent_id")
    }


def _unit_tree(parents: dict[str, str | None]) -> UnitTree:
    units = Unit.objects.filter(pk__in=[int(u) for u in parents])
    names = {str(u.pk): u for u in units}
    frame = pd.DataFrame(
        {
            "unit_id": list(parents),
            "parent_id": list(parents.values()),
            "name_nl": [names[u].name_nl for u in parents],
            "name_en": [names[u].name_en or names[u].name_nl for u in parents],
            "level": [names[u].level for u in parents],
        }
    )
    return UnitTree.from_frame(frame, name_en="name_en", name_nl="name_nl", level="level")


def _labels(values: Sequence[Any]) -> np.ndarray[Any, Any]:
    # Sealed attributes store "" for "not declared": missing, like an attribute that is absent.
    return label_texts(values, blank_is_missing=True)


def responses_frame(wave: Any, attributes: Sequence[str]) -> pd.DataFrame:
    """The wave's reporting-store rows as the engine's table: one row per response."""
    from vrijuit.surveys.models import Response
    from vrijuit.surveys.sealing import open_responses

    instrument = _instrument(wave.instrument)
    items = list(instrument.item_ids())
    leader_items = [i for s in instrument.scales if s.role == "leader_own" for i in s.item_ids]
    rows = list(
        Response.objects.filter(wave=wave)
        .order_by("id")
        .values_list("id", "unit_id", "sealed_attributes", "answers")
    )
    frame = pd.DataFrame(
        [[row[3].get(item) for item in items] for row in rows], columns=items, dtype=float
    )
    frame.index = pd.Index([str(row[0]) for row in rows], name="respondent")
    frame[TEAM] = [str(row[1]) for row in rows]
    # Sealed with the reporting key; a wrong or missing key raises, naming the setting.
    opened = open_responses(wave.pk, [(row[0], row[2]) for row in rows])
    for name in attributes:
        frame[name] = _labels([row_attributes.get(name) for row_attributes in opened])
    # Leaders answer the leaders-only block; that is all "role" means to the engine, and it is
    # used only in the organisation-level correlation of leaders' safety with their teams'.
    answered = frame[leader_items].notna().any(axis=1) if leader_items else False
    frame[ROLE] = np.where(answered, LEADER, "staff")
    return frame


def promised_attributes(wave: Any) -> tuple[list[str], list[str]]:
    """The attributes the wave's respondents were told about at launch (R9).

    Returns (organisation × value attributes, unit × value attributes). A unit attribute counts
    only when it is a report attribute too: the unit × value cells of the units just below the
    organisation add up to the organisation × value cell, so splitting every unit by an
    attribute splits the organisation by it. The wave form refuses the combination; a wave
    launched before it did gets no unit × value cells for such an attribute (less than promised
    is always allowed, more never).
    """
    from vrijuit.surveys.models import ATTRIBUTES

    report = [a for a in ATTRIBUTES if a in wave.report_attributes]
    unit = [a for a in report if a in wave.unit_attributes]
    return report, unit


def _levels(report_attributes: Sequence[str]) -> dict[str, list[str]]:
    # The hierarchy-level trend shows organisation × position level cells: only when promised.
    if "position_level" not in report_attributes:
        return {}
    return {"position_level": [str(p) for p in POSITION_ORDER]}


def _everything_lattice(
    frame: pd.DataFrame, parents: Mapping[Any, Any], attributes: Sequence[str]
) -> Any:
    """Every organisation × value and unit × value cell of ``attributes``: a superset of any
    lattice a snapshot of this wave was ever planned on (older snapshots were planned with every
    attribute per unit), so no released cell can go missing from the audit over time."""
    labels = {name: frame[name].to_numpy(dtype=object) for name in attributes}
    return cells_for_report(
        frame[TEAM].to_numpy(dtype=object), parents, labels, unit_attributes=tuple(attributes)
    )


def _earlier_releases(
    wave: Any, frame: pd.DataFrame, attributes: Sequence[str]
) -> list[EarlierRelease]:
    position = {rid: row for row, rid in enumerate(frame.index)}
    releases = []
    for snapshot in wave.snapshots.filter(released_at__isnull=False).order_by("created_at"):
        ids = [rid for rid in snapshot.respondents if rid in position]
        if len(ids) != len(snapshot.respondents):
            # Rows that were released cannot disappear without the audit losing track of them.
            raise ValueError(f"snapshot {snapshot.pk}: released responses are missing now.")
        rows = np.asarray([position[rid] for rid in ids], dtype=np.int64)
        earlier = frame.iloc[rows]
        lattice = _everything_lattice(earlier, snapshot.tree, attributes)
        released = set(snapshot.shown)
        shown = frozenset(key for key in lattice.keys if cell_id(key) in released)
        if len(shown) != len(released):
            # A released cell the audit cannot place would silently leave the span (P9).
            missing = sorted(released - {cell_id(key) for key in shown})[:3]
            raise ValueError(f"snapshot {snapshot.pk}: released cells {missing} are unknown now.")
        releases.append(EarlierRelease(lattice=lattice, shown=shown, rows=rows))
    return releases


def plan_results(
    frame: pd.DataFrame,
    instrument: Instrument,
    tree: UnitTree,
    *,
    report_attributes: Sequence[str],
    unit_attributes: Sequence[str],
    k: int,
    earlier: Sequence[EarlierRelease] = (),
) -> tuple[dict[str, Any], list[str]]:
    """The engine's report (as a dict) and the cells every role may see, without the database.

    Organisation × value cells only for ``report_attributes``, unit × value cells only for
    ``unit_attributes`` (a subset of them; R9). ``compute_wave_results`` stores what this
    returns; the P8 and R9 property tests call it directly on generated organisations.
    """
    planned: list[tuple[Any, Any]] = []
    with _one_blas_thread():
        report = build_report(
            frame,
            instrument,
            team_column=TEAM,
            tree=tree,
            by=list(report_attributes),
            unit_attributes=list(unit_attributes),
            unit_gaps_every_scale=True,  # analysts choose the scale (presentation.unit_gaps_view)
            levels=_levels(report_attributes),
            k=k,
            role_column=ROLE,
            leader_role=LEADER,
            on_plan=lambda lattice, plan: planned.append((lattice, plan)),
        )
        # The engine's own lattice and plan: the report's numbers are exactly its shown cells.
        ((lattice, engine_plan),) = planned
        over_time = plan_disclosure(lattice, k=k, earlier=earlier) if earlier else engine_plan
    shown = sorted(cell_id(key) for key in engine_plan.shown & over_time.shown)
    report_dict = report.to_dict()
    # Cells the engine showed but the audit over time hides: explained like any suppression.
    withheld = sorted(engine_plan.shown - over_time.shown)
    report_dict["withheld_over_time"] = [
        {
            "cell": cell_id(key),
            "kind": key.kind,
            "unit_id": key.unit or None,
            "attribute": key.attribute or None,
            "value": key.value or None,
            "reason": "earlier_release",
        }
        for key in withheld
    ]
    return report_dict, shown


@transaction.atomic
def compute_wave_results(wave: Any, *, release: bool = True) -> ResultSnapshot:
    """Run the engine on the wave's responses and store a snapshot (released unless asked not).

    Called by ``surveys.services.close_wave`` after the inbox is flushed; safe to call again
    after late flushes (the new snapshot is audited against the released ones, P9). A wave
    with fewer than k responses still gets a snapshot: it shows nothing, and the pages say so.
    """
    instrument = _instrument(wave.instrument)
    report_attributes, unit_attributes = promised_attributes(wave)
    # Every stored attribute is read, for the audit over time only (``_everything_lattice``).
    frame = responses_frame(wave, wave.all_attributes)
    scope = list(wave.units.all()) or list(Unit.objects.filter(pk__in=set(frame[TEAM].astype(int))))
    parents = tree_of(scope)
    report, shown = plan_results(
        frame,
        instrument,
        _unit_tree(parents),
        report_attributes=report_attributes,
        unit_attributes=unit_attributes,
        k=wave.k,
        earlier=_earlier_releases(wave, frame, wave.all_attributes),
    )
    return ResultSnapshot.objects.create(
        wave=wave,
        engine_version=ENGINE_VERSION,
        report=report,
        shown=shown,
        respondents=[str(rid) for rid in frame.index],
        tree=parents,
        released_at=timezone.now() if release else None,
    )


def _overlaps(paths: Sequence[str], others: Sequence[str]) -> bool:
    """Whether two scopes (materialised paths of their units) share a subtree."""
    return any(a.startswith(b) or b.startswith(a) for a in paths for b in others)


def earlier_snapshots(snapshot: ResultSnapshot) -> list[ResultSnapshot]:
    """For trends: the latest released snapshot of each earlier wave of the same instrument
    whose units overlap this wave's, oldest first (by opening date, then period)."""
    from vrijuit.surveys.models import Wave

    wave = snapshot.wave
    scope = [u.path for u in wave.units.all()]
    waves = [
        other
        for other in Wave.objects.filter(
            instrument=wave.instrument,
            opens_on__lt=wave.opens_on,
            snapshots__released_at__isnull=False,
        )
        .exclude(pk=wave.pk)
        .distinct()
        .prefetch_related("units")
        .order_by("opens_on", "period", "pk")
        if _overlaps(scope, [u.path for u in other.units.all()])
    ]
    latest: dict[int, ResultSnapshot] = {}
    for candidate in (
        ResultSnapshot.objects.filter(wave__in=waves, released_at__isnull=False)
        .select_related("wave")
        .order_by("created_at", "pk")
    ):
        latest[candidate.wave_id] = candidate  # the last one per wave wins
    return [latest[w.pk] for w in waves if w.pk in latest]


def latest_snapshot(wave: Any) -> ResultSnapshot | None:
    """The newest released snapshot of a wave: what every page shows."""
    snapshot: ResultSnapshot | None = (
        wave.snapshots.filter(released_at__isnull=False).order_by("-created_at", "-pk").first()
    )
    return snapshot
