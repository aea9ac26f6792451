"""The least-privilege group for staff who maintain the legal texts: they write drafts and
publish them, and can see nothing else in admin."""

from __future__ import annotations

from typing import Any

LEGAL_EDITORS_GROUP = "Legal editors"
LEGAL_EDITOR_PERMISSIONS = [
    "view_documentversion",
    "add_documentversion",
    "change_documentversion",
    "delete_documentversion",
    "publish_documentversion",
]


def ensure_legal_editors_group(apps: Any) -> None:
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; create legal's now.
    app_config = apps.get_app_config("legal")
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = previous or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = previous
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=LEGAL_EDITORS_GROUP)
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="legal", codename__in=LEGAL_EDITOR_PERMISSIONS
    )
    group.permissions.add(*permissions)
