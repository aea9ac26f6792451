"""The self-service privacy request pages: file, confirm by email, follow the status."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mixora.client_ip import client_ip
from mixora.errors import UserFacingError
from mixora.ratelimit import allow

from . import requests
from .forms import PrivacyRequestForm
from .models import PrivacyRequest
from .request_links import request_from_status_token, status_path

# Enough for a person filing a few different requests; too few to flood anyone's inbox.
REQUESTS_PER_HOUR_PER_IP = 5
_FILED_SESSION_KEY = "privacy_request_filed"


def _deleting_from_an_account(request: HttpRequest) -> bool:
    return (
        request.user.is_authenticated
        and request.method == "POST"
        and request.POST.get("request_type") == PrivacyRequest.Type.DELETION
    )


# Deleting is the one request a stolen session must not be able to make (CCPA regs §7061):
# allauth asks for the password again, then replays this POST.
@reauthentication_required(allow_get=True, enabled=_deleting_from_an_account)
def new_request(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    posted = request.method == "POST"
    form = PrivacyRequestForm(request.POST if posted else None, user=user)
    if not posted:
        return _form_page(request, form)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    if not allow(
        "privacy-request",
        client_ip(request) or "unknown",
        limit=REQUESTS_PER_HOUR_PER_IP,
        window_seconds=3600,
    ):
        form.add_error(
            None,
            "You have filed several requests in the last hour. Please wait a little, or "
            f"email {settings.SUPPORT_EMAIL}.",
        )
        return _form_page(request, form, status=429)
    try:
        privacy_request = requests.file_request(
            **form.cleaned_data, user=user, http_request=request
        )
    except UserFacingError as exc:
        form.add_error(None, str(exc))
        return _form_page(request, form, status=400)
    if user is not None and privacy_request.request_type != PrivacyRequest.Type.OPT_OUT_SALE:
        done = privacy_request.status == PrivacyRequest.Status.COMPLETED
        messages.success(
            request, f"Request {privacy_request.reference} {'is complete' if done else 'received'}."
        )
        return redirect(status_path(privacy_request))
    request.session[_FILED_SESSION_KEY] = privacy_request.reference
    return redirect("privacy_request_filed")


def _form_page(request: HttpRequest, form: PrivacyRequestForm, status: int = 200) -> HttpResponse:
    return render(request, "privacy/request_new.html", {"form": form}, status=status)


def filed(request: HttpRequest) -> HttpResponse:
    """What happens next, for the browser that just filed (the reference is in its session)."""
    reference = request.session.get(_FILED_SESSION_KEY)
    privacy_request = PrivacyRequest.objects.filter(reference=reference).first()
    if privacy_request is None:
        return redirect("privacy_request_new")
    return render(
        request,
        "privacy/request_filed.html",
        {"req": privacy_request, "status_path": status_path(privacy_request)},
    )


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open links confirm nothing."""
    try:
        if request.method == "POST":
            privacy_request = requests.confirm_email(token, http_request=request)
            tied = " The request is tied to your Mixora account." if privacy_request.user else ""
            messages.success(request, f"Thanks, your email address is confirmed.{tied}")
            return redirect(status_path(privacy_request))
        privacy_request, account = requests.awaiting_confirmation(token)
    except requests.LinkAlreadyUsed as exc:
        return _link_problem(request, str(exc), exc.privacy_request)
    except UserFacingError as exc:
        return _link_problem(request, str(exc))
    context = {"req": privacy_request, "for_account": account is not None}
    return render(request, "privacy/request_confirm.html", context)


def _link_problem(
    request: HttpRequest, message: str, privacy_request: PrivacyRequest | None = None
) -> HttpResponse:
    context = {
        "message": message,
        "status_path": status_path(privacy_request) if privacy_request else "",
    }
    return render(request, "privacy/link_problem.html", context, status=400)


def status(request: HttpRequest, token: str) -> HttpResponse:
    """One request, read-only, for whoever holds the signed link from its emails."""
    privacy_request = request_from_status_token(token)
    if privacy_request is None:
        return render(
            request,
            "privacy/link_problem.html",
            {"message": "This status link is not valid. Use the link in our latest email."},
            status=404,
        )
    return render(
        request,
        "privacy/request_status.html",
        {
            "req": privacy_request,
            "events": privacy_request.events.all(),
            "progress": _progress(privacy_request),
        },
    )


def _progress(privacy_request: PrivacyRequest) -> list[dict[str, str]]:
    """The stepper on the status page. An open request shows every stage still to come; a
    closed one only the stages it went through."""
    Status = PrivacyRequest.Status
    status = privacy_request.status
    final = Status.REJECTED if status == Status.REJECTED else Status.COMPLETED
    stages = [Status.RECEIVED, Status.VERIFIED, Status.IN_PROGRESS, final]
    reached = {event.to_status for event in privacy_request.events.all()}
    if privacy_request.closed_at is not None:
        stages = [stage for stage in stages if stage in reached]

    def state(stage: str) -> str:
        if stage == Status.REJECTED:
            return "stopped"
        if stage == status and privacy_request.is_open:
            return "current"
        return "done" if stage in reached else "todo"

    return [{"label": stage.label, "state": state(stage)} for stage in stages]


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    rows = [(r, status_path(r)) for r in PrivacyRequest.objects.filter(user=request.user)]
    return render(request, "privacy/request_list.html", {"rows": rows})
