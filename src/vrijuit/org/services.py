"""State changes of the organisation: applying an HR import, keeping subtree paths right."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from vrijuit.accounts.hr_accounts import apply_accounts, current_states, plan_accounts
from vrijuit.org.hrimport import Plan
from vrijuit.org.models import LEVEL_RANK, HrUpload, Leadership, Person, Unit

# What an HR import writes on an existing person; self-declared background is not in it.
HR_FIELDS = ["name", "email", "language", "unit", "position_level", "contract", "active"]


def rebuild_paths() -> int:
    """Recompute every unit's materialised path from the parent links; returns units changed."""
    units = {unit.pk: unit for unit in Unit.objects.all()}
    paths: dict[int, str] = {}

    def path_of(pk: int) -> str:
        if pk not in paths:
            unit = units[pk]
            prefix = path_of(unit.parent_id) if unit.parent_id else "/"
            paths[pk] = f"{prefix}{pk}/"
        return paths[pk]

    changed = []
    for pk, unit in units.items():
        new = path_of(pk)
        if unit.path != new:
            unit.path = new
            changed.append(unit)
    Unit.objects.bulk_update(changed, ["path"], batch_size=500)
    return len(changed)


@transaction.atomic
def apply_hr_plan(plan: Plan, upload: HrUpload | None = None) -> dict[str, int]:
    """Write a plan from ``hrimport.make_plan`` in one transaction; returns the counts.

    The caller re-makes the plan right before (and checks its fingerprint), so what is written
    is what the administrator saw. Accounts then follow the people as they now are
    (``accounts.hr_accounts``): made with an invitation, closed, reopened, readdressed; the
    invitations go out after the commit.
    """
    _apply_units(plan)
    _apply_people(plan)
    counts: dict[str, int] = {**plan.counts(), **apply_accounts(plan_accounts(current_states()))}
    if upload is not None:
        # The files are personal data and no longer needed: keep only the counts.
        upload.units_content = b""
        upload.people_content = b""
        upload.applied_at = timezone.now()
        upload.summary = counts
        upload.save()
    return counts


def _apply_units(plan: Plan) -> None:
    if not (plan.units_add or plan.units_update or plan.units_deactivate):
        return
    by_ext = {unit.external_id: unit for unit in Unit.objects.all()}
    entries = sorted(
        [*plan.units_add, *plan.units_update], key=lambda e: LEVEL_RANK[e.values["level"]]
    )
    # Parents first (levels go down the tree), so every parent exists when a child is saved.
    for entry in entries:
        unit = by_ext.get(entry.external_id) or Unit(external_id=entry.external_id)
        unit.name_nl = entry.values["name_nl"]
        unit.name_en = entry.values["name_en"]
        unit.level = entry.values["level"]
        unit.parent = by_ext[entry.values["parent"]] if entry.values["parent"] else None
        unit.active = True
        unit.save()
        by_ext[entry.external_id] = unit
    Unit.objects.filter(
        external_id__in=[entry.external_id for entry in plan.units_deactivate]
    ).update(active=False)
    rebuild_paths()  # a moved unit takes its subtree with it


def _apply_people(plan: Plan) -> None:
    units = {unit.external_id: unit for unit in Unit.objects.all()}
    existing = {p.external_id: p for p in Person.objects.all()}
    entries = [*plan.people_add, *plan.people_update]
    # Addresses may move between people in one file: free the changed ones first (unique).
    moving = [
        existing[e.external_id]
        for e in plan.people_update
        if any(c.field == "email" for c in e.changes)
    ]
    for person in moving:
        person.email = f"moving-{person.pk}@invalid.invalid"
        person.save(update_fields=["email"])
    for entry in entries:
        values = entry.values
        person = existing.get(entry.external_id) or Person(external_id=entry.external_id)
        person.name = values["name"]
        person.email = values["email"]
        person.language = values["language"]
        person.unit = units[values["unit"]]
        person.position_level = values["position_level"]
        person.contract = values["contract"]
        person.active = True
        # Only the HR fields: a declaration the person saves meanwhile is never overwritten.
        person.save(update_fields=HR_FIELDS if person.pk else None)
        wanted = {ext for ext in values["leads"].split(", ") if ext}
        current = set(person.led_units.values_list("external_id", flat=True))
        if wanted != current:
            Leadership.objects.filter(person=person).exclude(unit__external_id__in=wanted).delete()
            Leadership.objects.bulk_create(
                [Leadership(person=person, unit=units[ext]) for ext in sorted(wanted - current)]
            )
    Person.objects.filter(
        external_id__in=[entry.external_id for entry in plan.people_deactivate]
    ).update(active=False)
