from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from mixora.errors import UserFacingError

from . import deadlines, fulfilment
from . import requests as privacy_requests
from .forms import EmailedRequestForm
from .models import OPEN_STATUSES, PrivacyRequest, PrivacyRequestEvent


class DueFilter(admin.SimpleListFilter):
    title = "due date"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [
            ("overdue", "Overdue"),
            ("soon", f"Due within {deadlines.DUE_SOON_DAYS} days"),
            ("later", "Later"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        soon_end = today + timedelta(days=deadlines.DUE_SOON_DAYS)
        ranges = {
            "overdue": {"due_date__lt": today},
            "soon": {"due_date__gte": today, "due_date__lte": soon_end},
            "later": {"due_date__gt": soon_end},
        }
        if self.value() not in ranges:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, **ranges[self.value()])


class PrivacyRequestEventInline(admin.TabularInline):
    model = PrivacyRequestEvent
    fields = readonly_fields = ["created_at", "step", "by", "from_status", "to_status", "note"]
    extra = 0
    can_delete = False
    verbose_name_plural = "History"

    @admin.display(description="by")
    def by(self, event: PrivacyRequestEvent) -> str:
        if event.actor_kind == PrivacyRequestEvent.Actor.STAFF:
            return event.actor.email if event.actor else "support staff (account removed)"
        return event.get_actor_kind_display()

    # The history is part of the request: whoever may view the request reads it; nobody
    # edits it (append-only).
    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("privacy.view_privacyrequest")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReasonForm(forms.Form):
    text = forms.CharField(
        label="Reason (sent to the requester)",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        max_length=2000,
        error_messages={"required": "Give a reason: it is sent to the requester."},
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note to the requester (optional)",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        max_length=2000,
        required=False,
    )


_BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]

# Compact names for the queue's type column; the request page shows the full label.
SHORT_TYPES = {
    PrivacyRequest.Type.ACCESS: "Access",
    PrivacyRequest.Type.PORTABILITY: "Portability",
    PrivacyRequest.Type.CORRECTION: "Correction",
    PrivacyRequest.Type.DELETION: "Deletion",
    PrivacyRequest.Type.RESTRICTION: "Restriction / objection",
    PrivacyRequest.Type.LIMIT_SENSITIVE: "Limit sensitive data",
    PrivacyRequest.Type.OPT_OUT_SALE: "Opt-out of sale/sharing",
    PrivacyRequest.Type.MARKETING_OPT_OUT: "Marketing opt-out",
}


def _entered_message(privacy_request: PrivacyRequest) -> str:
    received = date_format(deadlines.received_on(privacy_request.received_at), "M j, Y")
    due = date_format(privacy_request.due_date, "M j, Y")
    entered = f"{privacy_request.reference} entered: received {received}, answer due by {due}."
    if privacy_request.status == PrivacyRequest.Status.COMPLETED:
        return f"{entered} It was answered at once: {privacy_request.completion_note}"
    if fulfilment.unconfirmed_account(privacy_request) is not None:
        return (
            f"{entered} A Mixora account uses {privacy_request.email}: the confirmation link "
            "went to the account's address, and nothing is done for the account until its "
            "holder confirms."
        )
    return (
        f"{entered} No Mixora account uses this address; the requester was sent an acknowledgement."
    )


