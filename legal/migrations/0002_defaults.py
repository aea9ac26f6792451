from django.conf import settings
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    from legal.defaults import install_defaults
    from legal.groups import ensure_legal_editors_group

    install_defaults(apps, timezone.localdate(), timezone.now(), settings.SUPPORT_EMAIL)
    ensure_legal_editors_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
