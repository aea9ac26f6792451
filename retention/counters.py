"""What the runners of other apps would remove as of `now`, for dry runs. Each mirrors the
selection of the function named in its docstring; tests/retention/
test_run_retention_command.py checks that a dry run predicts exactly what the real run
removes, so changing one without the other fails there."""

from __future__ import annotations

from datetime import datetime

from accounts.models import User, Workspace
from exports.models import DataExport


def exports_due(now: datetime) -> int:
    """exports.services.delete_expired: ready exports whose link has expired."""
    return DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now).count()


def accounts_due(now: datetime) -> int:
    """accounts.deletion.purge_due_accounts: deleted accounts past their grace period."""
    return User.objects.filter(purge_after__lte=now, is_active=False).count()


def workspaces_due(now: datetime) -> int:
    """accounts.deletion.purge_due_workspaces: deleted workspaces past their grace period."""
    return Workspace.objects.filter(purge_after__lte=now).count()