def _extended_due(privacy_request: PrivacyRequest) -> str:
    if privacy_request.received_at is None:
        return ""
    received = deadlines.received_on(privacy_request.received_at)
    new_due = deadlines.extended_due_date(privacy_request.jurisdiction, received)
    return f"New due date: {date_format(new_due, 'M j, Y')}"


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    """The support queue. Staff see what a request needs and change it only through the
    actions, each of which is a step in privacy.requests (history, audit, email)."""

    list_display = ["reference", "due", "status", "kind", "email", "jurisdiction"]
    list_filter = ["status", "request_type", "jurisdiction", DueFilter, "extended"]
    search_fields = ["reference", "email"]
    ordering = ["due_date", "-created_at"]
    fieldsets = [
        (None, {"fields": ["reference", "request_type", "status", "due", "what_completing_does"]}),
        (
            "Requester",
            {
                "fields": [
                    "name",
                    "email",
                    "account",
                    "source",
                    "entered_by",
                    "jurisdiction",
                    "details",
                ]
            },
        ),
        ("Answer", {"fields": ["extension_reason", "rejection_reason", "completion_note"]}),
        ("Dates", {"fields": ["created_at", "received_at", "closed_at"]}),
    ]
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]
    inlines = [PrivacyRequestEventInline]
    actions = [
        "resend_confirmations",
        "verify_requests",
        "start_requests",
        "extend_requests",
        "reject_requests",
        "complete_requests",
    ]

    class Media:
        css = {"all": ["privacy/admin/requests.css"]}

    # --- Columns ------------------------------------------------------------------------

    @admin.display(description="due", ordering="due_date")
    def due(self, obj: PrivacyRequest) -> str:
        if obj.due_date is None:
            return "—"
        state = deadlines.due_state(obj.due_date, timezone.localdate()) if obj.is_open else ""
        notes = [{"overdue": "overdue", "soon": "due soon"}.get(state, "")]
        notes.append("extended" if obj.extended else "")
        return format_html(
            '<span class="privacy-due privacy-due--{}">{}</span>',
            state or "closed",
            " · ".join([date_format(obj.due_date, "M j, Y"), *filter(None, notes)]),
        )

    @admin.display(description="type", ordering="request_type")
    def kind(self, obj: PrivacyRequest) -> str:
        return SHORT_TYPES[obj.request_type]

    @admin.display(description="account")
    def account(self, obj: PrivacyRequest) -> str:
        return obj.user.email if obj.user else "—"

    @admin.display(description="completing it")
    def what_completing_does(self, obj: PrivacyRequest) -> str:
        return fulfilment.what_completing_does(obj) if obj.is_open else "—"

    # --- Permissions: read-only except through the actions ----------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # kept 24 months after closing; the retention job removes them

    def has_work_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("privacy.work_privacyrequest")

    # --- Entering a request received by email --------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        enter = path(
            "enter/",
            self.admin_site.admin_view(self.enter_view),
            name="privacy_privacyrequest_enter",
        )
        return [enter, *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_enter": self.has_work_permission(request)}
        return super().changelist_view(request, extra_context)

    def enter_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_work_permission(request):
            raise PermissionDenied
        form = EmailedRequestForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                entered = privacy_requests.enter_emailed_request(
                    **form.cleaned_data, actor=request.user, http_request=request
                )
            except UserFacingError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, _entered_message(entered), messages.SUCCESS)
                return redirect("admin:privacy_privacyrequest_change", entered.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Enter a request received by email",
            "opts": self.opts,
            "form": form,
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(
            request, "admin/privacy/privacyrequest/enter.html", context, status=status
        )

    # --- Actions ------------------------------------------------------------------------

    @admin.action(
        permissions=["work"],
        description="Send the account holder's confirmation link again",
        location=_BOTH,
    )
    def resend_confirmations(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            privacy_requests.resend_confirmation,
            "Confirmation link sent to the account's address",
        )

    @admin.action(permissions=["work"], description="Verify (identity checked)", location=_BOTH)
    def verify_requests(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            lambda r: privacy_requests.verify(r, actor=request.user, http_request=request),
            "Verified",
        )

    @admin.action(permissions=["work"], description="Mark in progress", location=_BOTH)
    def start_requests(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            lambda r: privacy_requests.start(r, actor=request.user, http_request=request),
            "Marked in progress",
        )

    @admin.action(permissions=["work"], description="Extend the deadline…", location=_BOTH)
    def extend_requests(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._with_text(
            request,
            queryset,
            ReasonForm,
            title="Extend the deadline",
            button="Extend deadline",
            intro="The requester is emailed the reason and the new due date. A deadline can "
            "be extended once, before it passes.",
            run=lambda r, text: privacy_requests.extend(
                r, actor=request.user, reason=text, http_request=request
            ),
            done="Deadline extended",
            preview=_extended_due,
        )

    @admin.action(permissions=["work"], description="Reject with a reason…", location=_BOTH)
    def reject_requests(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._with_text(
            request,
            queryset,
            ReasonForm,
            title="Reject",
            button="Reject",
            intro="The requester is emailed the reason. Rejecting closes the request.",
            run=lambda r, text: privacy_requests.reject(
                r, actor=request.user, reason=text, http_request=request
            ),
            done="Rejected",
        )

    @admin.action(permissions=["work"], description="Complete…", location=_BOTH)
    def complete_requests(
        self, request: HttpRequest, queryset: QuerySet
    ) -> TemplateResponse | None:
        return self._with_text(
            request,
            queryset,
            NoteForm,
            title="Complete",
            button="Complete",
            intro="The requester is emailed that the request is complete, with your note.",
            run=lambda r, text: privacy_requests.complete(
                r, actor=request.user, note=text, http_request=request
            ),
            done="Completed",
            preview=fulfilment.what_completing_does,
        )

    def _run(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        step: Callable[[PrivacyRequest], object],
        done: str,
    ) -> None:
        succeeded = []
        for privacy_request in queryset:
            try:
                step(privacy_request)
            except UserFacingError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                succeeded.append(privacy_request.reference)
        if succeeded:
            self.message_user(request, f"{done}: {', '.join(succeeded)}.", messages.SUCCESS)

    def _with_text(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        form_class: type[forms.Form],
        *,
        title: str,
        button: str,
        intro: str,
        run: Callable[[PrivacyRequest, str], object],
        done: str,
        preview: Callable[[PrivacyRequest], str] | None = None,
    ) -> TemplateResponse | None:
        """An intermediate page asking for the reason or note, then the step for each row."""
        applying = "apply" in request.POST
        form = form_class(request.POST if applying else None)
        if applying and form.is_valid():
            self._run(request, queryset, lambda r: run(r, form.cleaned_data["text"]), done)
            return None  # back to where the action was started
        # Everything the admin needs to route the second POST back to this action.
        carried = [
            (key, value)
            for key in request.POST
            if key not in {"csrfmiddlewaretoken", "apply", "text"}
            for value in request.POST.getlist(key)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "intro": intro,
            "button": button,
            "form": form,
            "carried": carried,
            "rows": [(r, preview(r) if preview else "") for r in queryset],
        }
        return TemplateResponse(request, "privacy/admin/step_form.html", context)
