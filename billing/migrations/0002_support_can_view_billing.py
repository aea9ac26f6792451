"""Support staff see each workspace's billing account and invoices (read-only)."""

from django.db import migrations

from support.groups import ensure_support_group


def grant(apps, schema_editor):
    ensure_support_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("support", "0003_privacy_centre_permissions"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
