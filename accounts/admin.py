from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from mixora.errors import UserFacingError

from . import deletion
from .models import Invitation, Membership, User, Workspace

# Authenticators hold TOTP secrets and recovery-code seeds: never shown in admin.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    # No password field at all: not even the hash's algorithm and salt reach a support screen.
    list_display = ["email", "full_name", "company", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "country"]
    search_fields = ["email", "full_name", "company"]
    ordering = ["-date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "company", "job_title", "country", "avatar"]}),
        (
            "Status",
            {"fields": ["is_active", "date_joined", "last_login", "deactivated_at", "purge_after"]},
        ),
        ("Staff access", {"fields": ["is_staff", "is_superuser", "groups"]}),
    ]
    readonly_fields = ["date_joined", "last_login", "deactivated_at", "purge_after"]
    filter_horizontal = ["groups"]
    actions = ["delete_child_accounts"]

    def has_erase_child_account_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.erase_child_account")

    @admin.action(
        description="Delete account reported as a child's (everything, at once)",
        permissions=["erase_child_account"],
    )
    def delete_child_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.exclude(is_staff=True):
            email = user.email
            try:
                deletion.delete_child_account(user, actor=request.user)
            except UserFacingError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"Deleted {email} and everything it held.")

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser", "groups"]  # no self-promotion
            if obj is not None and obj.is_superuser:
                fields.append("email")  # a reset link to a changed address takes the account
        return fields


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "workspace__name", "workspace__slug"]
    list_select_related = ["user", "workspace"]
    autocomplete_fields = ["user", "workspace"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    # The key is a bearer secret; it is excluded, not merely read-only.
    list_display = ["email", "workspace", "role", "sent_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "workspace__name"]
    list_select_related = ["workspace"]
    exclude = ["key"]
    readonly_fields = ["sent_at", "accepted_at", "accepted_by", "invited_by"]
