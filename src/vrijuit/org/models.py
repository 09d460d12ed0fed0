"""The organisation: a unit tree, the people in it, who leads what, and role grants.

Subtrees use a materialised path: each unit stores ``path``, the ids from the root down to
itself (``"/1/5/12/"``), indexed, so "this unit and everything below it" is one indexed
``path__startswith`` query and "its ancestors" is a parse of one string. Paths are maintained
by ``Unit.save`` and by ``services.rebuild_paths`` after HR re-syncs that move units.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Levels of the tree, from the top; a unit's parent is always on a higher level."""

    ORGANISATION = "organisation", _("organisation")
    FACULTY = "faculty", _("faculty")
    DEPARTMENT = "department", _("department")
    TEAM = "team", _("team")


LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        return self.filter(active=True)

    def subtrees(self, roots: list[Unit] | UnitQuerySet) -> UnitQuerySet:
        """Every unit in the subtree of any of ``roots`` (the roots included)."""
        condition = Q(pk__in=[])
        for root in roots:
            condition |= Q(path__startswith=root.path)
        return self.filter(condition)


class Unit(models.Model):
    external_id = models.CharField(
        _("HR id"), max_length=100, unique=True, help_text=_("The stable id in the HR export.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    path = models.CharField(max_length=1000, db_index=True, editable=False, default="")
    active = models.BooleanField(_("active"), default=True)

    objects: ClassVar[UnitQuerySet] = UnitQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering: ClassVar[list[str]] = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The path contains our own id, so a new unit is written twice.
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {"update_fields": ["path"]}
        self.path = self.compute_path()
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        """The name in the active language (Dutch when no English name is given)."""
        if (get_language() or "nl").startswith("en") and self.name_en:
            return self.name_en
        return self.name_nl

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to (not including) this unit."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def is_in_subtree_of(self, other: Unit) -> bool:
        return bool(other.path) and self.path.startswith(other.path)

    def subtree(self) -> UnitQuerySet:
        return Unit.objects.filter(path__startswith=self.path)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else "/"
        return f"{prefix}{self.pk}/"


class PositionLevel(models.TextChoices):
    PHD = "phd", _("PhD candidate")
    POSTDOC = "postdoc", _("postdoc")
    ASSISTANT_PROFESSOR = "assistant_professor", _("assistant professor")
    ASSOCIATE_PROFESSOR = "associate_professor", _("associate professor")
    FULL_PROFESSOR = "full_professor", _("full professor")
    SUPPORT_STAFF = "support_staff", _("support staff")


class Contract(models.TextChoices):
    TEMPORARY = "temporary", _("temporary")
    PERMANENT = "permanent", _("permanent")


class Gender(models.TextChoices):
    WOMAN = "woman", _("woman")
    MAN = "man", _("man")
    OTHER = "other", _("in another way")


class NationalityGroup(models.TextChoices):
    DUTCH = "dutch", _("Dutch")
    EU = "eu", _("another EU country")
    NON_EU = "non_eu", _("outside the EU")


class Person(models.Model):
    """Someone in the organisation, as the HR export knows them.

    ``gender`` and ``nationality_group`` are self-declared and optional: only the person sets
    them, on "My background" (``org.background``; "" = not declared); the HR import never
    writes them. They are used only in aggregate: coarsened into a survey wave's launch-time
    snapshot and shown only through disclosure control. No page, export or admin page shows
    them per person (docs/background.md).
    """

    external_id = models.CharField(_("HR id"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=[("nl", "Nederlands"), ("en", "English")], default="nl"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members"
    )
    position_level = models.CharField(
        _("position level"), max_length=30, choices=PositionLevel.choices
    )
    contract = models.CharField(_("contract"), max_length=20, choices=Contract.choices)
    gender = models.CharField(
        _("gender (self-declared)"), max_length=20, choices=Gender.choices, blank=True
    )
    nationality_group = models.CharField(
        _("nationality (self-declared)"),
        max_length=20,
        choices=NationalityGroup.choices,
        blank=True,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    active = models.BooleanField(_("active"), default=True)
    led_units = models.ManyToManyField(
        Unit, through="Leadership", related_name="leaders", verbose_name=_("leads")
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class Leadership(models.Model):
    """A person leads a unit, and so sees its subtree's results (in aggregate)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="leaderships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="leaderships")

    class Meta:
        verbose_name = _("leadership")
        verbose_name_plural = _("leaderships")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["person", "unit"], name="one_leadership_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.unit}"


class Role(models.TextChoices):
    ANALYST = "analyst", _("analyst")
    ADVISER = "adviser", _("confidential adviser")
    ADMINISTRATOR = "administrator", _("administrator")


class RoleGrant(models.Model):
    """A role for an account. Staff member and leader are not grants: they follow from HR."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"


class HrUpload(models.Model):
    """Uploaded HR files between preview and apply. The file content is personal data: it is
    erased when the upload is applied (only the counts remain)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    units_filename = models.CharField(max_length=255, blank=True)
    units_content = models.BinaryField(blank=True, default=b"")
    people_filename = models.CharField(max_length=255, blank=True)
    people_content = models.BinaryField(blank=True, default=b"")
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("HR upload")
        verbose_name_plural = _("HR uploads")

    def __str__(self) -> str:
        return f"HR upload {self.pk}"

    @property
    def is_applied(self) -> bool:
        return self.applied_at is not None
