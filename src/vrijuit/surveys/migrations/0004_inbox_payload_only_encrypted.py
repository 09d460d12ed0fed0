"""Inbox batches (step 3 of 3): the plaintext payload column goes; every entry has its batch
and its ciphertext."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_encrypt_inbox_payloads"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="inboxentry",
            name="payload",
        ),
        migrations.AlterField(
            model_name="inboxentry",
            name="batch",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="entries",
                to="surveys.inboxbatch",
            ),
        ),
        migrations.AlterField(
            model_name="inboxentry",
            name="ciphertext",
            field=models.BinaryField(),
        ),
    ]
