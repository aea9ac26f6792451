"""The in-app notice of a material change: shown to each person until they acknowledge it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from legal.context_processors import legal_notices
from legal.models import PolicyAcknowledgement
from tests.factories import WorkspaceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_documents")]

BANNER = 'aria-label="Policy updates"'


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(slug="acme")


@pytest.fixture
def members(workspace, make_member):
    """Two members who joined a month ago, before any change was published."""
    joined = timezone.now() - timedelta(days=30)
    return [
        make_member(workspace, Role.EDITOR, date_joined=joined),
        make_member(workspace, Role.VIEWER, date_joined=joined),
    ]


def _dashboard(client: Client, user: object) -> str:
    client.force_login(user)
    response = client.get(reverse("workspace_dashboard", args=["acme"]))
    assert response.status_code == 200
    return response.content.decode()


def test_material_change_shows_a_notice_to_each_member_until_they_acknowledge(
    notices_on, members, make_version
):
    version = make_version("privacy-policy", material=True, summary="We now delete logs sooner.")
    alice, bob = Client(), Client()

    html = _dashboard(alice, members[0])
    assert BANNER in html
    assert "Privacy policy updated" in html
    assert "We now delete logs sooner." in html
    assert f'href="{version.get_absolute_url()}"' in html
    assert BANNER in _dashboard(bob, members[1])

    response = alice.post(reverse("legal_acknowledge", args=[version.pk]), {"next": "/w/acme/"})

    assert response.status_code == 302
    assert response["Location"] == "/w/acme/"
    ack = PolicyAcknowledgement.objects.get()
    assert (ack.user, ack.version) == (members[0], version)
    assert BANNER not in _dashboard(alice, members[0])
    assert BANNER in _dashboard(bob, members[1])  # per person


def test_acknowledging_twice_keeps_one_record(notices_on, members, client, make_version):
    version = make_version("cookie-policy", material=True)
    client.force_login(members[0])
    url = reverse("legal_acknowledge", args=[version.pk])
    client.post(url)
    first = PolicyAcknowledgement.objects.get()
    client.post(url)
    assert list(PolicyAcknowledgement.objects.all()) == [first]


def test_non_material_change_shows_nothing(notices_on, members, client, make_version):
    make_version("privacy-policy", material=False)
    assert BANNER not in _dashboard(client, members[0])


def test_people_who_joined_after_the_change_see_no_notice(
    notices_on, workspace, make_member, client, make_version
):
    make_version("privacy-policy", material=True)
    later = timezone.now() + timedelta(seconds=1)
    newcomer = make_member(workspace, Role.EDITOR, date_joined=later)
    assert BANNER not in _dashboard(client, newcomer)


def test_only_the_newest_material_version_of_a_kind_is_shown(
    notices_on, members, client, make_version
):
    make_version("privacy-policy", material=True, days_ago=5, summary="First change.")
    newest = make_version("privacy-policy", material=True, summary="Second change.")

    html = _dashboard(client, members[0])
    assert "Second change." in html
    assert "First change." not in html

    client.post(reverse("legal_acknowledge", args=[newest.pk]))
    assert BANNER not in _dashboard(client, members[0])


def test_a_later_non_material_version_keeps_the_material_notice(
    notices_on, members, client, make_version
):
    material = make_version("privacy-policy", material=True, days_ago=5, summary="Big change.")
    make_version("privacy-policy", material=False, summary="Typo fixed.")
    html = _dashboard(client, members[0])
    assert "Big change." in html
    assert f'action="{reverse("legal_acknowledge", args=[material.pk])}"' in html


def test_close_button_hides_the_notice_for_this_session_only(notices_on, members, make_version):
    version = make_version("privacy-policy", material=True)
    client = Client()
    _dashboard(client, members[0])

    client.post(reverse("legal_hide_notice", args=[version.pk]), {"next": "/w/acme/"})

    assert BANNER not in _dashboard(client, members[0])
    assert not PolicyAcknowledgement.objects.exists()
    assert BANNER in _dashboard(Client(), members[0])  # a new session: back until read


def test_acknowledging_needs_a_logged_in_post_with_csrf(members, make_version):
    version = make_version("privacy-policy", material=True)
    url = reverse("legal_acknowledge", args=[version.pk])

    anonymous = Client().post(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))

    client = Client(enforce_csrf_checks=True)
    client.force_login(members[0])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert not PolicyAcknowledgement.objects.exists()


def test_only_published_material_versions_can_be_acknowledged(members, client, make_version):
    plain = make_version("privacy-policy", material=False)
    draft = make_version("cookie-policy", material=True, publish=False)
    client.force_login(members[0])
    for version in (plain, draft):
        assert client.post(reverse("legal_acknowledge", args=[version.pk])).status_code == 404
    assert client.post(reverse("legal_acknowledge", args=[999999])).status_code == 404
    assert not PolicyAcknowledgement.objects.exists()


def test_an_outside_next_address_is_ignored(members, client, make_version):
    version = make_version("privacy-policy", material=True)
    client.force_login(members[0])
    response = client.post(
        reverse("legal_acknowledge", args=[version.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == version.get_absolute_url()


def test_the_document_page_offers_the_acknowledgement_to_who_needs_it(
    members, client, make_version
):
    version = make_version("privacy-policy", material=True, summary="Shorter retention.")
    url = version.get_absolute_url()

    assert "I've read it" not in client.get(url).content.decode()  # anonymous reader
    client.force_login(members[0])
    page = client.get(url).content.decode()
    assert "I've read it" in page
    assert "Shorter retention." in page

    client.post(reverse("legal_acknowledge", args=[version.pk]), {"next": url})
    assert "I've read it" not in client.get(url).content.decode()


def test_context_processor_is_lazy_and_costs_one_query(
    members, make_version, django_assert_num_queries
):
    make_version("privacy-policy", material=True)
    make_version("cookie-policy", material=True)
    request = RequestFactory().get("/")
    request.user = members[0]
    request.session = {}

    with django_assert_num_queries(0):
        context = legal_notices(request)
    with django_assert_num_queries(1):
        notices = list(context["legal_notices"])
    assert [n.kind for n in notices] == ["cookie-policy", "privacy-policy"]

    request.user = AnonymousUser()
    assert legal_notices(request) == {}
