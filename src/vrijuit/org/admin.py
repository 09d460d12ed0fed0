"""Django admin for superusers only (the administrator's own pages are in org.views).

Self-declared background attributes are deliberately left out of every admin page."""

from django.contrib import admin

from vrijuit.org.models import Leadership, Person, RoleGrant, Unit


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
    exclude = ("gender", "nationality_group")
    raw_id_fields = ("user", "unit")


@admin.register(Leadership)
class LeadershipAdmin(admin.ModelAdmin[Leadership]):
    list_display = ("person", "unit")
    raw_id_fields = ("person", "unit")


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin[RoleGrant]):
    list_display = ("user", "role")
    list_filter = ("role",)
