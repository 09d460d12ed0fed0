"""Invitations of closed waves (step 2 of 2): waves closed before closing erased anything keep
their invitations' person, token hash, ``responded`` flag and attribute snapshot. Erase them now,
as ``services.erase_participation`` does at every close (its values are copied here: a migration
must not change when the service does).

Not reversible in substance: going back keeps the erased values erased (that is the point).
A separate migration from the schema change before it: on PostgreSQL, altering a table after
updating its rows in the same transaction fails on the deferred foreign key checks.
"""

from typing import Any

from django.db import migrations

ERASED: dict[str, Any] = {
    "person": None,
    "token_hash": None,
    "responded": False,
    "attributes": {},
    "leads_unit": False,
    "language": "",
    "sent_on": None,
    "reminders_sent": 0,
}


def erase_closed_waves(apps, schema_editor):  # type: ignore[no-untyped-def]
    Invitation = apps.get_model("surveys", "Invitation")
    Invitation.objects.filter(wave__status="closed").update(**ERASED)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_erase_participation_at_close")]

    operations = [migrations.RunPython(erase_closed_waves, migrations.RunPython.noop)]
