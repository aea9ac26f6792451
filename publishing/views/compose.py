from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from accounts.tenancy import WorkspaceRequest, workspace_view
from assistant import provenance
from connections.platforms.registry import network_for
from mixora.errors import UserFacingError
from mixora.refusals import message_for

from .. import composer, media, slots, workflow
from ..forms import ComposerForm, initial_for, own_media_ids
from ..models import Post
from ..states import EDITABLE


def _ingest_uploads(request: WorkspaceRequest, form: ComposerForm) -> list[int]:
    added = []
    for upload in request.FILES.getlist("files"):
        try:
            added.append(media.ingest(request.workspace, request.user, upload).pk)
        except UserFacingError as exc:
            form.add_error(None, str(exc))
    return added


def _context(request: WorkspaceRequest, form: ComposerForm, post: Post | None) -> dict:
    workspace = request.workspace
    selected = set(form["accounts"].value() or [])
    accounts = list(workspace.connected_accounts.all())
    targets = {t.account_id: t for t in post.targets.all()} if post else {}
    rows = []
    for account in accounts:
        target = targets.get(account.pk)
        network = network_for(account)
        # What the person chose: as sent when the form comes back with a problem, else saved.
        if request.method == "POST":
            options = network.composer_options(request.POST, account)
            own_media = own_media_ids(request.POST, account.pk)
        else:
            options = target.options if target else {}
            own_media = (
                list(target.attachments.values_list("media_id", flat=True))
                if target and target.own_media
                else None
            )
        rows.append(
            {
                "account": account,
                "network": network,
                "options": options,
                "extra": network.composer_context(account),
                "checked": str(account.pk) in {str(s) for s in selected},
                "caption": request.POST.get(
                    f"caption_{account.pk}", target.caption if target else ""
                ),
                "own_media": own_media is not None,
                "selected_media": {str(pk) for pk in own_media or []},
                "title": request.POST.get(f"title_{account.pk}", options.get("title", "")),
                "privacy": request.POST.get(
                    f"privacy_{account.pk}",
                    options.get("privacy") or options.get("privacy_level", ""),
                ),
            }
        )
    return {
        "form": form,
        "post": post,
        "rows": rows,
        "library": workspace.media.all()[:60],
        "selected_media": {str(v) for v in (form["media"].value() or [])},
        "may_skip_review": workflow.may_skip_review(request.membership),
    }


