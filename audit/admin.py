from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "subject_user", "workspace", "ip_address"]
    list_filter = ["action", "created_at"]
    search_fields = ["actor__email", "subject_user__email", "workspace__slug", "ip_address"]
    list_select_related = ["actor", "subject_user", "workspace"]
    date_hierarchy = "created_at"

    # The audit trail is append-only, for support staff and superusers alike.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
