from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from mixora.errors import UserFacingError
from mixora.refusals import message_for
from mixora.templatetags.rows import url_maker

from .. import calendar_posts, deletion, duplication, review, status, workflow
from ..forms import CommentForm, DecisionForm
from ..models import Post, PostTarget
from ..publisher import EXPIRY_GRACE, publishing_paused
from .rows import Mark, marks

STAGE_LABELS = dict(Post.Stage.choices)


def _post(request: WorkspaceRequest, pk: int) -> Post:
    return get_object_or_404(
        Post.objects.select_related("author", "approved_by"), pk=pk, workspace=request.workspace
    )


@workspace_view()
@require_safe
def post_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    targets = list(post.targets.select_related("account").order_by("account__platform"))
    for target in targets:
        target.status = status.target_status(post, target)
    reviewing = post.stage == Post.Stage.IN_REVIEW and request.membership.can(Capability.APPROVE)
    context = {
        "post": post,
        "status": status.post_status(post, targets),
        "targets": targets,
        # Only the review box shows them, and only to approvers.
        "receives": review.what_each_account_receives(post, targets) if reviewing else [],
        "version": review.content_version(post) if reviewing else "",
        "attachments": post.attachments.filter(account=None).select_related("media"),
        "own_media_targets": [t for t in targets if t.own_media],
        "comments": post.comments.select_related("author"),
        "decisions": post.decisions.select_related("actor"),
        "decision_form": DecisionForm(),
        "comment_form": CommentForm(),
        "may_skip_review": workflow.may_skip_review(request.membership),
        "may_delete": deletion.may_delete(post, request.membership),
        "expiry_days": EXPIRY_GRACE.days,
        "publishing_paused": publishing_paused(request.workspace)
        if post.stage == Post.Stage.SCHEDULED
        else "",
    }
    return render(request, "publishing/post_detail.html", context)


def _act(
    request: WorkspaceRequest, pk: int, action: Callable[[Post], object], done: str
) -> HttpResponse:
    post = _post(request, pk)
    try:
        action(post)
    except UserFacingError as exc:
        messages.error(request, message_for(exc, request.workspace))
    else:
        messages.success(request, done)
    return redirect("post_detail", request.workspace.slug, post.pk)


@workspace_view(Capability.COMPOSE)
@require_POST
def submit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: workflow.submit(p, request.membership), "Sent for review.")


@workspace_view(Capability.COMPOSE)
@require_POST
def schedule(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: workflow.schedule(p, request.membership), "Scheduled.")


@workspace_view(Capability.COMPOSE)
@require_POST
def post_now(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda p: workflow.post_now(p, request.membership), "Publishing now.")