def _compose(request: WorkspaceRequest, post: Post | None) -> HttpResponse:
    workspace = request.workspace
    if request.method != "POST":
        # A new post may start at the calendar slot it was opened from (?at=, local time).
        at = request.GET.get("at")
        initial = initial_for(post) if post else slots.initial_at(at, workspace.timezone)
        form = ComposerForm(initial=initial, workspace=workspace)
        return render(request, "publishing/compose.html", _context(request, form, post))

    form = ComposerForm(request.POST, workspace=workspace)
    uploaded = _ingest_uploads(request, form)
    if uploaded:  # new files join the selection, so nothing the person did is lost
        data = request.POST.copy()
        for pk in uploaded:
            data.appendlist("media", str(pk))
        form = ComposerForm(data, workspace=workspace)
        form.is_valid()
    action = request.POST.get("action", "save")
    if not form.is_valid() or form.errors:
        return render(request, "publishing/compose.html", _context(request, form, post), status=400)
    if action == "now" and not workflow.may_skip_review(request.membership):
        # Checked before saving: an edit must not skip the review it would go back to.
        form.add_error(
            None, "This workspace requires approval: choose a time and submit for review."
        )
        return render(request, "publishing/compose.html", _context(request, form, post), status=400)
    data = form.post_input()
    if action == "queue":
        try:
            data.scheduled_at = slots.next_free_slot(
                workspace, [t.account_id for t in data.targets]
            )
        except UserFacingError as exc:
            form.add_error(None, str(exc))
            return render(
                request, "publishing/compose.html", _context(request, form, post), status=400
            )
        action = "schedule" if workflow.may_skip_review(request.membership) else "submit"
    try:
        saved, changed = composer.save(workspace, request.user, data, post)
    except UserFacingError as exc:
        form.add_error(None, str(exc))
        return render(request, "publishing/compose.html", _context(request, form, post), status=400)
    # Which text came from AI, and whether a person has edited or accepted it since.
    texts = {"text": data.text, **{f"caption_{t.account_id}": t.caption for t in data.targets}}
    provenance.settle(
        workspace, f"publishing.post:{saved.pk}", texts, request.POST.getlist("ai_generation")
    )
    step = action
    try:
        # Post now puts the edited post on the schedule itself (its time is now).
        if post is not None and changed and action != "now":
            step = "reschedule"
            workflow.after_edit(saved, request.membership)
            step = action
        if action == "schedule":
            workflow.schedule(saved, request.membership)
            messages.success(request, "Scheduled.")
        elif action == "now":
            try:
                workflow.post_now(saved, request.membership)
            except UserFacingError:
                if saved.stage == Post.Stage.SCHEDULED:
                    # The edited content must not go out at the old time.
                    workflow.unschedule(saved)
                raise
            messages.success(request, "Publishing now.")
        elif action == "submit":
            # An edit of an approved post has already sent it back to review.
            if saved.stage != Post.Stage.IN_REVIEW:
                workflow.submit(saved, request.membership)
            messages.success(request, "Sent for review.")
        else:
            messages.success(request, "Draft saved.")
    except UserFacingError as exc:
        # The draft is kept; the page says what stops it from going further.
        done = {
            "schedule": "scheduled",
            "now": "published",
            "submit": "sent for review",
            "reschedule": "kept on the schedule",
        }.get(step, "saved")
        refusal = message_for(exc, workspace)
        form.add_error(None, format_html("Saved as a draft, but not {}: {}", done, refusal))
        return render(
            request, "publishing/compose.html", _context(request, form, saved), status=400
        )
    return redirect("post_detail", workspace.slug, saved.pk)


@workspace_view(Capability.COMPOSE)
def new_post(request: WorkspaceRequest) -> HttpResponse:
    return _compose(request, None)


@workspace_view(Capability.COMPOSE)
def edit_post(request: WorkspaceRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk, workspace=request.workspace)
    if post.targets.exclude(state__in=EDITABLE).exists():
        messages.error(request, "This post is publishing or published and can no longer be edited.")
        return redirect("post_detail", request.workspace.slug, post.pk)
    return _compose(request, post)


@workspace_view(Capability.COMPOSE)
@require_POST
def check(request: WorkspaceRequest) -> HttpResponse:
    """The composer's live verdict (htmx): counters, problems and previews per account."""
    form = ComposerForm(request.POST, workspace=request.workspace)
    form.is_valid()
    if "accounts" not in form.cleaned_data or "media" not in form.cleaned_data:
        raise PermissionDenied("Unknown accounts or media.")
    form.cleaned_data.setdefault("text", request.POST.get("text", ""))
    data = form.post_input()
    results = composer.check_post(request.workspace, data)
    inputs = {t.account_id: t for t in data.targets}
    library = request.workspace.media.in_bulk(
        [i for t in data.targets for i in composer.media_ids_for(data, t)]
    )
    previews = []
    for account, result in results:
        target = inputs[account.pk]
        ids = composer.media_ids_for(data, target)
        network = network_for(account)
        text = target.caption or data.text
        shown, folded = network.preview_text(text)
        previews.append(
            {
                "account": account,
                "network": network,
                "check": result,
                "text": text,
                "shown": shown,
                "folded": folded,
                "options": target.options,
                "media": [library[i] for i in ids if i in library],
                "own_media": target.media_ids is not None,
            }
        )
    return render(request, "publishing/partials/checks.html", {"previews": previews})
