"""Whether a workspace lets Mixora use its content to train AI models: off unless an owner
or admin turns it on. Each change is a new row, so the history says who decided and when."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User, Workspace

from .models import AITrainingChoice


def current_choice(workspace: Workspace) -> AITrainingChoice | None:
    return AITrainingChoice.objects.filter(workspace=workspace).first()


def training_allowed(workspace: Workspace) -> bool:
    """Check this before any of the workspace's content is used for training."""
    choice = current_choice(workspace)
    return choice is not None and choice.opted_in


def history(workspace: Workspace) -> QuerySet[AITrainingChoice]:
    return AITrainingChoice.objects.filter(workspace=workspace).select_related("changed_by")


def set_training_choice(
    workspace: Workspace, opted_in: bool, by: User, now: datetime | None = None
) -> bool:
    """Record a new choice; returns False (and records nothing) when nothing changes."""
    with transaction.atomic():
        # Serialise concurrent changes of one workspace so the history never repeats itself.
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
        if training_allowed(workspace) == opted_in:
            return False
        AITrainingChoice.objects.create(
            workspace=workspace, opted_in=opted_in, changed_by=by, changed_at=now or timezone.now()
        )
        # The current value, on the workspace for the AI drafts (a lower layer) to read.
        Workspace.objects.filter(pk=workspace.pk).update(ai_training_opt_in=opted_in)
        workspace.ai_training_opt_in = opted_in
    return True
