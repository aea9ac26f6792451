from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from .models import ConsentRecord, UsageEvent
from .summary import usage_summary

SUMMARY_DAYS = (7, 14, 30, 90)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Proof and analytics are written by the product only; staff may look, never edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "user",
        "visitor_id",
        "method",
        "source",
        "functional",
        "analytics",
        "marketing",
        "gpc",
        "policy_version",
        "superseded_at",
    )
    list_filter = ("method", "source", "analytics", "marketing", "gpc", "policy_version")
    search_fields = ("visitor_id", "user__email")
    date_hierarchy = "created_at"
    list_select_related = ("user",)


@admin.register(UsageEvent)
class UsageEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "name", "device", "referrer_host", "workspace")
    list_filter = ("kind", "device")
    search_fields = ("name", "referrer_host")
    date_hierarchy = "created_at"
    list_select_related = ("workspace",)
    change_list_template = "consent/admin/usage_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        summary = path(
            "summary/",
            self.admin_site.admin_view(self.summary_view),
            name="consent_usageevent_summary",
        )
        return [summary, *super().get_urls()]

    def summary_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days", "14"))
        except ValueError:
            days = 14
        if days not in SUMMARY_DAYS:
            days = 14
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Usage summary",
            "days": days,
            "day_choices": SUMMARY_DAYS,
            "summary": usage_summary(days),
        }
        return TemplateResponse(request, "consent/admin/usage_summary.html", context)
