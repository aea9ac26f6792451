"""Accent-insensitive search (inbox/search.py): normalised copies of message text and of the
participant's name and handle, filled in for existing rows, and the full-text GIN index of
0002 moved from `text` to `search_text` (PostgreSQL only, as before)."""

import unicodedata

from django.db import migrations, models

OLD_INDEX = "inbox_message_text_search"
INDEX = "inbox_message_search_text"
BATCH = 2000


def _normalise(text):
    # A copy of inbox.search.normalise as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def backfill(apps, schema_editor):
    Message = apps.get_model("inbox", "Message")
    Conversation = apps.get_model("inbox", "Conversation")
    for model, compute, field in (
        (Message, lambda m: _normalise(m.text), "search_text"),
        (
            Conversation,
            lambda c: _normalise(f"{c.participant_name} {c.participant_handle}".strip()),
            "search_name",
        ),
    ):
        last = 0
        while True:
            rows = list(model.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
            if not rows:
                break
            for row in rows:
                setattr(row, field, compute(row))
            model.objects.bulk_update(rows, [field])
            last = rows[-1].pk


def move_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON inbox_message "
            "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
        )


def restore_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON inbox_message "
            "USING gin (to_tsvector('simple'::regconfig, COALESCE(text, '')))"
        )


class Migration(migrations.Migration):
    dependencies = [("inbox", "0005_conversation_participant_avatar")]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="search_name",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="message",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(move_index, restore_index),
    ]
