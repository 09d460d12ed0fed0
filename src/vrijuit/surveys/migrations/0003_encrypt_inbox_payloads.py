"""Inbox batches (step 2 of 3): encrypt the entries waiting in the inbox, one new batch (and key
file in VRIJUIT_INBOX_KEY_DIR) per wave. Nothing is dropped: every plaintext payload becomes a
ciphertext of the same entry. Reversible: going back decrypts them and destroys the keys.

A separate migration from the schema changes around it: on PostgreSQL, altering a table after
updating its rows in the same transaction fails on the deferred foreign key checks.
"""

import uuid

from django.db import migrations

from vrijuit.surveys import inbox_crypto, inbox_keys


def encrypt_waiting_entries(apps, schema_editor):  # type: ignore[no-untyped-def]
    InboxBatch = apps.get_model("surveys", "InboxBatch")
    InboxEntry = apps.get_model("surveys", "InboxEntry")
    waiting = InboxEntry.objects.filter(ciphertext__isnull=True)
    for wave_id in sorted(set(waiting.values_list("wave_id", flat=True))):
        batch_id = uuid.uuid4()
        key = inbox_keys.create_key(batch_id)
        InboxBatch.objects.create(id=batch_id, wave_id=wave_id)
        for entry in waiting.filter(wave_id=wave_id):
            entry.ciphertext = inbox_crypto.encrypt(
                key, entry.payload, entry_id=entry.pk, wave_id=wave_id, batch_id=batch_id
            )
            entry.batch_id = batch_id
            entry.payload = None
            entry.save(update_fields=["ciphertext", "batch", "payload"])


def decrypt_waiting_entries(apps, schema_editor):  # type: ignore[no-untyped-def]
    InboxBatch = apps.get_model("surveys", "InboxBatch")
    InboxEntry = apps.get_model("surveys", "InboxEntry")
    for entry in InboxEntry.objects.filter(ciphertext__isnull=False):
        key = inbox_keys.load_key(entry.batch_id)
        entry.payload = inbox_crypto.decrypt(
            key,
            entry.ciphertext,
            entry_id=entry.pk,
            wave_id=entry.wave_id,
            batch_id=entry.batch_id,
        )
        entry.ciphertext = None
        entry.batch_id = None
        entry.save(update_fields=["ciphertext", "batch", "payload"])
    for batch_id in InboxBatch.objects.values_list("id", flat=True):
        inbox_keys.destroy_key(batch_id)
    InboxBatch.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_inbox_batches"),
    ]

    operations = [
        migrations.RunPython(encrypt_waiting_entries, decrypt_waiting_entries),
    ]
