from django.db import migrations

from support.groups import ensure_support_group


def grant(apps, schema_editor):
    # Adds whatever support.groups.SUPPORT_PERMISSIONS lists for this app.
    ensure_support_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_cookie_groups"),
        ("support", "0002_support_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
