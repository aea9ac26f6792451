"""Invitations: the email, the signed link, accepting it with or without an account."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, Membership, User
from accounts.roles import Role
from audit.models import AuditAction, AuditEvent
from tests.factories import PASSWORD, UserFactory, WorkspaceFactory

T0 = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "a-long-unusual-passphrase-42"


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme", slug="acme")


@pytest.fixture
def owner(workspace, make_member):
    return make_member(workspace, Role.OWNER, email="owner@example.test", full_name="Olga Owner")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def members_url(workspace):
    return reverse("workspace_members", args=[workspace.slug])


def send_invite(owner_client, workspace, email, role=Role.EDITOR):
    return owner_client.post(members_url(workspace), {"email": email, "role": role})


def link_path(message):
    """The path of the invitation link in an email, checked in both text and HTML parts."""
    urls = re.findall(r"https?://[^\s\"'<>]+/invitations/[^\s\"'<>/]+/", message.body)
    assert len(urls) == 1, message.body
    url = urls[0]
    assert url.startswith(settings.SITE_URL)
    html = message.alternatives[0].content
    assert url in html
    return urlsplit(url).path


def invited(owner_client, workspace, email, role=Role.EDITOR):
    """Invite `email` through the members page; returns the link path from the email."""
    sent_before = len(mail.outbox)
    response = send_invite(owner_client, workspace, email, role)
    assert response.status_code == 302, response.content[:500]
    assert len(mail.outbox) == sent_before + 1
    return link_path(mail.outbox[-1])


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- sending ----------------------------------------------------------------------------


def test_invite_sends_an_email_with_a_link(owner_client, workspace):
    response = send_invite(owner_client, workspace, "newbie@example.test", Role.APPROVER)

    assert response.status_code == 302
    assert response["Location"] == members_url(workspace)
    assert message_texts(response) == ["Invitation sent to newbie@example.test."]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newbie@example.test"]
    assert "Acme" in message.subject
    assert "Olga Owner" in message.body
    assert "approver" in message.body
    path = link_path(message)
    invitation = Invitation.objects.get(workspace=workspace, email="newbie@example.test")
    assert invitation.role == Role.APPROVER
    assert path.startswith("/invitations/")
    assert invitation.key in path  # the token is the signed key
    event = AuditEvent.objects.get(workspace=workspace, action=AuditAction.INVITATION_SENT)
    assert event.details == {"invited_email": "newbie@example.test", "role": Role.APPROVER}
    assert event.ip_address == "127.0.0.1"


def test_pending_invitation_is_listed_on_the_members_page(owner_client, workspace):
    invited(owner_client, workspace, "newbie@example.test")
    page = owner_client.get(members_url(workspace))
    assert "newbie@example.test" in page.content.decode()


def test_inviting_an_existing_member_is_a_form_error(owner_client, workspace, make_member):
    make_member(workspace, Role.VIEWER, email="already@example.test")

    response = send_invite(owner_client, workspace, "Already@Example.test")

    assert response.status_code == 400
    errors = response.context["invite_form"].errors["email"]
    assert errors == ["Already@Example.test is already a member of Acme."]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["not-an-email", "", "two@@example.test", "a@b@c.test"])
def test_invalid_email_is_a_form_error(owner_client, workspace, email):
    response = send_invite(owner_client, workspace, email)

    assert response.status_code == 400
    assert response.context["invite_form"].errors["email"]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_reinviting_a_pending_email_renews_the_invitation(owner_client, owner, workspace):
    with time_machine.travel(T0, tick=False):
        owner_client.force_login(owner)  # a session that is valid at T0
        first_path = invited(owner_client, workspace, "newbie@example.test", Role.VIEWER)
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        second_path = invited(owner_client, workspace, "NEWBIE@example.test", Role.EDITOR)

    pending = Invitation.objects.filter(workspace=workspace, accepted_at__isnull=True)
    assert pending.count() == 1
    invitation = pending.get()
    assert invitation.sent_at == T0 + timedelta(days=3)
    assert invitation.role == Role.EDITOR
    assert len(mail.outbox) == 2
    assert first_path != second_path  # a freshly signed link in the second email
    # The renewed link lives 7 days from the second sending.
    with time_machine.travel(T0 + timedelta(days=9), tick=False):
        assert Client().get(second_path).status_code == 200


# --- the link page ----------------------------------------------------------------------


def test_link_offers_sign_up_to_a_visitor_without_an_account(owner_client, workspace):
    path = invited(owner_client, workspace, "newbie@example.test")
    visitor = Client()

    response = visitor.get(path)

    assert response.status_code == 200
    assert response.context["has_account"] is False
    html = response.content.decode()
    assert "Join Acme on Mixora" in html
    assert "Create your account" in html
    assert f'href="{reverse("account_signup")}"' in html


def test_link_offers_log_in_to_a_visitor_with_an_account(owner_client, workspace):
    UserFactory(email="known@example.test")
    path = invited(owner_client, workspace, "known@example.test")
    visitor = Client()

    response = visitor.get(path)

    assert response.status_code == 200
    assert response.context["has_account"] is True
    html = response.content.decode()
    assert "Log in to accept" in html
    assert "Create your account" not in html
    # Nothing was stashed as verified: an existing account proves its own address.
    assert not visitor.session.get("account_verified_email")


def test_logging_in_from_the_link_comes_back_to_it(owner_client, workspace):
    UserFactory(email="known@example.test")
    path = invited(owner_client, workspace, "known@example.test", Role.APPROVER)
    visitor = Client()
    visitor.get(path)

    response = visitor.post(
        reverse("account_login"), {"login": "known@example.test", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == path
    accepted = visitor.post(path)
    assert accepted.status_code == 302
    user = User.objects.get(email="known@example.test")
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.APPROVER


def test_matching_user_accepts_with_post_and_gets_the_invited_role(owner_client, workspace):
    invitee = UserFactory(email="invitee@example.test")
    path = invited(owner_client, workspace, "Invitee@Example.test", Role.APPROVER)
    client = Client()
    client.force_login(invitee)

    page = client.get(path)
    assert page.status_code == 200
    assert page.context["email_matches"] is True
    assert "Accept invitation" in page.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()  # a GET accepts nothing

    response = client.post(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace_dashboard", args=[workspace.slug])
    assert message_texts(response) == ["Welcome to Acme!"]
    assert Membership.objects.get(workspace=workspace, user=invitee).role == Role.APPROVER
    invitation = Invitation.objects.get(workspace=workspace)
    assert invitation.accepted_by == invitee
    assert invitation.accepted_at is not None
    event = AuditEvent.objects.get(workspace=workspace, action=AuditAction.INVITATION_ACCEPTED)
    assert event.actor == invitee
    members_page = client.get(members_url(workspace))
    assert 'data-member="invitee@example.test"' in members_page.content.decode()


def test_email_mismatch_is_refused_with_a_clear_message(owner_client, workspace):
    path = invited(owner_client, workspace, "invitee@example.test")
    someone_else = UserFactory(email="someone.else@example.test")
    client = Client()
    client.force_login(someone_else)

    page = client.get(path)
    assert page.status_code == 200
    assert page.context["email_matches"] is False
    assert "This invitation is for <strong>invitee@example.test</strong>" in page.content.decode()

    response = client.post(path)

    assert response.status_code == 302
    assert response["Location"] == path
    assert message_texts(response) == [
        "This invitation is for invitee@example.test. Log in with that address to accept it."
    ]
    assert not Membership.objects.filter(user=someone_else).exists()
    assert Invitation.objects.get(workspace=workspace).accepted_at is None
    shown = client.get(path).content.decode()
    assert "Log in with that address to accept it." in shown


# --- links that no longer work ----------------------------------------------------------


def test_expired_link_gives_410_and_no_membership(owner_client, owner, workspace):
    invitee = UserFactory(email="late@example.test")
    client = Client()
    with time_machine.travel(T0, tick=False):
        owner_client.force_login(owner)  # sessions that are valid at T0
        client.force_login(invitee)
        path = invited(owner_client, workspace, "late@example.test")

    with time_machine.travel(T0 + timedelta(days=7, minutes=-1), tick=False):
        early = client.get(path)  # still good just before the deadline
        assert early.status_code == 200
        assert early.context["email_matches"] is True

    with time_machine.travel(T0 + timedelta(days=7, minutes=1), tick=False):
        page = client.get(path)
        post = client.post(path)
        anonymous = Client().get(path)
        assert page.wsgi_request.user == invitee  # refused for the link, not the session

    for response in (page, post, anonymous):
        assert response.status_code == 410
        assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()
    assert Invitation.objects.get(workspace=workspace).accepted_at is None


def test_reused_link_gives_410_already_used(owner_client, workspace):
    invitee = UserFactory(email="invitee@example.test")
    path = invited(owner_client, workspace, "invitee@example.test", Role.VIEWER)
    client = Client()
    client.force_login(invitee)
    assert client.post(path).status_code == 302

    second = client.post(path)

    assert second.status_code == 410
    assert "already been used" in second.content.decode()
    assert client.get(path).status_code == 410
    assert Membership.objects.filter(workspace=workspace, user=invitee).count() == 1
    accepted_events = AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED)
    assert accepted_events.count() == 1


def test_tampered_token_gives_410_not_valid(owner_client, workspace):
    invitee = UserFactory(email="invitee@example.test")
    path = invited(owner_client, workspace, "invitee@example.test")
    token = path.rstrip("/").rsplit("/", 1)[1]
    key, timestamp, signature = token.split(":")
    other_key = Invitation.objects.create(workspace=workspace, email="x@example.test").key
    tampered = [
        f"{key}:{timestamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{other_key}:{timestamp}:{signature}",
        f"{key}:{timestamp}",
        key,
        "garbage",
    ]
    client = Client()
    client.force_login(invitee)

    for bad in tampered:
        url = reverse("invitation_accept", args=[bad])
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 410, bad
            assert "not valid" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()


def test_revoked_invitation_gives_410(owner_client, workspace):
    invitee = UserFactory(email="invitee@example.test")
    path = invited(owner_client, workspace, "invitee@example.test")
    invitation = Invitation.objects.get(workspace=workspace)
    revoke = owner_client.post(reverse("invitation_revoke", args=[workspace.slug, invitation.pk]))
    assert revoke.status_code == 302
    assert message_texts(revoke)[-1] == "Invitation to invitee@example.test withdrawn."
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_REVOKED).count() == 1
    client = Client()
    client.force_login(invitee)

    for response in (client.get(path), client.post(path), Client().get(path)):
        assert response.status_code == 410
        assert "withdrawn" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()


def test_accepted_invitation_cannot_be_revoked(owner_client, workspace):
    invitee = UserFactory(email="invitee@example.test")
    path = invited(owner_client, workspace, "invitee@example.test")
    client = Client()
    client.force_login(invitee)
    client.post(path)
    invitation = Invitation.objects.get(workspace=workspace)

    response = owner_client.post(reverse("invitation_revoke", args=[workspace.slug, invitation.pk]))

    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


# --- the whole way for someone without an account ---------------------------------------


def test_newcomer_signs_up_from_the_link_without_a_second_email_check(owner_client, workspace):
    path = invited(owner_client, workspace, "newbie@example.test", Role.APPROVER)
    mail.outbox.clear()
    visitor = Client()

    guest_page = visitor.get(path)
    assert guest_page.status_code == 200
    assert guest_page.context["has_account"] is False
    assert visitor.session["account_verified_email"] == "newbie@example.test"

    signup = visitor.post(
        reverse("account_signup"),
        {
            "email": "newbie@example.test",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "full_name": "Nina Newbie",
            "country": "US",
            "age": "16+",
        },
    )

    # Logged in at once and sent back to the invitation: no verification email, because
    # the invitation link proved the address (allauth's stash_verified_email).
    assert signup.status_code == 302, signup.content.decode()[:2000]
    assert signup["Location"] == path
    user = User.objects.get(email="newbie@example.test")
    assert str(user.pk) == logged_in_user_id(visitor)
    assert (user.full_name, user.country) == ("Nina Newbie", "US")
    assert EmailAddress.objects.get(user=user).verified is True
    assert mail.outbox == []
    assert not Membership.objects.filter(user=user).exists()  # not until they accept

    page = visitor.get(path)
    assert page.status_code == 200
    assert page.context["email_matches"] is True

    accepted = visitor.post(path)

    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("workspace_dashboard", args=[workspace.slug])
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.APPROVER
    assert visitor.get(accepted["Location"]).status_code == 200
    # The pending-invitation bookmark is gone: home now leads to the workspace.
    home = visitor.get(reverse("home"))
    assert home["Location"] == reverse("workspace_dashboard", args=[workspace.slug])


def test_signing_up_without_an_invitation_still_needs_email_verification(db):
    visitor = Client()

    signup = visitor.post(
        reverse("account_signup"),
        {
            "email": "cold@example.test",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "full_name": "Cold Caller",
            "country": "US",
            "age": "16+",
        },
    )

    assert signup.status_code == 302
    assert signup["Location"] == reverse("account_email_verification_sent")
    assert logged_in_user_id(visitor) is None
    assert EmailAddress.objects.get(email="cold@example.test").verified is False
    assert len(mail.outbox) == 1


def test_anonymous_post_to_the_link_accepts_nothing(owner_client, workspace):
    UserFactory(email="invitee@example.test")
    path = invited(owner_client, workspace, "invitee@example.test")

    response = Client().post(path)

    assert response.status_code == 200  # the guest page again
    assert Membership.objects.filter(workspace=workspace).count() == 1  # the owner only
    assert Invitation.objects.get(workspace=workspace).accepted_at is None


def test_signing_up_from_the_link_with_another_address_registers_the_invited_one(
    owner_client, workspace
):
    """allauth's documented stash behaviour: the stashed (proven) address becomes the
    account's verified primary email; the typed one is kept as an unverified extra."""
    path = invited(owner_client, workspace, "newbie@example.test")
    mail.outbox.clear()
    visitor = Client()
    visitor.get(path)

    signup = visitor.post(
        reverse("account_signup"),
        {
            "email": "typed@example.test",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "full_name": "Nina Newbie",
            "country": "US",
            "age": "16+",
        },
    )

    assert signup.status_code == 302
    assert signup["Location"] == path
    user = User.objects.get(pk=logged_in_user_id(visitor))
    assert user.email == "newbie@example.test"
    addresses = set(EmailAddress.objects.filter(user=user).values_list("email", "verified"))
    assert addresses == {("newbie@example.test", True), ("typed@example.test", False)}
    assert mail.outbox == []


