"""The analyst's wave form (settings that are locked at launch are edited only in a draft)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vrijuit.org.models import Unit
from vrijuit.stats.instruments import (
    InstrumentError,
    available_instruments,
    load_instrument,
)
from vrijuit.surveys.models import ATTRIBUTES, MIN_K, Mode, Wave

# Lower case: also used inside sentences ("... also split by: position level, contract.").
ATTRIBUTE_LABELS = {
    "gender": _("gender (self-declared)"),
    "nationality_group": _("nationality (self-declared)"),
    "position_level": _("position level"),
    "contract": _("contract"),
}
ATTRIBUTE_CHOICES = [(a, capfirst(ATTRIBUTE_LABELS[a])) for a in ATTRIBUTES]

MODE_LABELS = {
    Mode.ANONYMOUS: _("Anonymous: nothing links a person to their answers once they are stored."),
    Mode.CONFIDENTIAL: _(
        "Confidential: answers carry a pseudonym, so that the same person can be followed "
        "across waves; only the analysis reads it."
    ),
}

# The instrument a new wave starts with: Vrijuit's own social-safety questionnaire.
DEFAULT_INSTRUMENT = "vrijuit"


def instrument_title(name: str) -> str:
    """An instrument's full name in the active language (its file name if it cannot be read)."""
    language = "en" if (get_language() or "nl").startswith("en") else "nl"
    try:
        return load_instrument(name).name.get(language)
    except (InstrumentError, OSError):
        return name


def _instrument_choices() -> list[tuple[str, str]]:
    """Each shipped instrument by its full name (the default first)."""
    names = sorted(available_instruments(), key=lambda name: name != DEFAULT_INSTRUMENT)
    return [(name, instrument_title(name)) for name in names]


class UnitChoiceField(forms.ModelMultipleChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        # The tree is indented by the template (from the unit's depth); the label is the name.
        return obj.name


class WaveForm(forms.ModelForm[Wave]):
    instrument = forms.ChoiceField(
        label=_("Questionnaire"), choices=_instrument_choices, initial=DEFAULT_INSTRUMENT
    )
    units = UnitChoiceField(
        label=_("Units in scope"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone in these units and their sub-units is invited."),
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=[(mode.value, MODE_LABELS[mode]) for mode in Mode],
        initial=Mode.ANONYMOUS,
        widget=forms.RadioSelect,
    )
    report_attributes = forms.MultipleChoiceField(
        label=_("Results for the whole organisation, also split by"),
        choices=ATTRIBUTE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Shown on the results page of the whole organisation. "
            "Groups smaller than k stay hidden."
        ),
    )
    unit_attributes = forms.MultipleChoiceField(
        label=_("Results per unit, also split by (analysts only)"),
        choices=ATTRIBUTE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Only analysts see these splits. Each must also be chosen for the whole "
            "organisation. Groups smaller than k stay hidden."
        ),
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
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.active().select_related("parent").order_by("path")
        self.fields["units"].queryset = units  # type: ignore[attr-defined]
        self.fields["k"].min_value = MIN_K  # type: ignore[attr-defined]
        self.fields["k"].widget.attrs["min"] = MIN_K

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The closing date must be on or after the opening date."))
        # A split per unit adds up to the same split of the whole organisation (the units just
        # below it together hold everyone), so it is promised only together with that split.
        per_unit_only = [
            a
            for a in data.get("unit_attributes") or []
            if a not in (data.get("report_attributes") or [])
        ]
        if per_unit_only:
            self.add_error(
                "unit_attributes",
                _(
                    "Results per unit split by %(attributes)s also show the whole organisation "
                    "split by it: choose it under “Results for the whole organisation, also "
                    "split by” too, or leave it out here."
                )
                % {"attributes": ", ".join(str(ATTRIBUTE_LABELS[a]) for a in per_unit_only)},
            )
        return data
