from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _check_file(upload: UploadedFile[bytes] | None) -> UploadedFile[bytes] | None:
    if upload is None:
        return None
    if not (upload.name or "").lower().endswith((".csv", ".xlsx")):
        raise forms.ValidationError(_("Use a .csv or .xlsx file."))
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(_("The file is larger than 20 MB."))
    return upload


class HrUploadForm(forms.Form):
    units_file = forms.FileField(
        label=_("Units file"),
        required=False,
        help_text=_("Columns: external_id, parent_external_id, level, name_nl, name_en."),
    )
    people_file = forms.FileField(
        label=_("People file"),
        required=False,
        help_text=_(
            "Columns: external_id, name, email, unit_external_id, position_level, contract, "
            "language, leads."
        ),
    )

    def clean_units_file(self) -> UploadedFile[bytes] | None:
        return _check_file(self.cleaned_data.get("units_file"))

    def clean_people_file(self) -> UploadedFile[bytes] | None:
        return _check_file(self.cleaned_data.get("people_file"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("units_file") and not cleaned.get("people_file"):
            raise forms.ValidationError(_("Choose a units file, a people file, or both."))
        return cleaned


class ApplyForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
