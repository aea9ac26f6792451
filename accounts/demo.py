"""The demo workspace that `make run` seeds for newcomers. Local mode only."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from billing.plans import seed_plans
from support.groups import SUPPORT_GROUP

from .models import Membership, User, Workspace
from .roles import Role

DEMO_PASSWORD = "mixora-demo-1"  # noqa: S105 - published in the README on purpose
DEMO_WORKSPACE = ("Demo Co", "demo-co", "Europe/London")
DEMO_MEMBERS = [
    ("owner@demo.test", "Olivia Owner", Role.OWNER),
    ("admin@demo.test", "Adam Admin", Role.ADMIN),
    ("editor@demo.test", "Eddie Editor", Role.EDITOR),
    ("approver@demo.test", "Ava Approver", Role.APPROVER),
    ("viewer@demo.test", "Victor Viewer", Role.VIEWER),
]
DEMO_SUPPORT = ("support@demo.test", "Sam Support")


def _user(email: str, full_name: str, **fields: object) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email, DEMO_PASSWORD, full_name=full_name, company="Demo Co", country="GB", **fields
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def seed_demo() -> list[tuple[str, str]]:
    """Create what is missing, change nothing that exists; returns (email, role) pairs."""
    if getattr(settings, "MIXORA_MODE", "") != "local":
        raise ImproperlyConfigured("Demo data is only ever seeded in the local mode.")
    name, slug, tz = DEMO_WORKSPACE
    # Demo Co requires approval, so the editor → approver → published path can be walked.
    workspace, _ = Workspace.objects.get_or_create(
        slug=slug, defaults={"name": name, "timezone": tz, "approval_required": True}
    )
    seeded = []
    for email, full_name, role in DEMO_MEMBERS:
        user = _user(email, full_name)
        Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": role})
        seeded.append((email, Role(role).label))
    # The plans' rows; their Stripe prices once the emulator runs (scripts/run_local.py).
    seed_plans(with_stripe=False)
    support = _user(*DEMO_SUPPORT, is_staff=True)
    support.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    seeded.append((DEMO_SUPPORT[0], "Support staff (Django admin at /admin/)"))
    return seeded
