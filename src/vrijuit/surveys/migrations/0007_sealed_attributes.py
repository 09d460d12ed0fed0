"""Sealed attributes (step 1 of 3): Responses and invitations get a column for their
background attributes sealed with the reporting key (``vrijuit.surveys.sealing``); new rows are
written with both. Step 2 seals the rows written before, step 3 drops the clear column."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_erase_participation_of_closed_waves"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="sealed_attributes",
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name="response",
            name="sealed_attributes",
            field=models.BinaryField(null=True),
        ),
    ]
