"""Completing a request from someone who is not logged in delivers what it asks for: once the
account holder confirmed through their account's address, an access or portability request
builds their export and emails the download link to that address, and a deletion request
starts the account's deletion (a sole owner is refused and told what to do). An address no
account uses gets a plain answer."""

from __future__ import annotations

import io
import json
import re
import zipfile
from urllib.parse import urlsplit

import pytest
import requests as http
from django.core import mail
from django.test import Client

from accounts import deletion
from accounts.models import Membership
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from exports.models import DataExport
from exports.tasks import build_export
from privacy.models import PrivacyRequest
from publishing.models import Post
from tests.factories import MembershipFactory, WorkspaceFactory

from .test_admin import act, change_url, messages_of
from .test_emailed_requests import ENTER_URL, confirm_path, entry

Status = PrivacyRequest.Status
Type = PrivacyRequest.Type

pytestmark = pytest.mark.django_db

DOWNLOAD_LINK = re.compile(r"https?://\S+/privacy/exports/[^/\s]+/")


@pytest.fixture
def pat(db) -> object:
    workspace = WorkspaceFactory(name="Acme Coffee", slug="acme")
    MembershipFactory(workspace=workspace, role=Role.OWNER, user__email="owner@acme.test")
    person = MembershipFactory(
        workspace=workspace,
        role=Role.EDITOR,
        user__email="pat@acme.test",
        user__full_name="Pat Person",
    ).user
    Post.objects.create(workspace=workspace, author=person, text="Autumn blend is back")
    return person


@pytest.fixture
def verified_request(support_client, committed) -> object:
    """verified_request(type, email): entered by support from an email, confirmed by the
    account holder through the link at the account's address, verified by support."""

    def make(request_type: str, email: str) -> PrivacyRequest:
        with committed():
            support_client.post(ENTER_URL, entry(email=email, request_type=request_type))
        req = PrivacyRequest.objects.get(request_type=request_type)
        if mail.outbox and "Confirm your privacy request" in mail.outbox[-1].subject:
            with committed():
                Client().post(confirm_path(mail.outbox[-1]))
        with committed():
            act(support_client, "verify_requests", [req])
        req.refresh_from_db()
        assert req.status == Status.VERIFIED
        mail.outbox.clear()
        return req

    return make


def privacy_mail() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if "privacy request" in m.subject.lower()]


@pytest.mark.parametrize("kind", [Type.ACCESS, Type.PORTABILITY])
def test_completing_delivers_the_export_to_the_accounts_address_and_the_link_downloads_it(
    support_client, verified_request, committed, celery_queue, pat, kind
):
    req = verified_request(kind, "PAT@acme.test")
    assert req.user == pat
    page = support_client.get(change_url(req)).content.decode()
    assert "Completing it starts a data export for the account" in page

    with committed():
        done = act(
            support_client, "complete_requests", [req], apply="Complete", text="Here it comes."
        )

    assert f"Completed: {req.reference}." in messages_of(done)
    export = DataExport.objects.get(user=pat)
    assert export.privacy_request_id == req.pk
    assert celery_queue() == [("exports.tasks.build_export", [export.pk])]
    [completed] = privacy_mail()
    assert completed.to == ["pat@acme.test"]
    assert "A copy of your data is being prepared" in completed.body
    mail.outbox.clear()

    assert build_export(export.pk) == "ready"  # what the worker runs

    [ready] = mail.outbox
    assert ready.to == ["pat@acme.test"]
    assert ready.subject == "Your Mixora data export is ready"
    link = DOWNLOAD_LINK.search(ready.body).group(0)
    response = Client().get(urlsplit(link).path)  # from the email, not logged in
    assert response.status_code == 302
    fetched = http.get(response["Location"], timeout=10)
    fetched.raise_for_status()
    with zipfile.ZipFile(io.BytesIO(fetched.content)) as archive:
        assert "README.txt" in archive.namelist()
        assert json.loads(archive.read("profile.json"))["account"]["email"] == "pat@acme.test"
        posts = json.loads(archive.read("posts.json"))["posts"]
        assert [post["text"] for post in posts] == ["Autumn blend is back"]
    export.refresh_from_db()
    assert export.download_count == 1


