"""The least-privilege group for support staff, shared by its migration and by tests that
flush the database."""

from __future__ import annotations

from typing import Any

SUPPORT_GROUP = "Support"
SUPPORT_PERMISSIONS = [
    ("accounts", "view_user"),
    ("accounts", "view_workspace"),
    ("accounts", "view_membership"),
    ("accounts", "view_invitation"),
    ("account", "view_emailaddress"),
    ("support", "view_supportticket"),
    ("support", "change_supportticket"),
    ("audit", "view_auditevent"),
    ("connections", "view_connectedaccount"),
    ("privacy", "view_privacyrequest"),
    ("privacy", "work_privacyrequest"),
    ("accounts", "erase_child_account"),
    ("consent", "view_usageevent"),
    ("consent", "view_consentrecord"),
    ("billing", "view_billingaccount"),
    ("billing", "view_invoice"),
]


def ensure_support_group(apps: Any) -> None:
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; create them now.
    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=SUPPORT_GROUP)
    for app_label, codename in SUPPORT_PERMISSIONS:
        # An app migrated later than this call adds its own permission by calling this again.
        permission = permission_model.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            group.permissions.add(permission)
