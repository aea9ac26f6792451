from __future__ import annotations

from django.contrib import admin

from .models import ConnectedAccount


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(admin.ModelAdmin):
    # Tokens are excluded outright: not shown, not editable, not in any admin form.
    list_display = ["display_name", "platform", "workspace", "status", "last_success_at"]
    list_filter = ["platform", "status"]
    search_fields = ["display_name", "handle", "workspace__slug"]
    list_select_related = ["workspace"]
    exclude = ["access_token", "refresh_token", "provider_user_token"]
    readonly_fields = [
        "workspace",
        "platform",
        "external_id",
        "display_name",
        "handle",
        "avatar_url",
        "scopes",
        "details",
        "provider_user_id",
        "token_expires_at",
        "refresh_expires_at",
        "connected_by",
        "connected_at",
        "last_success_at",
        "last_error",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False
