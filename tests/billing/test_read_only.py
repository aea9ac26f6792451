"""A read-only workspace (a payment failed past its grace period): every state-changing request
under /w/<slug>/ is refused with the reason and a way to billing, except paying, leaving,
removing and deleting; publishing pauses and nothing is lost: once paid, it all goes out."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Workspace
from accounts.roles import Role
from accounts.tenancy import READ_ONLY_ALLOWED
from billing.models import SubscriptionStatus
from connections.models import ConnectedAccount
from mixora import limits
from publishing import publisher
from publishing.models import PostTarget
from tests.connections.consent import callback_path, consent
from tests.snapshots import workspace_snapshot
from tests.workspace_urls import fill, inbox_objects, publishing_objects, workspace_routes

from .plan_states import make_read_only, pay, put_on

REASON = "this workspace is read-only until the invoice is paid. Nothing is lost."
S = PostTarget.State


@pytest.fixture
def team(workspace, owner, make_member):
    editor = make_member(workspace, Role.EDITOR, email="editor@acme.test")
    Invitation.objects.create(workspace=workspace, email="pending@example.test", role=Role.VIEWER)
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1", display_name="Acme on X"
    )
    objects = {
        "membership": Membership.objects.get(workspace=workspace, user=editor),
        "invitation": Invitation.objects.get(workspace=workspace),
        "account": account,
    }
    objects |= publishing_objects(workspace, account) | inbox_objects(workspace, account)
    return objects


def test_every_state_changing_request_is_refused_except_the_way_out(client, workspace, owner, team):
    make_read_only(workspace)
    client.force_login(owner.user)
    before = workspace_snapshot(workspace)
    refused = []

    for route, pattern in workspace_routes():
        if pattern.name in READ_ONLY_ALLOWED or route.startswith("w/<slug:slug>/billing/"):
            continue
        response = client.post(
            fill(route, "acme", team), {"text": "Changed", "name": "Changed", "email": "x@y.z"}
        )
        if response.status_code == 405:  # GET-only page: nothing to refuse
            continue
        assert response.status_code == 403, route
        page = response.content.decode()
        assert REASON in page, route
        assert '<a class="btn btn--primary" href="/w/acme/billing/">Go to billing</a>' in page
        refused.append(pattern.name)

    assert workspace_snapshot(workspace) == before
    assert {"post_new", "workspace_members", "connections_connect", "inbox_reply"} <= set(refused)
    assert client.get(reverse("post_list", args=["acme"])).status_code == 200  # still readable


def test_the_way_out_stays_open(client, workspace, owner, team, make_member):
    make_read_only(workspace)
    client.force_login(owner.user)
    # Paying: the billing pages answer for themselves (an unknown plan: their own message).
    checkout = client.post(reverse("billing:checkout", args=["acme"]), {"plan": "nope"})
    assert "accounts/read_only.html" not in [t.name for t in checkout.templates]
    # Removing someone and withdrawing an invitation.
    client.post(reverse("member_remove", args=["acme", team["membership"].pk]))
    assert not Membership.objects.filter(pk=team["membership"].pk).exists()
    client.post(reverse("invitation_revoke", args=["acme", team["invitation"].pk]))
    assert not Invitation.objects.filter(pk=team["invitation"].pk).exists()
    # Deleting a post and leaving.
    post = team["post"]
    client.post(reverse("post_delete", args=["acme", post.pk]), {"confirm": "on"})
    viewer = make_member(workspace, Role.VIEWER)
    client.force_login(viewer)
    left = client.post(reverse("workspace_leave", args=["acme"]))
    assert left["Location"] == reverse("home")
    assert not Membership.objects.filter(workspace=workspace, user=viewer).exists()


def test_an_editor_is_told_who_can_pay(client, workspace, make_member):
    make_read_only(workspace)
    client.force_login(make_member(workspace, Role.EDITOR))

    response = client.post(reverse("post_new", args=["acme"]), {"text": "Hello"})

    assert response.status_code == 403
    assert "Ask an owner of Acme to update the payment details." in response.content.decode()


def test_paying_restores_at_once(client, workspace, owner):
    make_read_only(workspace)
    client.force_login(owner.user)
    url = reverse("posting_slots", args=["acme"])
    assert client.post(url, {}).status_code == 403

    pay(workspace)

    assert "accounts/read_only.html" not in [t.name for t in client.post(url, {}).templates]


def _connect_x(client, owner) -> ConnectedAccount:
    client.force_login(owner.user)
    start = client.post(reverse("connections_connect", args=["acme", "x"]))
    client.get(callback_path(consent(start["Location"])))
    return ConnectedAccount.objects.get(platform="x")


def test_publishing_pauses_while_read_only_and_resumes_once_paid(
    client, workspace, owner, emulator, scheduled_post, celery_queue
):
    put_on(workspace, "pro")
    post = scheduled_post([_connect_x(client, owner)], "Open on Sunday")
    target = post.targets.get()
    make_read_only(workspace)

    assert publisher.dispatch_due() == 0
    page = client.get(reverse("post_detail", args=["acme", post.pk])).content.decode()
    assert "<strong>Publishing is paused:</strong> Payment failed on" in page
    assert REASON in page
    target.refresh_from_db()
    assert target.state == S.SCHEDULED  # waiting, not failed or expired

    pay(workspace)

    assert publisher.dispatch_due() == 1
    assert publisher.publish_one(target.pk) == "published"
    target.refresh_from_db()
    assert target.platform_post_id
    assert (
        "Publishing is paused"
        not in client.get(reverse("post_detail", args=["acme", post.pk])).content.decode()
    )


def test_a_target_claimed_just_before_goes_back_to_waiting(
    client, workspace, owner, emulator, scheduled_post, celery_queue
):
    put_on(workspace, "pro")
    post = scheduled_post([_connect_x(client, owner)], "Open on Sunday")
    assert publisher.dispatch_due() == 1  # queued...
    make_read_only(workspace)  # ...and the workspace turned read-only before the worker ran

    target = post.targets.get()
    assert publisher.publish_one(target.pk) == "paused"

    target.refresh_from_db()
    assert (target.state, target.attempts, target.outcome_unknown) == (S.SCHEDULED, 0, False)
    assert emulator.requests("x", "x.tweets") == []


def test_many_workspaces_are_told_read_only_at_once_as_one_at_a_time(workspace, owner):
    states = {
        "paid": lambda ws: pay(ws),
        "unpaid": lambda ws: put_on(ws, "pro", SubscriptionStatus.UNPAID),
        "trial-ended": lambda ws: put_on(ws, "pro", SubscriptionStatus.PAUSED),
        "past-due-long": make_read_only,
        "past-due-grace": lambda ws: put_on(
            ws, "pro", SubscriptionStatus.PAST_DUE, past_due_since=timezone.now()
        ),
        "free": lambda ws: put_on(ws, "free"),
        "no-account": lambda ws: None,
    }
    workspaces = []
    for slug, put in states.items():
        ws = Workspace.objects.create(name=slug, slug=slug)
        put(ws)
        workspaces.append(ws)

    with CaptureQueriesContext(connection) as queries:
        reasons = limits.read_only_reasons(workspaces)

    assert len(queries) == 1
    assert reasons == {ws.pk: limits.entitlements(ws).read_only for ws in workspaces}
    assert {ws.name for ws in workspaces if reasons[ws.pk]} == {
        "unpaid",
        "trial-ended",
        "past-due-long",
    }
