"""The launch-time snapshot: who is invited, from which unit, with which coarsened attributes.

Coarsening (design: "Identity separation" 5): a category with fewer than k invitees in the wave
is merged into "other" *before* launch, so that no stored row names a category that small.

It is done once, over the whole wave, also for the attributes analysts see per unit
(``unit_attributes``). Coarsening those again within each unit would merge every category that
is small *in some team* — on the demo faculty about a quarter of all respondents ended up in
"other" for gender, and the organisation's own gender and position comparisons measured the
wrong groups. Small categories within a unit are protected where the numbers are shown instead:
a unit × value cell with fewer than k respondents is hidden (R1), and the differencing audit
(R2/R3) hides whatever would let it be worked out. The stored values are sealed with the
reporting key (``surveys.sealing``), so reading the database alone does not show them either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vrijuit.org.models import Person, Unit
from vrijuit.surveys.models import NOT_DECLARED, OTHER


@dataclass
class Invitee:
    person: Person
    unit_id: int
    leads_unit: bool
    attributes: dict[str, str]


def raw_attributes(person: Person, names: Iterable[str]) -> dict[str, str]:
    return {name: getattr(person, name, "") or NOT_DECLARED for name in names}


def invitees_of(units: Iterable[Unit]) -> list[Person]:
    """Every active person in the subtrees of ``units`` (each once), in a stable order."""
    roots = list(units)
    if not roots:
        return []
    scope = Unit.objects.active().subtrees(roots)
    return list(
        Person.objects.filter(active=True, unit__in=scope).select_related("unit").order_by("pk")
    )


def coarsen(
    rows: Sequence[dict[str, str]],
    groups: Sequence[object],
    attribute: str,
    k: int,
) -> None:
    """In place: within each group, values of ``attribute`` held by fewer than k rows → OTHER."""
    by_group: dict[object, list[int]] = {}
    for index, group in enumerate(groups):
        by_group.setdefault(group, []).append(index)
    for indices in by_group.values():
        while True:
            counts = Counter(rows[i][attribute] for i in indices)
            small = {value for value, n in counts.items() if n < k and value != OTHER}
            if not small:
                break
            for i in indices:
                if rows[i][attribute] in small:
                    rows[i][attribute] = OTHER


def take_snapshot(
    people: Sequence[Person],
    report_attributes: Sequence[str],
    unit_attributes: Sequence[str],
    k: int,
    leader_ids: set[int],
) -> list[Invitee]:
    names = [a for a in (*report_attributes, *unit_attributes) if a]
    names = list(dict.fromkeys(names))
    rows = [raw_attributes(person, names) for person in people]
    everyone = [0] * len(people)
    for name in names:
        coarsen(rows, everyone, name, k)
    return [
        Invitee(person, person.unit_id, person.pk in leader_ids, row)
        for person, row in zip(people, rows, strict=True)
    ]
