"""Sealed attributes (step 3 of 3): the clear ``attributes`` columns of Responses and invitations
go; every Response has sealed attributes (step 2 sealed the rows written before).

Reversible: going back brings the clear columns back empty, and step 2's reverse then fills
them from the sealed values.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0008_seal_existing_attributes"),
    ]

    operations = [
        migrations.RemoveField(model_name="invitation", name="attributes"),
        migrations.RemoveField(model_name="response", name="attributes"),
        migrations.AlterField(
            model_name="response",
            name="sealed_attributes",
            field=models.BinaryField(),
        ),
    ]
