"""The HR import preview in words: field names and coded values as the administrator reads them.

The import plan (``hrimport``) keeps the file's own field names and codes (``position_level``,
``phd``, ``demo-psy-klin``) because it compares them with the database. This module turns them
into labels in the active language for the preview page; it changes nothing in the plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from vrijuit.org.hrimport import Entry, Plan
from vrijuit.org.models import Contract, Level, PositionLevel, Unit

FIELD_LABELS = {
    "name_nl": _("Name (Dutch)"),
    "name_en": _("Name (English)"),
    "level": _("Level"),
    "parent": _("Part of"),
    "name": _("Name"),
    "email": _("E-mail address"),
    "language": _("Language"),
    "unit": _("Unit"),
    "position_level": _("Position level"),
    "contract": _("Contract"),
    "active": _("Active"),
    "leads": _("Leads"),
}
YES_NO = {"yes": _("yes"), "no": _("no")}
LANGUAGES = {"nl": "Nederlands", "en": "English"}
CODED: dict[str, type[TextChoices]] = {
    "level": Level,
    "position_level": PositionLevel,
    "contract": Contract,
}
UNIT_VALUED = ("unit", "parent", "leads")


@dataclass(frozen=True)
class Line:
    """One field of an entry: its label, and the old value when it changes ("" when new)."""

    label: str
    new: str
    old: str = ""


@dataclass(frozen=True)
class ShownEntry:
    external_id: str
    label: str
    lines: list[Line]
    is_change: bool


class _Words:
    """Field names and values in words, with unit names looked up once for the whole plan."""

    def __init__(self, unit_ids: Iterable[str]) -> None:
        units = Unit.objects.filter(external_id__in=set(unit_ids))
        self.unit_names = {unit.external_id: unit.name for unit in units}

    def field(self, name: str) -> str:
        return str(FIELD_LABELS.get(name, name))

    def value(self, name: str, value: str) -> str:
        if not value:
            return "—"
        if name in CODED:
            labels = dict(CODED[name].choices)
            return str(labels.get(value, value))
        if name == "active":
            return str(YES_NO.get(value, value))
        if name == "language":
            return LANGUAGES.get(value, value)
        if name in UNIT_VALUED:
            ids = [part.strip() for part in value.split(",") if part.strip()]
            return ", ".join(self._unit(unit_id) for unit_id in ids)
        return value

    def _unit(self, unit_id: str) -> str:
        name = self.unit_names.get(unit_id)
        # A unit new in this import has no name in the database yet: its HR id says which.
        return f"{name} ({unit_id})" if name else unit_id


def _unit_ids(entries: Iterable[Entry]) -> set[str]:
    ids: set[str] = set()
    for entry in entries:
        texts = [entry.values.get(name, "") for name in UNIT_VALUED]
        texts += [text for change in entry.changes if change.field in UNIT_VALUED
                  for text in (change.old, change.new)]  # fmt: skip
        for text in texts:
            ids.update(part.strip() for part in text.split(",") if part.strip())
    return ids


def shown_entries(entries: list[Entry], words: _Words) -> list[ShownEntry]:
    shown = []
    for entry in entries:
        if entry.changes:
            lines = [
                Line(
                    words.field(change.field),
                    words.value(change.field, change.new),
                    words.value(change.field, change.old),
                )
                for change in entry.changes
            ]
        else:
            lines = [
                Line(words.field(name), words.value(name, value))
                for name, value in entry.values.items()
                if value
            ]
        shown.append(ShownEntry(entry.external_id, entry.label, lines, bool(entry.changes)))
    return shown


GROUPS = (
    "units_add",
    "units_update",
    "units_deactivate",
    "people_add",
    "people_update",
    "people_deactivate",
)


def preview_groups(plan: Plan) -> dict[str, list[ShownEntry]]:
    """Each of the plan's entry lists, by name, in words."""
    lists = {group: getattr(plan, group) for group in GROUPS}
    words = _Words(_unit_ids(entry for entries in lists.values() for entry in entries))
    return {group: shown_entries(entries, words) for group, entries in lists.items()}
