from django.core.management.base import BaseCommand

from accounts.demo import DEMO_MEMBERS, DEMO_WORKSPACE
from accounts.models import User, Workspace
from insights.demo import seed_history


class Command(BaseCommand):
    help = (
        "Connect Demo Co's Instagram in the emulator and give it twelve weeks of posts and "
        "metrics (local mode only; once)."
    )

    def handle(self, *args: object, **options: object) -> None:
        workspace = Workspace.objects.get(slug=DEMO_WORKSPACE[1])
        owner = User.objects.get(email=DEMO_MEMBERS[0][0])
        self.stdout.write(seed_history(workspace, owner))
