# The audit trail now lives in the audit app, which took over the table (audit 0001).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0005_emailed_requests_entered_by_support"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="auditevent", name="audit_ws_recent"),
                migrations.DeleteModel(name="AuditEvent"),
            ],
        ),
    ]