def test_completing_a_deletion_request_starts_the_accounts_deletion(
    support_client, support_staff, verified_request, committed, pat
):
    req = verified_request(Type.DELETION, "pat@acme.test")
    assert "Completing it starts deletion of the account." in (
        support_client.get(change_url(req)).content.decode()
    )

    with committed():
        done = act(support_client, "complete_requests", [req], apply="Complete", text="")

    assert f"Completed: {req.reference}." in messages_of(done)
    pat.refresh_from_db()
    assert not pat.is_active
    assert pat.deactivated_at is not None
    assert pat.email != "pat@acme.test"
    assert not Membership.objects.filter(user=pat).exists()
    deleted = AuditEvent.objects.get(action=AuditAction.ACCOUNT_DELETED)
    assert (deleted.actor, deleted.subject_user) == (support_staff, pat)
    assert deleted.details["reason"] == f"privacy request {req.reference}"
    # The requester hears at the address they had; the request keeps no trace of it.
    [completed] = privacy_mail()
    assert completed.to == ["pat@acme.test"]
    assert "Account deletion started." not in completed.body
    assert "Your Mixora account is deleted" in [m.subject for m in mail.outbox]
    req.refresh_from_db()
    assert req.status == Status.COMPLETED
    assert "pat@acme.test" not in (req.email, req.name, req.details, req.completion_note)
    assert req.events.last().note == "Account deletion started."


def test_a_sole_owner_is_refused_and_emailed_what_to_do(
    support_client, verified_request, committed, pat
):
    acme = pat.memberships.get().workspace
    Membership.objects.filter(workspace=acme, user=pat).update(role=Role.OWNER)
    Membership.objects.filter(workspace=acme).exclude(user=pat).update(role=Role.EDITOR)
    side = WorkspaceFactory(name="Side Project", slug="side")
    MembershipFactory(workspace=side, user=pat, role=Role.OWNER)
    req = verified_request(Type.DELETION, "pat@acme.test")
    assert "Refused for now: the account holder is the only owner of Acme Coffee, Side Project" in (
        support_client.get(change_url(req)).content.decode()
    )

    with committed():
        refused = act(support_client, "complete_requests", [req], apply="Complete", text="")

    assert messages_of(refused) == [
        f"{req.reference} cannot be completed yet: the account holder is the only owner of "
        "Acme Coffee, Side Project. They must make another member owner or delete them before "
        "their account can be deleted. We emailed them this guidance."
    ]
    req.refresh_from_db()
    assert req.status == Status.VERIFIED
    pat.refresh_from_db()
    assert pat.is_active
    assert not AuditEvent.objects.filter(action=AuditAction.ACCOUNT_DELETED).exists()
    [guidance] = mail.outbox
    assert guidance.to == ["pat@acme.test"]
    assert guidance.subject == f"Before we can delete your account [{req.reference}]"
    assert "- Acme Coffee: make a teammate owner, or delete the workspace." in guidance.body
    assert "- Side Project: you are its only member: delete it, or invite someone" in guidance.body
    for path in ("/w/acme/members/", "/w/acme/delete/", "/w/side/delete/"):
        assert path in guidance.body
    html = guidance.alternatives[0][0]
    assert "Acme Coffee" in html
    assert "/w/side/members/" in html

    # Handed over and deleted: now it goes through.
    Membership.objects.filter(workspace=acme).exclude(user=pat).update(role=Role.OWNER)
    deletion.delete_workspace(side, actor=pat)
    mail.outbox.clear()
    with committed():
        done = act(support_client, "complete_requests", [req], apply="Complete", text="")
    assert f"Completed: {req.reference}." in messages_of(done)
    pat.refresh_from_db()
    assert not pat.is_active


@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        (
            Type.ACCESS,
            "We hold no Mixora account for nobody@example.test, so there is no account data "
            "to send you.",
        ),
        (
            Type.DELETION,
            "We hold no Mixora account for nobody@example.test, so there is no account to delete.",
        ),
    ],
)
def test_an_address_without_an_account_is_told_so_plainly(
    support_client, verified_request, committed, pat, kind, answer
):
    req = verified_request(kind, "nobody@example.test")
    assert req.user is None
    page = support_client.get(change_url(req)).content.decode()
    assert "No Mixora account uses this address: completing it answers" in page

    with committed():
        act(
            support_client,
            "complete_requests",
            [req],
            apply="Complete",
            text="We also checked our support inbox.",
        )

    req.refresh_from_db()
    assert req.status == Status.COMPLETED
    assert req.completion_note == f"{answer}\n\nWe also checked our support inbox."
    [completed] = privacy_mail()
    assert completed.to == ["nobody@example.test"]
    assert answer in completed.body
    assert not DataExport.objects.exists()
    pat.refresh_from_db()
    assert pat.is_active
    assert not AuditEvent.objects.filter(action=AuditAction.ACCOUNT_DELETED).exists()
