from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from mixora.errors import UserFacingError

from . import deletion
from .models import Invitation, Membership, User, Workspace

# Authenticators hold TOTP secrets and recovery-code seeds: never shown in admin.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@dataclass(frozen=True)
class ChildDeletionPreview:
    """What deleting one account reported as a child's does, shown before it is done."""

    user: User
    deleted: list[Workspace]  # only this account belongs to them: deleted with it
    blocking: list[Workspace]  # its sole owner, with other members: the deletion is refused
    left: list[Workspace]  # shared: it leaves them, its content there shows "Deleted user"


def child_deletion_preview(user: User) -> ChildDeletionPreview:
    # The same split as deletion.delete_child_account makes.
    sole = deletion.sole_owned_workspaces(user)
    return ChildDeletionPreview(
        user=user,
        deleted=[w for w in sole if w.people == 1],
        blocking=[w for w in sole if w.people > 1],
        left=list(
            Workspace.objects.filter(memberships__user=user)
            .exclude(pk__in=[w.pk for w in sole])
            .order_by("name")
        ),
    )


class ChildDeletionConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have checked that these accounts were reported as children's. Delete them and "
        "everything listed above now; this cannot be undone.",
        error_messages={"required": "Tick the box to confirm: nothing has been deleted."},
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class LabelledFileWidget(AdminFileWidget):
    # Django puts a file field in a fieldset whose legend labels no input; a <label> does.
    use_fieldset = False


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
    formfield_overrides = {models.ImageField: {"widget": LabelledFileWidget}}
    actions = ["delete_child_accounts"]

    def has_erase_child_account_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.erase_child_account")

    @admin.action(
        description="Delete account reported as a child's (everything, at once)",
        permissions=["erase_child_account"],
    )
    def delete_child_accounts(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> TemplateResponse | None:
        """First a page listing each account and the workspaces that go with it; only its
        ticked confirmation deletes anything."""
        children = list(queryset.exclude(is_staff=True).order_by("email"))
        if not children:
            self.message_user(request, "Staff accounts are not deleted this way.", messages.ERROR)
            return None
        confirming = "confirm_child_deletion" in request.POST
        form = ChildDeletionConfirmForm(request.POST if confirming else None)
        if confirming and form.is_valid():
            for user in children:
                email = user.email
                try:
                    deletion.delete_child_account(user, actor=request.user)
                except UserFacingError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                else:
                    self.message_user(request, f"Deleted {email} and everything it held.")
            return None  # back to the user list
        context = {
            **self.admin_site.each_context(request),
            "title": "Delete accounts reported as a child's",
            "grace_days": settings.DELETION_GRACE_DAYS,
            "opts": self.opts,
            "previews": [child_deletion_preview(user) for user in children],
            "staff_skipped": list(queryset.filter(is_staff=True).order_by("email")),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/accounts/user/delete_child_confirmation.html", context
        )

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
