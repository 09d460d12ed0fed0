"""Inbox batches (step 1 of 3): the batch table, and room for the encrypted payload beside the
plaintext one while 0003 encrypts the entries that are waiting."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="InboxBatch",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("sealed", models.BooleanField(default=False)),
                (
                    "wave",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="inbox_batches",
                        to="surveys.wave",
                    ),
                ),
            ],
            options={
                "verbose_name": "inbox batch",
                "verbose_name_plural": "inbox batches",
            },
        ),
        migrations.AddField(
            model_name="inboxentry",
            name="batch",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="entries",
                to="surveys.inboxbatch",
            ),
        ),
        migrations.AddField(
            model_name="inboxentry",
            name="ciphertext",
            field=models.BinaryField(null=True),
        ),
        migrations.AlterField(
            model_name="inboxentry",
            name="payload",
            field=models.JSONField(null=True),
        ),
    ]
