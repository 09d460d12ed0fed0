"""Django admin for superusers only (the administrator's own pages are in org.views).

Self-declared background attributes are deliberately left out of every admin page: not shown,
not editable, not searchable, and not usable as a filter in the address (``?gender=woman``
would otherwise list exactly the people who declared it)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vrijuit.org.models import Leadership, Person, RoleGrant, Unit

SELF_DECLARED = ("gender", "nationality_group")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ("name_nl", "name_en", "level", "external_id", "active")
    list_filter = ("level", "active")
    search_fields = ("name_nl", "name_en", "external_id")
    readonly_fields = ("path",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ("name", "email", "unit", "position_level", "contract", "active")
    list_filter = ("position_level", "contract", "active")
    search_fields = ("name", "email", "external_id")
    exclude = SELF_DECLARED
    raw_id_fields = ("user", "unit")

    def lookup_allowed(self, lookup: str, value: Any, request: HttpRequest) -> bool:
        # Django allows a filter on any of the model's own fields from the query string.
        if lookup.split("__", 1)[0] in SELF_DECLARED:
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Leadership)
class LeadershipAdmin(admin.ModelAdmin[Leadership]):
    list_display = ("person", "unit")
    raw_id_fields = ("person", "unit")


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin[RoleGrant]):
    list_display = ("user", "role")
    list_filter = ("role",)
