from django.conf import settings
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    """A database migrated before the company's policy arrived gets the proposed version 2 as
    a material draft, and a draft for any document still showing placeholders. On a new
    database 0002 already did both, so this changes nothing there."""
    from legal.defaults import propose_privacy_policy_v2, replace_placeholder_versions

    today = timezone.localdate()
    replace_placeholder_versions(apps, today, settings.SUPPORT_EMAIL)
    propose_privacy_policy_v2(apps, today)


class Migration(migrations.Migration):
    dependencies = [("legal", "0002_defaults")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
