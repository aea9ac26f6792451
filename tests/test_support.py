"""The contact page, and what the least-privilege Support group can and cannot do in admin."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail

from accounts.models import Invitation
from audit.models import AuditAction, AuditEvent
from support.groups import SUPPORT_GROUP, SUPPORT_PERMISSIONS
from support.models import SupportTicket
from tests.factories import UserFactory, WorkspaceFactory

CONTACT_URL = "/support/"
REFERENCE = re.compile(r"MX-\d{6}")


def contact_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Casey Customer",
        "email": "casey@example.test",
        "topic": SupportTicket.Topic.BILLING,
        "subject": "Invoice question",
        "message": "Why was I charged twice?",
    }
    data.update(overrides)
    return data


# --- Contact page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_page_logged_out_opens_ticket_and_acknowledges_by_email(client):
    assert client.get(CONTACT_URL).status_code == 200

    response = client.post(CONTACT_URL, contact_data())

    assert response.status_code == 200
    ticket = SupportTicket.objects.get()
    assert ticket.user is None
    assert ticket.email == "casey@example.test"
    assert ticket.subject == "Invoice question"
    assert ticket.topic == SupportTicket.Topic.BILLING
    assert ticket.status == SupportTicket.Status.OPEN
    assert REFERENCE.fullmatch(ticket.reference)
    assert ticket.reference == f"MX-{ticket.pk:06d}"
    assert ticket.reference in response.content.decode()

    assert len(mail.outbox) == 1
    ack = mail.outbox[0]
    assert ack.to == ["casey@example.test"]
    assert ticket.reference in ack.subject
    assert ticket.reference in ack.body
    html = ack.alternatives[0].content if ack.alternatives else ""
    assert ticket.reference in html


@pytest.mark.django_db
def test_contact_page_logged_in_prefills_email_and_links_ticket_to_user(client):
    user = UserFactory(email="member@example.test", full_name="Mia Member")
    client.force_login(user)

    page = client.get(CONTACT_URL)
    assert page.status_code == 200
    assert page.context["form"]["email"].value() == "member@example.test"
    assert 'value="member@example.test"' in page.content.decode()
    assert 'value="Mia Member"' in page.content.decode()

    response = client.post(
        CONTACT_URL, contact_data(name="Mia Member", email="member@example.test")
    )

    assert response.status_code == 200
    ticket = SupportTicket.objects.get()
    assert ticket.user == user
    assert ticket.reference in response.content.decode()
    assert [m.to for m in mail.outbox] == [["member@example.test"]]
    assert ticket.reference in mail.outbox[0].subject


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["name", "email", "subject", "message"])
def test_contact_form_with_a_missing_field_is_refused_with_errors_and_no_ticket(client, missing):
    response = client.post(CONTACT_URL, contact_data(**{missing: ""}))

    assert response.status_code == 400
    assert response.context["form"].errors[missing]
    assert "This field is required." in response.content.decode()
    assert not SupportTicket.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_contact_form_with_an_invalid_email_is_refused(client):
    response = client.post(CONTACT_URL, contact_data(email="not-an-address"))

    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert not SupportTicket.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_contact_form_is_rate_limited_per_ip_to_five_tickets_an_hour(client):
    from support.views import TICKETS_PER_HOUR_PER_IP

    assert TICKETS_PER_HOUR_PER_IP == 5
    for n in range(TICKETS_PER_HOUR_PER_IP):
        response = client.post(CONTACT_URL, contact_data(subject=f"Question {n}"))
        assert response.status_code == 200
    # Invalid submissions neither open tickets nor count against the limit.
    assert client.post(CONTACT_URL, contact_data(message="")).status_code == 400

    response = client.post(CONTACT_URL, contact_data(subject="One too many"))

    assert response.status_code == 429
    assert "You have sent several messages in the last hour" in response.content.decode()
    assert SupportTicket.objects.count() == TICKETS_PER_HOUR_PER_IP
    assert not SupportTicket.objects.filter(subject="One too many").exists()
    assert len(mail.outbox) == TICKETS_PER_HOUR_PER_IP

    # Another address is not affected.
    other = client.post(
        CONTACT_URL, contact_data(subject="From elsewhere"), REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 200
    assert SupportTicket.objects.filter(subject="From elsewhere").exists()


# --- The Support group ------------------------------------------------------------------


@pytest.mark.django_db
def test_support_group_exists_with_exactly_the_least_privilege_permissions():
    group = Group.objects.get(name=SUPPORT_GROUP)

    granted = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert granted == set(SUPPORT_PERMISSIONS)
    assert len(SUPPORT_PERMISSIONS) == len(set(SUPPORT_PERMISSIONS))
    assert not any(codename.startswith(("add_", "delete_")) for _, codename in granted)
    changes = {(app, codename) for app, codename in granted if codename.startswith("change_")}
    assert changes == {("support", "change_supportticket")}


@pytest.fixture
def target(db: None):
    """An ordinary customer whose records support staff look at."""
    return UserFactory(email="customer@example.test", full_name="Cora Customer")


@pytest.fixture
def support_client(client, target):
    staff = UserFactory(email="agent@mixora.test", is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    assert not staff.is_superuser
    client.force_login(staff)
    client.staff_user = staff
    return client


@pytest.fixture
def ticket(db: None, target):
    return SupportTicket.objects.create(
        name="Cora Customer",
        email=target.email,
        user=target,
        subject="Cannot publish",
        message="The publish button does nothing.",
    )


@pytest.fixture
def audit_event(db: None, target):
    return AuditEvent.objects.create(
        action=AuditAction.LOGIN_FAILED,
        subject_user=target,
        ip_address="203.0.113.9",
        details={"attempted_email": target.email},
    )


def assert_no_password_hash(html: str, user) -> None:
    assert user.password
    assert user.password not in html
    for part in user.password.split("$")[1:]:
        assert part not in html
    lowered = html.lower()
    assert "pbkdf2" not in lowered
    assert "md5" not in lowered
    assert "argon2" not in lowered
    assert "bcrypt" not in lowered


def test_support_staff_can_open_admin_and_view_users(support_client, target):
    assert support_client.get("/admin/").status_code == 200

    listing = support_client.get("/admin/accounts/user/")
    assert listing.status_code == 200
    assert target.email in listing.content.decode()
    assert_no_password_hash(listing.content.decode(), target)

    change_page = support_client.get(f"/admin/accounts/user/{target.pk}/change/")
    assert change_page.status_code == 200
    html = change_page.content.decode()
    assert target.email in html
    assert 'name="_save"' not in html  # view only
    assert_no_password_hash(html, target)


def test_superuser_user_change_page_does_not_contain_the_password_hash(client, target):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.get(f"/admin/accounts/user/{target.pk}/change/")

    assert response.status_code == 200
    assert 'name="_save"' in response.content.decode()
    assert_no_password_hash(response.content.decode(), target)
    assert "password" not in response.context["adminform"].form.fields


def test_support_staff_cannot_add_change_or_delete_users(support_client, target):
    assert support_client.get("/admin/accounts/user/add/").status_code == 403
    assert (
        support_client.post("/admin/accounts/user/add/", {"email": "x@example.test"}).status_code
        == 403
    )

    response = support_client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        {
            "email": "hijacked@example.test",
            "full_name": "Hijacked",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 403

    assert support_client.get(f"/admin/accounts/user/{target.pk}/delete/").status_code == 403
    assert (
        support_client.post(
            f"/admin/accounts/user/{target.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    bulk = support_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )
    assert bulk.status_code in {200, 302, 403}

    target.refresh_from_db()
    assert target.email == "customer@example.test"
    assert not target.is_staff
    assert not target.is_superuser


def test_support_staff_cannot_promote_themselves(support_client):
    staff = support_client.staff_user

    response = support_client.post(
        f"/admin/accounts/user/{staff.pk}/change/",
        {"email": staff.email, "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )

    assert response.status_code == 403
    staff.refresh_from_db()
    assert not staff.is_superuser


def test_support_staff_can_view_tickets_and_change_their_status(support_client, ticket):
    listing = support_client.get("/admin/support/supportticket/")
    assert listing.status_code == 200
    assert ticket.reference in listing.content.decode()

    url = f"/admin/support/supportticket/{ticket.pk}/change/"
    page = support_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' in page.content.decode()

    response = support_client.post(
        url,
        {
            "status": SupportTicket.Status.RESOLVED,
            "staff_notes": "Cleared the browser cache with them.",
            # Read-only fields are ignored even when posted.
            "subject": "Tampered",
            "email": "tampered@example.test",
        },
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == SupportTicket.Status.RESOLVED
    assert ticket.staff_notes == "Cleared the browser cache with them."
    assert ticket.subject == "Cannot publish"
    assert ticket.email == "customer@example.test"


def test_support_staff_cannot_add_or_delete_tickets(support_client, ticket):
    assert support_client.get("/admin/support/supportticket/add/").status_code == 403
    url = f"/admin/support/supportticket/{ticket.pk}/delete/"
    assert support_client.post(url, {"post": "yes"}).status_code == 403
    assert SupportTicket.objects.filter(pk=ticket.pk).exists()


def test_support_staff_can_view_audit_events_but_not_change_or_delete_them(
    support_client, audit_event
):
    listing = support_client.get("/admin/audit/auditevent/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "203.0.113.9" in html
    assert "delete_selected" not in html
    assert "/admin/audit/auditevent/add/" not in html

    url = f"/admin/audit/auditevent/{audit_event.pk}/change/"
    page = support_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert 'name="_continue"' not in page.content.decode()
    assert f"/admin/audit/auditevent/{audit_event.pk}/delete/" not in page.content.decode()

    assert support_client.post(url, {"action": AuditAction.LOGIN_SUCCEEDED}).status_code == 403
    delete_url = f"/admin/audit/auditevent/{audit_event.pk}/delete/"
    assert support_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert support_client.get("/admin/audit/auditevent/add/").status_code == 403

    audit_event.refresh_from_db()
    assert audit_event.action == AuditAction.LOGIN_FAILED


def test_support_staff_can_view_workspaces_memberships_and_email_addresses(
    support_client, target, make_member
):
    workspace = WorkspaceFactory(name="Cora's Shop")
    make_member(workspace, "owner")

    for url in [
        "/admin/accounts/workspace/",
        f"/admin/accounts/workspace/{workspace.pk}/change/",
        "/admin/accounts/membership/",
        "/admin/account/emailaddress/",
    ]:
        assert support_client.get(url).status_code == 200, url
    assert support_client.get("/admin/accounts/workspace/add/").status_code == 403
    assert support_client.get("/admin/auth/group/").status_code == 403


@pytest.mark.parametrize("superuser", [False, True])
def test_mfa_authenticators_are_not_in_admin(client, db, superuser):
    staff = UserFactory(is_staff=True, is_superuser=superuser)
    if not superuser:
        staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    client.force_login(staff)

    assert client.get("/admin/mfa/authenticator/").status_code == 404
    assert client.get("/admin/mfa/").status_code == 404
    assert "/admin/mfa/" not in client.get("/admin/").content.decode()


def test_invitation_admin_never_shows_the_invitation_key(support_client, target):
    workspace = WorkspaceFactory()
    invitation = Invitation.objects.create(
        workspace=workspace, email="invitee@example.test", invited_by=target
    )
    assert invitation.key

    listing = support_client.get("/admin/accounts/invitation/")
    assert listing.status_code == 200
    assert "invitee@example.test" in listing.content.decode()
    assert invitation.key not in listing.content.decode()

    page = support_client.get(f"/admin/accounts/invitation/{invitation.pk}/change/")
    assert page.status_code == 200
    assert "invitee@example.test" in page.content.decode()
    assert invitation.key not in page.content.decode()


def test_invitation_admin_never_shows_the_key_to_superusers_either(client, target):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    invitation = Invitation.objects.create(
        workspace=WorkspaceFactory(), email="invitee@example.test", invited_by=target
    )

    for url in [
        "/admin/accounts/invitation/",
        f"/admin/accounts/invitation/{invitation.pk}/change/",
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert invitation.key not in response.content.decode()


@pytest.mark.django_db
def test_non_staff_user_is_redirected_away_from_admin(client):
    client.force_login(UserFactory())

    for url in ["/admin/", "/admin/accounts/user/", "/admin/support/supportticket/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/admin/login/"), url


@pytest.mark.django_db
def test_anonymous_visitor_is_redirected_away_from_admin(client):
    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


@pytest.mark.django_db
def test_support_permissions_are_the_only_ones_a_support_agent_holds():
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))

    expected = {f"{app}.{codename}" for app, codename in SUPPORT_PERMISSIONS}
    assert staff.get_all_permissions() == expected
    assert Permission.objects.filter(group__name=SUPPORT_GROUP).count() == len(expected)
