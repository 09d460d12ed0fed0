"""Administrator pages: units, people and the HR import (preview, then apply)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vrijuit.accounts.invitations import VALID_DAYS, invitation_state
from vrijuit.org import permissions, services
from vrijuit.org.forms import ApplyForm, HrUploadForm
from vrijuit.org.hrfiles import HrFileError, Table, read_table
from vrijuit.org.hrimport import PEOPLE_COLUMNS, UNIT_COLUMNS, Plan, make_plan
from vrijuit.org.models import HrUpload, Person, Unit
from vrijuit.org.preview import preview_groups
from vrijuit.results.links import latest_unit_results_url

PAGE_SIZE = 200


@permissions.administrator_required
def units(request: HttpRequest) -> HttpResponse:
    rows = Unit.objects.annotate(people=Count("members", filter=Q(members__active=True))).order_by(
        "path"
    )
    return render(request, "org/units.html", {"units": rows})


@permissions.unit_permission(permissions.can_view_unit_structure)
def unit_detail(request: HttpRequest, unit: Unit) -> HttpResponse:
    context = {
        "unit": unit,
        "children": unit.children.filter(active=True).annotate(
            people=Count("members", filter=Q(members__active=True))
        ),
        "leaders": Person.objects.filter(leaderships__unit=unit, active=True),
        "head_count": Person.objects.filter(unit__in=unit.subtree(), active=True).count(),
        "can_manage": permissions.can_manage_organisation(request.user),
        "results_url": latest_unit_results_url(request.user, unit),
    }
    return render(request, "org/unit_detail.html", context)


@permissions.administrator_required
def people(request: HttpRequest) -> HttpResponse:
    """Everyone from the HR export, with their account and, while they have no password yet,
    where their invitation stands (the button to send it again is on the page)."""
    query = request.GET.get("q", "").strip()[:200]
    rows = Person.objects.select_related("unit", "user", "user__invitation").order_by("name")
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(email__icontains=query))
    total = rows.count()
    shown = [
        {"person": person, "invitation": invitation_state(person.user) if person.user else None}
        for person in rows[:PAGE_SIZE]
    ]
    return render(
        request,
        "org/people.html",
        {
            "people": shown,
            "query": query,
            "total": total,
            "page_size": PAGE_SIZE,
            "valid_days": VALID_DAYS,
        },
    )


@permissions.administrator_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = HrUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = HrUpload(created_by=request.user if request.user.is_authenticated else None)
        if form.cleaned_data["units_file"]:
            upload.units_filename = form.cleaned_data["units_file"].name
            upload.units_content = form.cleaned_data["units_file"].read()
        if form.cleaned_data["people_file"]:
            upload.people_filename = form.cleaned_data["people_file"].name
            upload.people_content = form.cleaned_data["people_file"].read()
        upload.save()
        return redirect("org:import_preview", upload_id=upload.pk)
    return render(request, "org/import_upload.html", {"form": form})


def _plan_for(upload: HrUpload) -> Plan:
    """Read the stored files and plan again (raises HrFileError for an unusable file)."""
    units_table: Table | None = None
    people_table: Table | None = None
    if upload.units_filename:
        units_table = read_table(upload.units_filename, bytes(upload.units_content), UNIT_COLUMNS)
    if upload.people_filename:
        people_table = read_table(
            upload.people_filename, bytes(upload.people_content), PEOPLE_COLUMNS
        )
    return make_plan(units_table, people_table)


@permissions.administrator_required
def import_preview(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = get_object_or_404(HrUpload, pk=upload_id)
    if upload.is_applied:
        return render(request, "org/import_done.html", {"upload": upload})
    try:
        plan = _plan_for(upload)
    except HrFileError as exc:
        return render(
            request, "org/import_preview.html", {"upload": upload, "file_error": str(exc)}
        )
    form = ApplyForm(initial={"fingerprint": plan.fingerprint()})
    context = {"upload": upload, "plan": plan, "form": form, "groups": preview_groups(plan)}
    return render(request, "org/import_preview.html", context)


@require_POST
@permissions.administrator_required
def import_apply(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = get_object_or_404(HrUpload, pk=upload_id)
    if upload.is_applied:
        return redirect("org:import_preview", upload_id=upload.pk)
    form = ApplyForm(request.POST)
    try:
        plan = _plan_for(upload)
    except HrFileError:
        return redirect("org:import_preview", upload_id=upload.pk)
    if not form.is_valid() or form.cleaned_data["fingerprint"] != plan.fingerprint():
        messages.error(
            request,
            _("The organisation changed since this preview. Check the new one and apply again."),
        )
        return redirect("org:import_preview", upload_id=upload.pk)
    services.apply_hr_plan(plan, upload)
    messages.success(request, _("The import is applied."))
    return redirect("org:import_preview", upload_id=upload.pk)
