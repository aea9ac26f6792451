"""Each account's queue: upcoming posts in order, Move up / Move down, Pause / Resume."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from mixora.errors import UserFacingError

from .. import moving, queue
from ..models import Post
from ..publisher import EXPIRY_GRACE
from ..queue import ACCOUNT_SHOWN


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


@workspace_view()
@require_safe
def queue_page(request: WorkspaceRequest) -> HttpResponse:
    """Every account's first posts, or (?account=) a window of one account's queue, moved
    along with ?start=."""
    account = _number(request.GET.get("account", ""))
    context = {"expiry_days": EXPIRY_GRACE.days, "one_account": account is not None}
    if account is None:
        context["queues"] = queue.queues(request.workspace)
        return render(request, "publishing/queue.html", context)
    start = _number(request.GET.get("start", "")) or 0
    found = queue.queues(request.workspace, account=account, start=start, shown=ACCOUNT_SHOWN)
    if not found:
        raise Http404("No such account in this workspace.")
    context |= {
        "queues": found,
        "previous_start": max(0, start - ACCOUNT_SHOWN) if start else None,
        "next_start": start + ACCOUNT_SHOWN,
    }
    return render(request, "publishing/queue.html", context)


def _seen(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None  # refused as "changed since you opened the page"


@workspace_view(Capability.COMPOSE)
@require_POST
def swap(request: WorkspaceRequest) -> HttpResponse:
    """Move up / Move down: the post and its neighbour exchange times, as the page showed."""
    posts = []
    for name in ("post", "other"):
        pk = request.POST.get(name, "")
        posts.append(
            get_object_or_404(Post, pk=pk if pk.isdigit() else 0, workspace=request.workspace)
        )
    try:
        moved, _ = moving.swap(
            posts[0],
            _seen(request.POST.get("post_seen", "")),
            posts[1],
            _seen(request.POST.get("other_seen", "")),
            request.membership,
        )
    except UserFacingError as exc:
        messages.error(request, f"Nothing was moved: {exc}")
    else:
        messages.success(request, moving.describe(moved))
    return redirect("post_queue", request.workspace.slug)


@workspace_view(Capability.COMPOSE)
@require_POST
def pause(request: WorkspaceRequest) -> HttpResponse:
    """Pause or resume one account's queue (`action` = pause | resume)."""
    pk = request.POST.get("account", "")
    account = get_object_or_404(request.workspace.connected_accounts, pk=pk if pk.isdigit() else 0)
    name = f"{account.display_name} on {account.get_platform_display()}"
    if request.POST.get("action") == "resume":
        queue.resume(account)
        messages.success(
            request, f"The queue of {name} runs again: posts that came due go out now."
        )
    else:
        queue.pause(account)
        messages.success(request, f"The queue of {name} is paused: nothing is published to it.")
    return redirect("post_queue", request.workspace.slug)
