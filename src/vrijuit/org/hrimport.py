"""Planning an HR import: what would change if these files were applied, and which rows are
rejected and why. Nothing is written here; ``services.apply_hr_plan`` writes a plan.

Two files, each optional (a missing file leaves its part of the organisation untouched):

* units: ``external_id, parent_external_id, level, name_nl, name_en``
* people: ``external_id, name, email, unit_external_id, position_level, contract, language,
  leads`` (``leads``: the ids of the units the person leads, separated by ``|``, ``;`` or space)

Nobody is dropped silently: every row is added, updated, unchanged or rejected with its reason.
A rejected row keeps what exists (a rejected person is never deactivated); only ids absent from
a file are deactivated. See docs/permissions.md ("HR import").

Gender, nationality and other background are each person's own to declare (``org.background``):
an HR file never sets or overwrites them. A file that carries such columns is named in the
plan (``self_declared_columns``), so the preview says, per file, that they are not imported.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _

from vrijuit.accounts.hr_accounts import AccountPlan, PersonState, current_states, plan_accounts
from vrijuit.org.hrfiles import Table
from vrijuit.org.models import LEVEL_RANK, Contract, Level, Person, PositionLevel, Unit

UNIT_COLUMNS = {"external_id", "level", "name_nl"}
UNIT_OPTIONAL = {"parent_external_id", "name_en"}
PEOPLE_COLUMNS = {"external_id", "name", "email", "unit_external_id", "position_level", "contract"}
PEOPLE_OPTIONAL = {"language", "leads"}
# Header words of columns about a person's background (after normalise_header): never imported.
SELF_DECLARED_COLUMN = re.compile(
    r"(?:^|_)(?:gender|geslacht|sex|sekse|nationalit\w*|herkomst|migratieachtergrond"
    r"|migration_background|ethnicity|etniciteit)(?:_|$)"
)
LANGUAGES = {
    "nl": "nl",
    "en": "en",
    "nederlands": "nl",
    "dutch": "nl",
    "english": "en",
    "engels": "en",
}
UNIT_FIELDS = ("name_nl", "name_en", "level", "parent", "active")
PERSON_FIELDS = (
    "name",
    "email",
    "language",
    "unit",
    "position_level",
    "contract",
    "active",
    "leads",
)


@dataclass(frozen=True)
class Rejection:
    file: str
    row: int  # 0: the id is missing from the file (a deactivation that could not be done)
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    """One unit or person that will be added or updated, with its values as in the file."""

    external_id: str
    label: str
    values: dict[str, str]
    changes: list[Change] = field(default_factory=list)


@dataclass
class Plan:
    units_given: bool = False
    people_given: bool = False
    units_add: list[Entry] = field(default_factory=list)
    units_update: list[Entry] = field(default_factory=list)
    units_deactivate: list[Entry] = field(default_factory=list)
    units_unchanged: int = 0
    people_add: list[Entry] = field(default_factory=list)
    people_update: list[Entry] = field(default_factory=list)
    people_deactivate: list[Entry] = field(default_factory=list)
    people_unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    # The accounts this plan makes, closes, reopens and readdresses (accounts.hr_accounts).
    accounts: AccountPlan = field(default_factory=AccountPlan)
    # file name -> its columns about self-declared background, which are not imported
    self_declared_columns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        return any(
            [
                self.units_add,
                self.units_update,
                self.units_deactivate,
                self.people_add,
                self.people_update,
                self.people_deactivate,
                self.accounts.has_changes,
            ]
        )

    def counts(self) -> dict[str, int]:
        return {
            "units_added": len(self.units_add),
            "units_updated": len(self.units_update),
            "units_deactivated": len(self.units_deactivate),
            "units_unchanged": self.units_unchanged,
            "people_added": len(self.people_add),
            "people_updated": len(self.people_update),
            "people_deactivated": len(self.people_deactivate),
            "people_unchanged": self.people_unchanged,
            "rows_rejected": len(self.rejections),
        }

    def fingerprint(self) -> str:
        """A digest of every change, so that apply can refuse a plan that moved since preview."""

        def dump(entries: list[Entry]) -> list[Any]:
            return [
                [e.external_id, e.values, [(c.field, c.old, c.new) for c in e.changes]]
                for e in entries
            ]

        payload = [
            dump(self.units_add),
            dump(self.units_update),
            dump(self.units_deactivate),
            dump(self.people_add),
            dump(self.people_update),
            dump(self.people_deactivate),
        ]
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _choice_lookup(choices: type[TextChoices]) -> dict[str, str]:
    """Accept the code and the English and Dutch labels, in any case."""
    lookup: dict[str, str] = {}
    for value, label in zip(choices.values, choices.labels, strict=True):
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
        with translation.override("nl"):
            lookup[str(label).lower()] = value
        with translation.override("en"):
            lookup[str(label).lower()] = value
    return lookup


def self_declared_columns(table: Table) -> list[str]:
    """The file's columns about gender, nationality or origin: not imported (module docstring)."""
    return [name for name in table.columns if name and SELF_DECLARED_COLUMN.search(name)]


