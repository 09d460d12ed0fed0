from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.forms.boundfield import BoundField
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from vrijuit.accounts.invitations import reinvite_on_request
from vrijuit.accounts.models import User
from vrijuit.org.models import Role


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class LocalisedPasswordResetForm(PasswordResetForm):
    """Sends the reset e-mail in the language the account prefers, not the visitor's; and to
    someone who never chose a password, their invitation again (Django's reset skips accounts
    without a usable password). What the visitor sees afterwards is the same in every case."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        reinvite_on_request(self.cleaned_data["email"])

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


class DescribedBoundField(BoundField):
    """A field whose input names its help text and its errors in aria-describedby, with the ids
    the templates give them (``<id>_help``, ``<id>_errors``), so a screen reader reads both."""

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        described_by = []
        if self.help_text:
            described_by.append(f"{self.auto_id}_help")
        if self.errors:
            described_by.append(f"{self.auto_id}_errors")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        return attrs


class ChoosePasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """The invitation's password form: Django's, with help and errors linked to the inputs."""

    bound_field_class = DescribedBoundField
