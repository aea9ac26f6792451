from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Membership
from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from mixora import limits
from mixora.csp import form_targets
from mixora.errors import UserFacingError
from mixora.refusals import message_for

from . import oauth_flow, services
from .errors import PlatformError
from .limits import accounts_in_use
from .models import ConnectedAccount
from .platforms import PROVIDER_OF, Platform, Provider, is_configured
from .platforms.registry import connector, connector_for


@dataclass(frozen=True)
class ProviderCard:
    provider: str
    label: str
    configured: bool
    settings_needed: tuple[str, str]
    connected: int


@workspace_view()
@require_safe
@form_targets(oauth_flow.sign_in_origins)
def connections_page(request: WorkspaceRequest) -> HttpResponse:
    accounts = list(request.workspace.connected_accounts.all())
    cards = [
        ProviderCard(
            provider=value,
            label=label,
            configured=is_configured(value),
            settings_needed=connector(value).credential_env,
            connected=sum(1 for a in accounts if PROVIDER_OF[a.platform] == value),
        )
        for value, label in Provider.choices
    ]
    return render(request, "connections/index.html", {"accounts": accounts, "cards": cards})


@workspace_view(Capability.MANAGE_CONNECTIONS)
@require_POST
def connect(request: WorkspaceRequest, provider: str) -> HttpResponse:
    if provider not in Provider.values:
        raise Http404("No such platform.")
    if not is_configured(provider):
        messages.error(request, f"{Provider(provider).label} is not configured yet.")
        return redirect("connections", request.workspace.slug)
    reconnecting = request.POST.get("reconnect") == "1"
    if not reconnecting:
        # Said before the platform's consent screen, not after; save_grant decides for real.
        try:
            limits.require(
                request.workspace,
                limits.SOCIAL_ACCOUNTS,
                in_use=accounts_in_use(request.workspace),
            )
        except UserFacingError as exc:
            messages.error(request, message_for(exc, request.workspace))
            return redirect("connections", request.workspace.slug)
    return redirect(oauth_flow.start(request, request.workspace.slug, provider))


@login_required
@sensitive_variables("grant", "code")
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    """Where the platform sends the person back. Nothing is stored unless the state matches,
    the person may still manage this workspace's connections, and the code exchange works."""
    try:
        started = oauth_flow.take_state(request, provider, request.GET.get("state", ""))
    except UserFacingError as exc:
        return render(request, "connections/callback_error.html", {"reason": str(exc)}, status=400)
    membership = (
        Membership.objects.filter(workspace__slug=started.workspace_slug, user=request.user)
        .select_related("workspace")
        .first()
    )
    if membership is None or not membership.can(Capability.MANAGE_CONNECTIONS):
        raise Http404("No such workspace.")
    workspace = membership.workspace
    label = Provider(provider).label
    if request.GET.get("error") or not request.GET.get("code"):
        messages.warning(
            request, f"{label} was not connected: the permission request was declined."
        )
        return redirect("connections", workspace.slug)
    try:
        grant = oauth_flow.finish(started, request.GET["code"])
    except PlatformError as exc:
        messages.error(request, f"{label} was not connected. {exc.message}")
        return redirect("connections", workspace.slug)
    client = connector(provider)
    if client.chooses_accounts:
        if not grant.profiles:
            messages.warning(
                request,
                f"That {client.platform_label} log-in reaches no {client.accounts_noun}, so "
                f"nothing was connected. {client.no_accounts_hint}",
            )
            return redirect("connections", workspace.slug)
        oauth_flow.stash_for_choice(request, workspace.slug, grant)
        return redirect("connections_choose", workspace.slug)
    try:
        accounts = services.save_grant(workspace, request.user, grant, grant.profiles, request)
    except UserFacingError as exc:
        refusal = message_for(exc, workspace)
        messages.error(request, format_html("{} was not connected. {}", label, refusal))
        return redirect("connections", workspace.slug)
    messages.success(request, f"Connected {', '.join(str(a) for a in accounts)}.")
    return redirect("connections", workspace.slug)


@workspace_view(Capability.MANAGE_CONNECTIONS)
@sensitive_variables("grant")
def choose(request: WorkspaceRequest) -> HttpResponse:
    """One log-in reaches several accounts (Facebook Pages, LinkedIn pages): pick which."""
    grant = oauth_flow.stashed_choice(request, request.workspace.slug)
    if grant is None or not grant.profiles:
        messages.error(request, "That sign-in expired. Please connect again.")
        return redirect("connections", request.workspace.slug)
    client = connector(PROVIDER_OF[grant.profiles[0].platform])
    existing = set(request.workspace.connected_accounts.values_list("platform", "external_id"))
    options = [
        {
            "key": f"{p.platform}:{p.external_id}",
            "profile": p,
            "platform_label": Platform(p.platform).label,
            "connected": (p.platform, p.external_id) in existing,
        }
        for p in grant.profiles
    ]
    error = ""
    if request.method == "POST":
        chosen = set(request.POST.getlist("accounts"))
        profiles = [p for p in grant.profiles if f"{p.platform}:{p.external_id}" in chosen]
        if not profiles:
            error = "Choose at least one account to connect."
        else:
            try:
                accounts = services.save_grant(
                    request.workspace, request.user, grant, profiles, request
                )
            except UserFacingError as exc:
                error = message_for(exc, request.workspace)  # the choice stays: pick fewer
            else:
                oauth_flow.drop_choice(request)
                messages.success(request, f"Connected {', '.join(str(a) for a in accounts)}.")
                return redirect("connections", request.workspace.slug)
    return render(
        request,
        "connections/choose.html",
        {"options": options, "error": error, "client": client},
        status=400 if error else 200,
    )


@workspace_view(Capability.MANAGE_CONNECTIONS)
def disconnect(request: WorkspaceRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(ConnectedAccount, pk=pk, workspace=request.workspace)
    if request.method == "POST":
        result = services.disconnect(account, request)
        problems = [p for p in (result.revoke_error, result.events_error) if p]
        if not problems:
            messages.success(request, f"Disconnected {result.account_name}.")
        else:
            messages.warning(
                request,
                f"Disconnected {result.account_name} and deleted its data here, but the "
                f"platform did not confirm every step ({'; '.join(problems)}). Anything it "
                "still sends is ignored; you can also remove Mixora in the platform's own "
                "settings.",
            )
        return redirect("connections", request.workspace.slug)
    context = {
        "account": account,
        "revoke_note": connector_for(account).revoke_note(account),
        "deletes": services.deletion_summary(account),
    }
    return render(request, "connections/disconnect.html", context)
