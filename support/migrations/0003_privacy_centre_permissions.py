"""Support staff work privacy requests, delete accounts reported as a child's and read usage
and consent records: grant those permissions once every app that defines them is migrated."""

from django.db import migrations

from support.groups import ensure_support_group


def grant(apps, schema_editor):
    ensure_support_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0002_support_group"),
        ("accounts", "0004_deletion"),
        ("privacy", "0004_privacy_requests"),
        ("consent", "0003_support_can_view_usage"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
