"""Stored results: one ``ResultSnapshot`` per computation of a wave.

Pages and downloads read snapshots only, never ``surveys.Response`` rows: the snapshot holds the
engine's whole report (``Report.to_dict()``, numbers only for cells that passed disclosure
control), the cells shown, and what the next snapshot of the same wave must be audited against
(P9): the respondents' ids in lattice order and the unit tree at the time.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultSnapshot(models.Model):
    wave = models.ForeignKey(
        "surveys.Wave", on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("wave")
    )
    engine_version = models.CharField(_("engine version"), max_length=30)
    report = models.JSONField(_("report"))
    # Cell ids as the report names them ("unit:12", "attribute:gender=woman",
    # "unit_attribute:12|gender=woman"): every number any role sees belongs to one of these.
    shown = models.JSONField(_("shown cells"), default=list)
    # For the audit of a later snapshot of the same wave (R8/P9): which reporting-store rows were
    # in this one, in order, and the unit tree (unit id → parent id) they were placed in.
    respondents = models.JSONField(default=list)
    tree = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("result snapshot")
        verbose_name_plural = _("result snapshots")
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"results of wave {self.wave_id} ({self.created_at:%Y-%m-%d})"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    def shows(self, cell: str) -> bool:
        return cell in self.shown_set

    @property
    def shown_set(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_shown_set", None)
        if cached is None:
            cached = frozenset(self.shown)
            self._shown_set = cached
        return cached

    def units_table(self) -> dict[str, Any]:
        units: dict[str, Any] = self.report.get("units") or {}
        return units
