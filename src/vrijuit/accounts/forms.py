from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from vrijuit.accounts.models import User
from vrijuit.org.models import Role


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class LocalisedPasswordResetForm(PasswordResetForm):
    """Sends the reset e-mail in the language the account prefers, not the visitor's."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        language = getattr(context.get("user"), "language", None) or translation.get_language()
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class GrantRoleForm(forms.Form):
    """One row of the roles page's search results: grant this account one role."""

    user = forms.ModelChoiceField(queryset=User.objects.all(), widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=_("Role"), choices=[(role.value, role.label) for role in Role], required=True
    )
