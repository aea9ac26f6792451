"""Full-text search over message text: a GIN index on exactly the expression
queries.matching_messages filters on (PostgreSQL only; the local SQLite mode has none)."""

from django.db import migrations

INDEX = "inbox_message_text_search"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON inbox_message "
            "USING gin (to_tsvector('simple'::regconfig, COALESCE(text, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