# --- a logged-in person with another address --------------------------------------------


def _log_in_as_someone_else_from_the_link(owner_client, workspace, make_member):
    """Bob, who has his own workspace, opens Alice's link logged out and logs in as Bob."""
    path = invited(owner_client, workspace, "alice@example.test")
    UserFactory(email="alice@example.test")
    bobs = WorkspaceFactory(name="Bob's", slug="bobs")
    make_member(bobs, Role.OWNER, email="bob@example.test")
    visitor = Client()
    visitor.get(path)
    login = visitor.post(
        reverse("account_login"), {"login": "bob@example.test", "password": PASSWORD}
    )
    assert login["Location"] == path
    page = visitor.get(path)
    assert page.context["email_matches"] is False
    return visitor, path, page, bobs


def test_mismatched_user_is_not_trapped_on_the_invitation_page(
    owner_client, workspace, make_member
):
    visitor, path, _, bobs = _log_in_as_someone_else_from_the_link(
        owner_client, workspace, make_member
    )

    home = visitor.get(reverse("home"))

    # Bob cannot accept Alice's invitation, so "/" must take him to his own workspace
    # rather than back to a page that can only refuse him (for up to 7 days).
    assert home.status_code == 302
    assert home["Location"] == reverse("workspace_dashboard", args=[bobs.slug])


def test_switching_account_from_a_mismatched_invitation_comes_back_to_it(
    owner_client, workspace, make_member
):
    visitor, path, page, _ = _log_in_as_someone_else_from_the_link(
        owner_client, workspace, make_member
    )
    html = page.content.decode()
    form = re.search(
        r'<form method="post" action="(?P<action>[^"]+)">(?P<body>.*?)</form>', html, re.S
    )
    assert form["action"] == reverse("account_logout")
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form["body"]))

    # "Log out and switch account", exactly as the page's form posts it, then follow on.
    logout = visitor.post(form["action"], fields)
    assert logout.status_code == 302
    visitor.get(logout["Location"])
    login = visitor.post(
        reverse("account_login"), {"login": "alice@example.test", "password": PASSWORD}
    )

    assert login.status_code == 302
    assert login["Location"] == path
