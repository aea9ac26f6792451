"""First-party usage events: only with analytics consent, never under GPC; the page's URL
name instead of its path, the referrer's host only, a coarse device and a cut IP."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from consent.models import UsageEvent
from consent.policy import current_policy_version
from consent.usage import record_feature
from tests.consent.conftest import IPHONE, VISITOR_NETWORK


def test_no_page_view_without_analytics_consent(visitor, choose):
    visitor.get("/")
    choose(visitor, "custom", groups=("functional", "marketing"))
    visitor.get("/")
    visitor.get("/support/")
    assert not UsageEvent.objects.exists()


def test_page_views_with_analytics_consent(visitor, choose):
    choose(visitor, "custom", groups=("analytics",))
    visitor.get("/support/?utm_source=newsletter&email=someone@example.com")
    event = UsageEvent.objects.get()
    assert (event.kind, event.name) == ("page_view", "contact")
    assert event.device == "desktop"
    assert event.ip_prefix == VISITOR_NETWORK
    assert event.user is None
    assert event.workspace is None
    assert event.referrer_host == ""


def test_never_under_gpc_even_after_acceptance(visitor, member, member_client, choose):
    choose(visitor, "accept_all")
    choose(member_client, "accept_all")
    gpc = {"Sec-GPC": "1"}
    visitor.get("/", headers=gpc)
    member_client.get(reverse("workspace_dashboard", args=[member.workspace.slug]), headers=gpc)
    assert not UsageEvent.objects.exists()


def test_app_pages_are_named_not_addressed(member, member_client, choose):
    choose(member_client, "accept_all")
    workspace = member.workspace
    member_client.get(reverse("workspace_dashboard", args=[workspace.slug]))
    member_client.get(reverse("workspace_members", args=[workspace.slug]))
    events = list(UsageEvent.objects.order_by("id"))
    assert [e.name for e in events] == ["workspace_dashboard", "workspace_members"]
    assert all(e.user == member.user and e.workspace == workspace for e in events)
    assert not UsageEvent.objects.filter(name__contains=workspace.slug).exists()


@pytest.mark.parametrize(
    ("address", "network"),
    [("198.51.100.200", "198.51.100.0"), ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::")],
)
def test_addresses_are_cut(choose, address, network):
    browser = Client(REMOTE_ADDR=address)
    choose(browser, "accept_all")
    browser.get("/")
    assert UsageEvent.objects.get().ip_prefix == network


def test_referrer_host_and_device(choose):
    phone = Client(HTTP_USER_AGENT=IPHONE)
    choose(phone, "accept_all")
    phone.get("/", headers={"Referer": "https://news.example.com/story/42?ref=abc"})
    phone.get("/support/", headers={"Referer": "http://testserver/"})
    first, second = UsageEvent.objects.order_by("id")
    assert (first.referrer_host, first.device) == ("news.example.com", "mobile")
    assert second.referrer_host == ""  # moving between our own pages


def test_only_successful_html_pages_count(visitor, member, member_client, choose):
    choose(visitor, "accept_all")
    visitor.get("/no-such-page/")
    visitor.get("/.well-known/gpc.json")
    visitor.get("/", headers={"HX-Request": "true"})
    visitor.post(
        reverse("consent_choose"),
        {"choice": "accept_all", "policy_version": current_policy_version()},
    )
    staff = Client()
    member.user.is_staff = member.user.is_superuser = True
    member.user.save()
    staff.force_login(member.user)
    choose(staff, "accept_all")
    staff.get(reverse("admin:index"))
    assert not UsageEvent.objects.exists()


def test_record_feature_follows_consent(visitor, choose):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10")
    request.user = AnonymousUser()
    assert record_feature(request, "compose.preview") is None
    choose(visitor, "accept_all")
    request.COOKIES = {name: morsel.value for name, morsel in visitor.cookies.items()}
    event = record_feature(request, "compose.preview")
    assert (event.kind, event.name, event.ip_prefix) == ("feature", "compose.preview", "192.0.2.0")
    with_gpc = RequestFactory().get("/", headers={"Sec-GPC": "1"})
    with_gpc.user, with_gpc.COOKIES = request.user, request.COOKIES
    assert record_feature(with_gpc, "compose.preview") is None
    assert UsageEvent.objects.count() == 1
    with pytest.raises(ValueError, match="feature names"):
        record_feature(request, "/w/acme/posts/12/")


def test_the_feature_endpoint(visitor, choose):
    url = reverse("usage_feature")
    assert visitor.post(url, {"name": "inbox.saved_reply"}).status_code == 204
    assert not UsageEvent.objects.exists()  # no consent yet
    choose(visitor, "accept_all")
    assert visitor.post(url, {"name": "inbox.saved_reply"}).status_code == 204
    assert UsageEvent.objects.get().name == "inbox.saved_reply"
    bad = visitor.post(url, {"name": "<script>"})
    assert bad.status_code == 400
    assert UsageEvent.objects.count() == 1


def test_the_feature_endpoint_needs_the_csrf_token(choose):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/")
    token = browser.cookies["csrftoken"].value
    browser.post(
        reverse("consent_choose"),
        {
            "choice": "accept_all",
            "policy_version": current_policy_version(),
            "csrfmiddlewaretoken": token,
        },
    )
    assert browser.post(reverse("usage_feature"), {"name": "x"}).status_code == 403
    ok = browser.post(reverse("usage_feature"), {"name": "x"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 204
    assert UsageEvent.objects.filter(kind="feature").count() == 1
