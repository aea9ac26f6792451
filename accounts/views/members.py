from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mixora.errors import UserFacingError
from mixora.refusals import message_for

from .. import invitations, members
from ..forms import InviteForm, RoleForm
from ..models import Invitation, Membership
from ..roles import ROLE_DESCRIPTIONS, Capability, Role, assignable_roles
from ..tenancy import WorkspaceRequest, workspace_view


def _member(request: WorkspaceRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "workspace"),
        pk=pk,
        workspace=request.workspace,
    )


def _render_members(
    request: WorkspaceRequest, invite_form: InviteForm, status: int = 200
) -> HttpResponse:
    workspace = request.workspace
    memberships = workspace.memberships.select_related("user").order_by("user__email")
    pending = workspace.invitations.filter(accepted_at__isnull=True).select_related("invited_by")
    context = {
        "memberships": memberships,
        "pending": pending,
        "invite_form": invite_form,
        "can_manage": request.membership.can(Capability.MANAGE_MEMBERS),
        "assignable": [(r, Role(r).label) for r in assignable_roles(request.membership.role)],
        "role_descriptions": ROLE_DESCRIPTIONS,
        "owner_count": sum(1 for m in memberships if m.role == Role.OWNER),
    }
    return render(request, "accounts/members.html", context, status=status)


@workspace_view(Capability.VIEW, write_capability=Capability.MANAGE_MEMBERS)
def member_list(request: WorkspaceRequest) -> HttpResponse:
    """GET: everyone in the workspace. POST: invite someone (owners and admins)."""
    actor = request.membership
    form = InviteForm(request.POST or None, actor_role=actor.role)
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = invitations.invite(
                    actor, form.cleaned_data["email"], form.cleaned_data["role"], request
                )
            except UserFacingError as exc:
                form.add_error("email", message_for(exc, request.workspace))
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("workspace_members", request.workspace.slug)
        return _render_members(request, form, status=400)
    return _render_members(request, form)


def _act(request: WorkspaceRequest, action: Callable[[], object], success: str) -> HttpResponse:
    try:
        action()
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("workspace_members", request.workspace.slug)


@workspace_view(Capability.MANAGE_MEMBERS)
@require_POST
def change_role(request: WorkspaceRequest, pk: int) -> HttpResponse:
    target = _member(request, pk)
    form = RoleForm(request.POST, actor_role=request.membership.role)
    if not form.is_valid():
        messages.error(request, "Choose a role you are allowed to give.")
        return redirect("workspace_members", request.workspace.slug)
    role = form.cleaned_data["role"]
    return _act(
        request,
        lambda: members.change_role(request.membership, target, role, request),
        f"{target.user.display_name} is now {Role(role).label.lower()}.",
    )


@workspace_view(Capability.MANAGE_MEMBERS)
@require_POST
def remove_member(request: WorkspaceRequest, pk: int) -> HttpResponse:
    target = _member(request, pk)
    return _act(
        request,
        lambda: members.remove_member(request.membership, target, request),
        f"{target.user.display_name} was removed from {request.workspace.name}.",
    )


@workspace_view(Capability.TRANSFER_OWNERSHIP)
@require_POST
def transfer_ownership(request: WorkspaceRequest, pk: int) -> HttpResponse:
    target = _member(request, pk)
    return _act(
        request,
        lambda: members.transfer_ownership(request.membership, target, request),
        f"{target.user.display_name} now owns {request.workspace.name}; you are an admin.",
    )


@workspace_view()
@require_POST
def leave(request: WorkspaceRequest) -> HttpResponse:
    try:
        members.remove_member(request.membership, request.membership, request)
    except UserFacingError as exc:
        messages.error(request, str(exc))
        return redirect("workspace_members", request.workspace.slug)
    messages.success(request, f"You left {request.workspace.name}.")
    return redirect("home")


@workspace_view(Capability.MANAGE_MEMBERS)
@require_POST
def revoke_invitation(request: WorkspaceRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation, pk=pk, workspace=request.workspace, accepted_at__isnull=True
    )
    invitations.revoke(request.membership, invitation, request)
    messages.success(request, f"Invitation to {invitation.email} withdrawn.")
    return redirect("workspace_members", request.workspace.slug)