def _split_ids(text: str) -> list[str]:
    return sorted({part for part in re.split(r"[|;,\s]+", text) if part})


class _Rows:
    """Collects rejections for one file."""

    def __init__(self, plan: Plan, table: Table) -> None:
        self.plan = plan
        self.table = table

    def reject(self, row: int, column: str, value: str, reason: str) -> None:
        self.plan.rejections.append(Rejection(self.table.filename, row, column, value, reason))


def make_plan(units: Table | None, people: Table | None) -> Plan:
    """Compare the files with the database; return the plan (reads only)."""
    plan = Plan(units_given=units is not None, people_given=people is not None)
    for table in (units, people):
        declared = self_declared_columns(table) if table is not None else []
        if table is not None and declared:
            plan.self_declared_columns[table.filename] = declared
    existing_units = {unit.external_id: unit for unit in Unit.objects.select_related("parent")}
    if units is not None:
        plan.rows_read[units.filename] = len(units.rows)
        final_units = _plan_units(plan, units, existing_units)
    else:
        final_units = {ext: unit.level for ext, unit in existing_units.items() if unit.active}
    if people is not None:
        plan.rows_read[people.filename] = len(people.rows)
        _plan_people(plan, people, final_units)
    if units is not None:
        _keep_units_in_use(plan, units, existing_units, people is not None)
    plan.accounts = plan_accounts(people_after(plan))
    return plan


def people_after(plan: Plan) -> list[PersonState]:
    """Every person as they would be after applying ``plan`` (for the account forecast)."""
    states = {state.external_id: state for state in current_states()}
    for entry in [*plan.people_add, *plan.people_update]:
        values, before = entry.values, states.get(entry.external_id)
        states[entry.external_id] = PersonState(
            person_id=before.person_id if before else None,
            external_id=entry.external_id,
            name=values["name"],
            email=values["email"],
            language=values["language"],
            active=True,
            user_id=before.user_id if before else None,
        )
    for entry in plan.people_deactivate:
        states[entry.external_id] = replace(states[entry.external_id], active=False)
    return list(states.values())


def _plan_units(plan: Plan, table: Table, existing: dict[str, Unit]) -> dict[str, str]:
    """Validate unit rows, diff them, list deactivations. Returns external_id -> level of every
    unit that exists after the plan."""
    rows = _Rows(plan, table)
    levels = _choice_lookup(Level)
    accepted: dict[str, tuple[int, dict[str, str]]] = {}
    seen: dict[str, int] = {}
    rejected_ids: set[str] = set()
    for number, cells in table.rows:
        ext = cells.get("external_id", "")
        if not ext:
            rows.reject(number, "external_id", "", _("The id is empty."))
            continue
        if ext in seen:
            rows.reject(
                number,
                "external_id",
                ext,
                _("This id appears twice; the first time in row %(row)s.") % {"row": seen[ext]},
            )
            continue
        seen[ext] = number
        level = levels.get(cells.get("level", "").lower())
        if level is None:
            rows.reject(
                number,
                "level",
                cells.get("level", ""),
                _("Unknown level; use one of: %(levels)s.") % {"levels": ", ".join(Level.values)},
            )
            rejected_ids.add(ext)
            continue
        if not cells.get("name_nl"):
            rows.reject(number, "name_nl", "", _("The Dutch name is empty."))
            rejected_ids.add(ext)
            continue
        values = {
            "name_nl": cells["name_nl"],
            "name_en": cells.get("name_en", ""),
            "level": level,
            "parent": cells.get("parent_external_id", ""),
        }
        accepted[ext] = (number, values)

    # A rejected row keeps its unit as it is, so other rows may still point at it.
    kept = {ext: existing[ext].level for ext in rejected_ids if ext in existing}
    changed = True
    while changed:  # rejecting a unit can orphan its children: repeat until nothing moves
        changed = False
        for ext, (number, values) in list(accepted.items()):
            reason = _parent_problem(values, accepted, kept)
            if reason:
                rows.reject(number, "parent_external_id", values["parent"], reason)
                del accepted[ext]
                if ext in existing:
                    kept[ext] = existing[ext].level
                changed = True

    for ext, (_number, values) in sorted(accepted.items()):
        label = values["name_nl"]
        unit = existing.get(ext)
        if unit is None:
            plan.units_add.append(Entry(ext, label, values))
            continue
        current = {
            "name_nl": unit.name_nl,
            "name_en": unit.name_en,
            "level": unit.level,
            "parent": unit.parent.external_id if unit.parent else "",
            "active": "yes" if unit.active else "no",
        }
        wanted = {**values, "active": "yes"}
        changes = [Change(f, current[f], wanted[f]) for f in UNIT_FIELDS if current[f] != wanted[f]]
        if changes:
            plan.units_update.append(Entry(ext, label, values, changes))
        else:
            plan.units_unchanged += 1
    for ext, unit in sorted(existing.items()):
        if unit.active and ext not in accepted and ext not in kept:
            plan.units_deactivate.append(
                Entry(ext, unit.name_nl, {}, [Change("active", "yes", "no")])
            )
    final = {ext: values["level"] for ext, (_n, values) in accepted.items()}
    final.update(kept)
    return final


