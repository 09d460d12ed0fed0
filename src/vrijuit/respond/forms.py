from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """The code from the invitation e-mail, POSTed (never in a URL)."""

    code = forms.CharField(
        label=_("Your personal code"),
        max_length=200,
        help_text=_("The code is in your invitation e-mail, below the link."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
