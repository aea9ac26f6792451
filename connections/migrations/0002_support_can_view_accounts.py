from django.db import migrations

from support.groups import ensure_support_group


def grant(apps, schema_editor):
    ensure_support_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0001_initial"),
        ("support", "0002_support_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
