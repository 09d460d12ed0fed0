"""Invitations of closed waves (step 1 of 2): the person and the token's hash may be empty, as
closing a wave now erases them (``services.erase_participation``)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("surveys", "0004_inbox_payload_only_encrypted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="invitation",
            name="person",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="org.person",
            ),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(max_length=64, null=True, unique=True),
        ),
    ]
