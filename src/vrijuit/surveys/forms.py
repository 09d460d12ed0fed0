"""The analyst's wave form (settings that are locked at launch are edited only in a draft)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from vrijuit.org.models import Unit
from vrijuit.stats.instruments import available_instruments
from vrijuit.surveys.models import ATTRIBUTES, MIN_K, Wave

ATTRIBUTE_LABELS = {
    "gender": _("gender (self-declared)"),
    "nationality_group": _("nationality (self-declared)"),
    "position_level": _("position level"),
    "contract": _("contract"),
}


def _instrument_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in available_instruments()]


class UnitChoiceField(forms.ModelMultipleChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        # Indent by depth so the tree reads as a tree in the checkbox list.
        return "— " * (obj.depth - 1) + obj.name


class WaveForm(forms.ModelForm[Wave]):
    instrument = forms.ChoiceField(label=_("instrument"), choices=_instrument_choices)
    units = UnitChoiceField(
        label=_("units in scope"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone in these units and their sub-units is invited."),
    )
    report_attributes = forms.MultipleChoiceField(
        label=_("organisation × attribute cells"),
        choices=[(a, ATTRIBUTE_LABELS[a]) for a in ATTRIBUTES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Results for the whole organisation split by each of these."),
    )
    unit_attributes = forms.MultipleChoiceField(
        label=_("unit × attribute cells (analysts only)"),
        choices=[(a, ATTRIBUTE_LABELS[a]) for a in ATTRIBUTES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Results for each unit split by each of these, shown only to analysts."),
    )

    class Meta:
        model = Wave
        fields: ClassVar[list[str]] = [
            "title_nl",
            "title_en",
            "instrument",
            "units",
            "period",
            "opens_on",
            "closes_on",
            "mode",
            "k",
            "report_attributes",
            "unit_attributes",
            "remind_after_days",
            "max_reminders",
        ]
        widgets: ClassVar[dict[str, Any]] = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
            "mode": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.active().order_by("path")  # type: ignore[attr-defined]
        self.fields["k"].min_value = MIN_K  # type: ignore[attr-defined]
        self.fields["k"].widget.attrs["min"] = MIN_K

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The closing date must be on or after the opening date."))
        return data