def _parent_problem(
    values: dict[str, str],
    accepted: dict[str, tuple[int, dict[str, str]]],
    kept: dict[str, str],
) -> str:
    level, parent = values["level"], values["parent"]
    if level == Level.ORGANISATION:
        return _("An organisation has no parent unit.") if parent else ""
    if not parent:
        return _("Only the organisation may be without a parent unit.")
    if parent in accepted:
        parent_level = accepted[parent][1]["level"]
    elif parent in kept:
        parent_level = kept[parent]
    else:
        return _("The parent unit is not in the file (or its row was rejected).")
    if LEVEL_RANK[parent_level] >= LEVEL_RANK[level]:
        return _("The parent unit must be on a higher level than %(level)s.") % {
            "level": Level(level).label
        }
    return ""


def _keep_units_in_use(
    plan: Plan, table: Table, existing: dict[str, Unit], people_given: bool
) -> None:
    """Do not deactivate a unit that would still have active members or active sub-units."""
    if not plan.units_deactivate:
        return
    leaving = {entry.external_id for entry in plan.units_deactivate}
    members: dict[str, int] = {}
    if people_given:
        for entry in [*plan.people_add, *plan.people_update]:
            if entry.values.get("active", "yes") == "yes":
                members[entry.values["unit"]] = members.get(entry.values["unit"], 0) + 1
        staying = {e.external_id for e in [*plan.people_add, *plan.people_update]}
        staying |= {e.external_id for e in plan.people_deactivate}
        others = Person.objects.filter(active=True).exclude(external_id__in=staying)
    else:
        others = Person.objects.filter(active=True)
    # Unchanged and rejected people stay where they are.
    for person in others.select_related("unit"):
        members[person.unit.external_id] = members.get(person.unit.external_id, 0) + 1
    final_parent = {
        ext: unit.parent.external_id if unit.parent else ""
        for ext, unit in existing.items()
        if unit.active and ext not in leaving
    }
    for entry in [*plan.units_add, *plan.units_update]:
        final_parent[entry.external_id] = entry.values["parent"]
    keep: list[Entry] = []
    for entry in plan.units_deactivate:
        count = members.get(entry.external_id, 0)
        children = [ext for ext, parent in final_parent.items() if parent == entry.external_id]
        if count or children:
            keep.append(entry)
            plan.rejections.append(
                Rejection(
                    table.filename,
                    0,
                    "external_id",
                    entry.external_id,
                    _(
                        "This unit is missing from the file but still has %(people)s active "
                        "people and %(units)s active sub-units; it stays active."
                    )
                    % {"people": count, "units": len(children)},
                )
            )
    plan.units_deactivate = [e for e in plan.units_deactivate if e not in keep]


