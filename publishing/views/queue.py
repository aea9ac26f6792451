"""Each account's queue: upcoming posts in order, Move up / Move down, Pause / Resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from mixora.errors import UserFacingError
from mixora.templatetags.rows import truncated, url_maker

from .. import moving, queue
from ..models import Post, PostTarget
from ..publisher import EXPIRY_GRACE
from ..queue import ACCOUNT_SHOWN


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


@dataclass(frozen=True)
class Row:
    """A queued target as its row shows it, the link, dates and texts made once."""

    target: PostTarget
    above: PostTarget | None  # the one Move up swaps with
    below: PostTarget | None
    url: str
    iso: str  # due_at for <time datetime>
    day: str  # "Mon 7 Dec"
    hour: str  # "09:30"
    text: str  # up to 140 characters, or "Untitled post"
    title: str  # up to 40, in the move buttons' labels


@dataclass(frozen=True)
class Shown:
    """A queue with its rows as the page draws them."""

    queue: queue.Queue
    rows: list[Row]


def _shown(request: WorkspaceRequest, queues: list[queue.Queue]) -> list[Shown]:
    post_url = url_maker("post_detail", request.workspace.slug)
    shown = []
    for q in queues:
        rows = []
        for target, above, below in q.rows:
            due = timezone.localtime(target.due_at)
            post = target.post
            rows.append(
                Row(
                    target,
                    above,
                    below,
                    post_url(post.pk),
                    due.isoformat(),
                    date_format(due, "D j M"),
                    date_format(due, "H:i"),
                    truncated(post.text, 140) or "Untitled post",
                    truncated(str(post), 40),
                )
            )
        shown.append(Shown(q, rows))
    return shown


@workspace_view()
@require_safe
def queue_page(request: WorkspaceRequest) -> HttpResponse:
    """Every account's first posts, or (?account=) a window of one account's queue, moved
    along with ?start=."""
    account = _number(request.GET.get("account", ""))
    context = {"expiry_days": EXPIRY_GRACE.days, "one_account": account is not None}
    if account is None:
        context["queues"] = queue.queues(request.workspace)
        context["shown"] = _shown(request, context["queues"])
        return render(request, "publishing/queue.html", context)
    start = _number(request.GET.get("start", "")) or 0
    found = queue.queues(request.workspace, account=account, start=start, shown=ACCOUNT_SHOWN)
    if not found:
        raise Http404("No such account in this workspace.")
    context |= {
        "queues": found,
        "shown": _shown(request, found),
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
