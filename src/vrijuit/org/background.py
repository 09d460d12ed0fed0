"""A person's own background declaration: gender and nationality group, optional, their own.

These two attributes exist only to show gaps between minority and majority groups, in
aggregate (docs/background.md). They are the person's to declare, change or withdraw here; no
HR import writes them (``hrimport``), and no other page or export shows them per person
(tests/web/test_background.py walks the pages to check it). A survey wave copies them,
coarsened, into its launch-time snapshot (``surveys.snapshot``): a change counts from the next
wave that is launched.

Every logged-in account with a ``Person`` may use the page, also a person the last HR export
no longer lists: withdrawing must stay possible. An account without one (e.g. an administrator
who is not on the staff list) gets a page that says why there is nothing to declare.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vrijuit.org import permissions
from vrijuit.org.models import Gender, NationalityGroup, Person

# The radio button for "I'd rather not say"; stored as "" (not declared), like a withdrawal.
PREFER_NOT_TO_SAY = "prefer_not_to_say"
ATTRIBUTES = ("gender", "nationality_group")


def own_person(user: permissions.AnyUser) -> Person | None:
    """The person linked to this account, active or not (withdrawing stays possible)."""
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).select_related("unit").first()


def _choices(categories: Any) -> list[tuple[str, str]]:
    return [
        *((value, capfirst(label)) for value, label in categories.choices),
        (PREFER_NOT_TO_SAY, gettext_lazy("I'd rather not say")),
    ]


class BackgroundForm(forms.Form):
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"),
        help_text=gettext_lazy("How do you describe your gender?"),
        choices=_choices(Gender),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy(
                "Choose an answer about your gender, or “I'd rather not say”."
            ),
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not one of the answers about gender. Choose one of the answers "
                "shown, or “I'd rather not say”."
            ),
        },
    )
    nationality_group = forms.ChoiceField(
        label=gettext_lazy("Nationality"),
        help_text=gettext_lazy(
            "If you have more than one nationality, choose the one that fits you best."
        ),
        choices=_choices(NationalityGroup),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy(
                "Choose an answer about your nationality, or “I'd rather not say”."
            ),
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not one of the answers about nationality. Choose one of the "
                "answers shown, or “I'd rather not say”."
            ),
        },
    )

    @classmethod
    def for_person(cls, person: Person, data: Any = None) -> BackgroundForm:
        initial = {name: getattr(person, name) or PREFER_NOT_TO_SAY for name in ATTRIBUTES}
        return cls(data, initial=initial)

    def declared_values(self) -> dict[str, str]:
        """What to store: the chosen category, or "" for "I'd rather not say"."""
        return {
            name: "" if self.cleaned_data[name] == PREFER_NOT_TO_SAY else self.cleaned_data[name]
            for name in ATTRIBUTES
        }


def declare(person: Person, values: dict[str, str]) -> None:
    """Store the person's declaration ("" = not declared), and nothing else of the person."""
    unknown = set(values) - set(ATTRIBUTES)
    if unknown:
        raise ValueError(f"not a self-declared attribute: {sorted(unknown)}")
    with transaction.atomic():
        for name, value in values.items():
            setattr(person, name, value)
        # update_fields: an HR import running at the same time keeps its own fields, and we ours.
        person.save(update_fields=list(values))


def withdraw(person: Person) -> None:
    """Clear every self-declared attribute at once."""
    declare(person, dict.fromkeys(ATTRIBUTES, ""))


def _open_waves_of(person: Person) -> list[Any]:
    """Launched, still open waves this person is invited to: they keep their own copy."""
    from vrijuit.surveys.models import Status, Wave

    return list(
        Wave.objects.filter(status=Status.OPEN, invitations__person=person).order_by("closes_on")
    )


def _limits() -> dict[str, int]:
    from vrijuit.surveys.models import DEFAULT_K, MIN_K

    return {"min_k": MIN_K, "default_k": DEFAULT_K}


@permissions.login_required
def background(request: HttpRequest) -> HttpResponse:
    person = own_person(request.user)
    if person is None:
        return render(request, "org/background_no_person.html")
    form = BackgroundForm.for_person(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.declared_values()
        declare(person, values)
        if any(values.values()):
            text = _(
                "Saved. Your answers count from the next survey that starts; a survey "
                "that has already started keeps what you had declared at its start."
            )
        else:
            text = _(
                "Saved: nothing about your gender or nationality is stored. This counts "
                "from the next survey that starts; a survey that has already started keeps "
                "what you had declared at its start."
            )
        messages.success(request, text)
        return redirect("org:background")
    context = {
        "form": form,
        "person": person,
        "declared": any(getattr(person, name) for name in ATTRIBUTES),
        "open_waves": _open_waves_of(person),
        **_limits(),
    }
    return render(request, "org/background.html", context)


@require_POST
@permissions.login_required
def background_withdraw(request: HttpRequest) -> HttpResponse:
    person = own_person(request.user)
    if person is None:
        return render(request, "org/background_no_person.html")
    withdraw(person)
    messages.success(
        request,
        _(
            "Withdrawn: nothing about your gender or nationality is stored any more. This "
            "counts from the next survey that starts; a survey that has already started keeps "
            "what you had declared at its start."
        ),
    )
    return redirect("org:background")
