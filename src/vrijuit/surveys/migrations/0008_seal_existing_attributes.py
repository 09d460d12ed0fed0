"""Sealed attributes (step 2 of 3): seal the attributes of the Responses and invitations written
before step 1 with the reporting key (``VRIJUIT_REPORTING_KEY``). Nothing is dropped: every
row's clear attributes become its sealed attributes, bound to the row's id and wave. The
invitations of closed waves were erased at their close and stay empty. Without the key this
migration stops with an error naming the setting, before anything changes.

Reversible: going back opens every sealed value into the clear column again (step 3's reverse
brings that column back first) and empties the sealed one.

A separate migration from the schema changes around it: on PostgreSQL, altering a table after
updating its rows in the same transaction fails on the deferred foreign key checks.
"""

from typing import Any

from django.db import migrations

from vrijuit.surveys import sealing

BATCH = 500


def _save_in_batches(model: Any, rows: list[Any], fields: list[str]) -> None:
    model.objects.bulk_update(rows, fields, batch_size=BATCH)


def seal_clear_attributes(apps, schema_editor):  # type: ignore[no-untyped-def]
    Response = apps.get_model("surveys", "Response")
    Invitation = apps.get_model("surveys", "Invitation")
    responses = list(Response.objects.filter(sealed_attributes__isnull=True))
    invitations = list(
        Invitation.objects.filter(sealed_attributes__isnull=True, person__isnull=False).exclude(
            wave__status="closed"
        )
    )
    if not responses and not invitations:
        return  # a new installation: nothing to seal, no key needed yet
    key = sealing.reporting_key()
    for response in responses:
        response.sealed_attributes = sealing.seal_for_response(
            response.attributes or {}, response.pk, response.wave_id, key
        )
    _save_in_batches(Response, responses, ["sealed_attributes"])
    for invitation in invitations:
        invitation.sealed_attributes = sealing.seal_for_invitation(
            invitation.attributes or {}, invitation.pk, invitation.wave_id, key
        )
    _save_in_batches(Invitation, invitations, ["sealed_attributes"])


def open_sealed_attributes(apps, schema_editor):  # type: ignore[no-untyped-def]
    Response = apps.get_model("surveys", "Response")
    Invitation = apps.get_model("surveys", "Invitation")
    responses = list(Response.objects.filter(sealed_attributes__isnull=False))
    invitations = list(Invitation.objects.filter(sealed_attributes__isnull=False))
    if not responses and not invitations:
        return
    key = sealing.reporting_key()
    for response in responses:
        response.attributes = sealing.response_attributes(response, key)
        response.sealed_attributes = None
    _save_in_batches(Response, responses, ["attributes", "sealed_attributes"])
    for invitation in invitations:
        invitation.attributes = sealing.invitation_attributes(invitation, key)
        invitation.sealed_attributes = None
    _save_in_batches(Invitation, invitations, ["attributes", "sealed_attributes"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0007_sealed_attributes"),
    ]

    operations = [
        migrations.RunPython(seal_clear_attributes, open_sealed_attributes),
    ]
