from __future__ import annotations

from django.contrib import admin

from .models import SupportTicket


@admin.register(SupportTicket)
class SupportTicketAdmin(admin.ModelAdmin):
    list_display = ["reference", "subject", "email", "topic", "status", "created_at"]
    list_filter = ["status", "topic"]
    search_fields = ["email", "name", "subject"]
    readonly_fields = [
        "name",
        "email",
        "topic",
        "subject",
        "message",
        "user",
        "created_at",
        "updated_at",
    ]
    fields = ["status", "staff_notes", *readonly_fields]

    def has_add_permission(self, request: object) -> bool:
        return False  # tickets come from the contact page
