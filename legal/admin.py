"""Staff write drafts here and publish them; a published version opens read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from mixora.errors import UserFacingError

from . import documents
from .models import (
    AITrainingChoice,
    DocumentVersion,
    MarketingConsentEvent,
    MarketingPreference,
    PolicyAcknowledgement,
)
from .render import render


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("draft", "Draft"), ("published", "Published")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("draft", "published"):
            return queryset.filter(published_at__isnull=self.value() == "draft")
        return queryset


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "effective_date",
        "material",
        "emailed",
        "acknowledged",
    ]
    list_filter = ["kind", "material", StatusFilter]
    search_fields = ["title", "body"]
    fields = [
        "kind",
        "title",
        "summary",
        "body",
        "effective_date",
        "last_updated",
        "material",
        "preview",
        "version",
        "published_at",
        "published_by",
        "created_by",
        "created_at",
    ]
    readonly_fields = [
        "preview",
        "version",
        "published_at",
        "published_by",
        "created_by",
        "created_at",
    ]
    actions = ["publish_drafts", "start_new_draft"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DocumentVersion]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                emailed_count=Count("announcements", distinct=True),
                acknowledged_count=Count("acknowledgements", distinct=True),
            )
        )

    @admin.display(description="status", ordering="published_at")
    def status(self, obj: DocumentVersion) -> str:
        return f"Published {obj.published_at:%d %b %Y}" if obj.published_at else "Draft"

    @admin.display(description="emailed")
    def emailed(self, obj: DocumentVersion) -> int:
        return obj.emailed_count

    @admin.display(description="acknowledged")
    def acknowledged(self, obj: DocumentVersion) -> int:
        return obj.acknowledged_count

    @admin.display(description="preview")
    def preview(self, obj: DocumentVersion) -> str:
        if not obj.body:
            return "Save to see the preview."
        return format_html("<div>{}</div>", render(obj.body).html)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A published version opens read-only: what people read never changes.
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("legal.publish_documentversion")

    def save_model(self, request: HttpRequest, obj: DocumentVersion, form: Any, change: bool):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish selected drafts", permissions=["publish"])
    def publish_drafts(self, request: HttpRequest, queryset: QuerySet[DocumentVersion]) -> None:
        for draft in queryset.order_by("kind", "created_at"):
            try:
                number = documents.publish(draft, by=request.user)
            except UserFacingError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                continue
            note = " Everyone will be notified." if draft.material else ""
            self.message_user(
                request, f"Published {draft.get_kind_display()} v{number}.{note}", messages.SUCCESS
            )

    @admin.action(description="Start a new draft from the selected version", permissions=["add"])
    def start_new_draft(self, request: HttpRequest, queryset: QuerySet[DocumentVersion]) -> None:
        for version in queryset:
            draft = documents.new_draft_from(version, by=request.user)
            self.message_user(request, f"New draft of {draft.get_kind_display()} created.")


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Proof of what people chose: staff may look, nobody edits it here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PolicyAcknowledgement)
class PolicyAcknowledgementAdmin(_ReadOnlyAdmin):
    list_display = ["user", "version", "acknowledged_at"]
    list_filter = ["version"]
    search_fields = ["user__email"]
    list_select_related = ["user", "version"]


@admin.register(MarketingPreference)
class MarketingPreferenceAdmin(_ReadOnlyAdmin):
    list_display = ["user", "opted_in", "source", "changed_at"]
    list_filter = ["opted_in", "source"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(MarketingConsentEvent)
class MarketingConsentEventAdmin(_ReadOnlyAdmin):
    list_display = ["user", "opted_in", "source", "actor", "created_at"]
    list_filter = ["opted_in", "source"]
    search_fields = ["user__email"]
    list_select_related = ["user", "actor"]


@admin.register(AITrainingChoice)
class AITrainingChoiceAdmin(_ReadOnlyAdmin):
    list_display = ["workspace", "opted_in", "changed_by", "changed_at"]
    list_filter = ["opted_in"]
    search_fields = ["workspace__name", "workspace__slug"]
    list_select_related = ["workspace", "changed_by"]