def _plan_people(plan: Plan, table: Table, final_units: dict[str, str]) -> None:
    rows = _Rows(plan, table)
    positions = _choice_lookup(PositionLevel)
    contracts = _choice_lookup(Contract)
    existing = {
        person.external_id: person
        for person in Person.objects.select_related("unit").prefetch_related("led_units")
    }
    email_owner = {person.email: ext for ext, person in existing.items()}
    seen: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    accepted: dict[str, dict[str, str]] = {}
    rejected_ids: set[str] = set()
    for number, cells in table.rows:
        ext = cells.get("external_id", "")
        if not ext:
            rows.reject(number, "external_id", "", _("The id is empty."))
            continue
        if ext in seen:
            rows.reject(
                number,
                "external_id",
                ext,
                _("This id appears twice; the first time in row %(row)s.") % {"row": seen[ext]},
            )
            continue
        seen[ext] = number
        problem = _person_problem(cells, positions, contracts, final_units)
        if problem:
            column, reason = problem
            rows.reject(number, column, cells.get(column, ""), reason)
            rejected_ids.add(ext)
            continue
        email = cells["email"].lower()
        if email in seen_email:
            rows.reject(
                number,
                "email",
                cells["email"],
                _("This e-mail address appears twice; the first time in row %(row)s.")
                % {"row": seen_email[email]},
            )
            rejected_ids.add(ext)
            continue
        seen_email[email] = number
        accepted[ext] = {
            "name": cells["name"],
            "email": email,
            "language": LANGUAGES.get(cells.get("language", "").lower(), "nl"),
            "unit": cells["unit_external_id"],
            "position_level": positions[cells["position_level"].lower()],
            "contract": contracts[cells["contract"].lower()],
            "leads": ", ".join(_split_ids(cells.get("leads", ""))),
            "active": "yes",
        }
        accepted[ext]["_row"] = str(number)

    # An address may move between people only if its present owner gets another one here.
    for ext, values in list(accepted.items()):
        owner = email_owner.get(values["email"])
        if (
            owner is not None
            and owner != ext
            and (owner not in accepted or accepted[owner]["email"] == values["email"])
        ):
            rows.reject(
                int(values["_row"]),
                "email",
                values["email"],
                _("This e-mail address belongs to another person (HR id %(id)s).") % {"id": owner},
            )
            del accepted[ext]
            rejected_ids.add(ext)

    for ext, values in sorted(accepted.items()):
        values.pop("_row")
        person = existing.get(ext)
        if person is None:
            plan.people_add.append(Entry(ext, values["name"], values))
            continue
        current = {
            "name": person.name,
            "email": person.email,
            "language": person.language,
            "unit": person.unit.external_id,
            "position_level": person.position_level,
            "contract": person.contract,
            "leads": ", ".join(sorted(unit.external_id for unit in person.led_units.all())),
            "active": "yes" if person.active else "no",
        }
        changes = [
            Change(f, current[f], values[f]) for f in PERSON_FIELDS if current[f] != values[f]
        ]
        if changes:
            plan.people_update.append(Entry(ext, values["name"], values, changes))
        else:
            plan.people_unchanged += 1
    for ext, person in sorted(existing.items()):
        if person.active and ext not in accepted and ext not in rejected_ids:
            plan.people_deactivate.append(
                Entry(ext, person.name, {}, [Change("active", "yes", "no")])
            )


def _person_problem(
    cells: dict[str, str],
    positions: dict[str, str],
    contracts: dict[str, str],
    final_units: dict[str, str],
) -> tuple[str, str] | None:
    """The first problem of a person row as (column, reason), or None."""
    if not cells.get("name"):
        return "name", _("The name is empty.")
    try:
        validate_email(cells.get("email", ""))
    except ValidationError:
        return "email", _("This is not a valid e-mail address.")
    if cells.get("unit_external_id", "") not in final_units:
        return "unit_external_id", _(
            "This unit is not in the organisation (or its row was rejected)."
        )
    if cells.get("position_level", "").lower() not in positions:
        return "position_level", _("Unknown position level; use one of: %(values)s.") % {
            "values": ", ".join(PositionLevel.values)
        }
    if cells.get("contract", "").lower() not in contracts:
        return "contract", _("Unknown contract; use one of: %(values)s.") % {
            "values": ", ".join(Contract.values)
        }
    language = cells.get("language", "")
    if language and language.lower() not in LANGUAGES:
        return "language", _("Unknown language; use nl or en.")
    for led in _split_ids(cells.get("leads", "")):
        if led not in final_units:
            return "leads", _("The led unit %(id)s is not in the organisation.") % {"id": led}
    return None
