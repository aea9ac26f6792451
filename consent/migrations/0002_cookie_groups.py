from django.db import migrations

from consent.groups import ensure_cookie_groups


def seed(apps, schema_editor):
    ensure_cookie_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_initial"),
        ("cookie_consent", "0004_cookie_natural_key"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
