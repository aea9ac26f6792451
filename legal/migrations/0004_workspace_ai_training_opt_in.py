"""Copy each workspace's current AI-training choice onto Workspace.ai_training_opt_in."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_current_choice(apps, schema_editor):
    Workspace = apps.get_model("accounts", "Workspace")
    AITrainingChoice = apps.get_model("legal", "AITrainingChoice")
    newest = AITrainingChoice.objects.filter(workspace=OuterRef("pk")).order_by(
        "-changed_at", "-id"
    )
    for workspace_id, opted_in in (
        Workspace.objects.annotate(current=Subquery(newest.values("opted_in")[:1]))
        .filter(current=True)
        .values_list("pk", "current")
    ):
        Workspace.objects.filter(pk=workspace_id).update(ai_training_opt_in=opted_in)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_workspace_ai_training_opt_in"),
        ("legal", "0003_company_policy_and_proposed_v2"),
    ]

    operations = [migrations.RunPython(copy_current_choice, migrations.RunPython.noop)]