@workspace_view(Capability.COMPOSE)
@require_POST
def duplicate(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A new draft from the post, opened in the composer."""
    copy = duplication.duplicate(_post(request, pk), request.membership)
    messages.success(request, "Duplicated: this is a new draft with no time yet.")
    return redirect("post_edit", request.workspace.slug, copy.pk)


@workspace_view(Capability.COMPOSE)
@require_POST
def unschedule(request: WorkspaceRequest, pk: int) -> HttpResponse:
    return _act(request, pk, workflow.unschedule, "Moved back to drafts.")


def _seen(request: WorkspaceRequest) -> str:
    """The content version the review page showed (empty: a form that did not come from it)."""
    return request.POST.get("version", "")[:64]


@workspace_view(Capability.APPROVE)
@require_POST
def approve(request: WorkspaceRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")[:2000]
    return _act(
        request,
        pk,
        lambda p: workflow.approve(p, request.membership, comment, _seen(request)),
        "Approved and scheduled.",
    )


@workspace_view(Capability.APPROVE)
@require_POST
def reject(request: WorkspaceRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")[:2000]
    return _act(
        request,
        pk,
        lambda p: workflow.reject(p, request.membership, comment, _seen(request)),
        "Sent back with your comment.",
    )


@workspace_view(Capability.COMPOSE)
@require_POST
def retry_target(request: WorkspaceRequest, pk: int, target_pk: int) -> HttpResponse:
    post = _post(request, pk)
    target = get_object_or_404(
        PostTarget.objects.select_related("account"), pk=target_pk, post=post
    )
    return _act(
        request,
        pk,
        lambda p: workflow.retry(target, request.user),
        f"Publishing to {target.account} again.",
    )


@workspace_view()
@require_POST
def comment(request: WorkspaceRequest, pk: int) -> HttpResponse:
    membership = request.membership
    if not (membership.can(Capability.COMPOSE) or membership.can(Capability.APPROVE)):
        raise PermissionDenied("Viewers read comments; they do not write them.")
    body = request.POST.get("body", "")[:5000]
    return _act(request, pk, lambda p: workflow.comment(p, request.user, body), "Comment added.")


@workspace_view(Capability.COMPOSE)
@require_http_methods(["GET", "HEAD", "POST"])
def delete_post(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """What deleting the post does (with a box per published copy the network lets Mixora
    delete), and the deletion. Other composers than its author, owners and admins read why
    they may not; their POST is refused."""
    post = _post(request, pk)
    allowed = deletion.may_delete(post, request.membership)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied("Only the post's author or an owner or admin may delete it.")
        chosen = [int(v) for v in request.POST.getlist("from_network") if v.isdigit()]
        try:
            done = deletion.delete_post(
                post, request.membership, from_networks=chosen, request=request
            )
        except UserFacingError as exc:
            messages.error(request, str(exc))
            return redirect("post_delete", request.workspace.slug, post.pk)
        messages.success(request, done.message)
        tab = next(key for key, stages in STAGE_FILTERS.items() if done.stage in stages)
        return redirect(f"{reverse('post_list', args=[request.workspace.slug])}?tab={tab}")
    context = {"post": post, "allowed": allowed, "plan": deletion.plan(post) if allowed else None}
    return render(request, "publishing/delete_post.html", context)


PER_PAGE = 50
STAGE_FILTERS = {
    "queue": [Post.Stage.SCHEDULED],
    "drafts": [Post.Stage.DRAFT, Post.Stage.CHANGES_REQUESTED],
    "review": [Post.Stage.IN_REVIEW],
    "published": [Post.Stage.PUBLISHED],
    "expired": [Post.Stage.EXPIRED],
}


class _CountedPaginator(Paginator):
    """A Paginator told its count (the tab's, already known) instead of asking for it."""

    def __init__(self, object_list: QuerySet[Post], per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.count = count  # replaces the cached property


def _list_query(request: WorkspaceRequest) -> str:
    """The tab and filters, for the page links."""
    kept = {key: request.GET.get(key, "") for key in ("tab", "account", "state")}
    return urlencode({key: value for key, value in kept.items() if value})


@dataclass(frozen=True)
class ListRow:
    """A post of the list, its links, labels and dates made once (50 rows a page)."""

    post: Post
    title: str  # str(post)
    url: str
    duplicate_url: str
    delete_url: str  # "": this person may not delete it
    day: str  # "Mon 7 Dec", "": no time set
    hour: str  # "09:30"
    stage_label: str
    marks: list[Mark]


def _list_rows(request: WorkspaceRequest, posts: list[Post]) -> list[ListRow]:
    slug = request.workspace.slug
    post_url, duplicate_url, delete_url = (
        url_maker(name, slug) for name in ("post_detail", "post_duplicate", "post_delete")
    )
    targets = calendar_posts.targets_of([post.pk for post in posts], order=("pk",))
    rows = []
    for post in posts:
        when = post.scheduled_at and timezone.localtime(post.scheduled_at)
        rows.append(
            ListRow(
                post,
                str(post),
                post_url(post.pk),
                duplicate_url(post.pk),
                delete_url(post.pk) if deletion.may_delete(post, request.membership) else "",
                date_format(when, "D j M") if when else "",
                date_format(when, "H:i") if when else "",
                STAGE_LABELS.get(post.stage, post.stage),
                marks(targets[post.pk]),
            )
        )
    return rows


@workspace_view()
@require_safe
def post_list(request: WorkspaceRequest) -> HttpResponse:
    """Queue and lists by stage, filterable by account and target state, PER_PAGE posts a
    page; a fixed number of queries whatever the number of posts (the stage counts are one
    GROUP BY, the page's posts one indexed query, their targets one more)."""
    tab = request.GET.get("tab", "queue")
    stages = STAGE_FILTERS.get(tab, STAGE_FILTERS["queue"])
    posts = Post.objects.filter(workspace=request.workspace, stage__in=stages)
    account = request.GET.get("account", "")
    account_id = int(account) if account.isdigit() else None
    state = request.GET.get("state", "")
    state = state if state in PostTarget.State.values else ""
    on_target = account_id is not None or bool(state)
    posts = calendar_posts.with_target(posts, account_id, state)
    order = "scheduled_at" if tab == "queue" else "-updated_at"
    posts = posts.order_by(order, "pk")
    by_stage = dict(
        Post.objects.filter(workspace=request.workspace)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("*"))  # COUNT(*): counted from the (workspace, stage, …) index alone
    )
    counts = {key: sum(by_stage.get(s, 0) for s in value) for key, value in STAGE_FILTERS.items()}
    if on_target:
        paginator = Paginator(posts, PER_PAGE)
    else:
        paginator = _CountedPaginator(posts, PER_PAGE, sum(by_stage.get(s, 0) for s in stages))
    page = paginator.get_page(request.GET.get("page"))
    # A deep page skips thousands of rows: skip them as ids (from the index), then read 50 posts.
    ids = list(page.object_list.values_list("pk", flat=True))
    position = {pk: i for i, pk in enumerate(ids)}
    page.object_list = sorted(posts.filter(pk__in=ids), key=lambda p: position[p.pk])
    context = {
        "page": page,
        "rows": _list_rows(request, page.object_list),
        "page_query": _list_query(request),
        "tab": tab,
        "counts": counts,
        "accounts": request.workspace.connected_accounts.all(),
        "account": account,
        "state": state,
        "states": PostTarget.State.choices,
    }
    return render(request, "publishing/post_list.html", context)
