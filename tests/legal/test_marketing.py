"""Marketing email: opt-in only, RFC 8058 one-click unsubscribe, and proof of every choice."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from legal import marketing
from legal.marketing import MarketingRefused, send_marketing_email
from legal.models import ConsentSource, MarketingConsentEvent, MarketingPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://app.mixora.test"
    settings.SUPPORT_EMAIL = "support@mixora.test"


@pytest.fixture
def subscriber(db):
    user = UserFactory(email="sam@example.test")
    marketing.set_preference(user, True, ConsentSource.PREFERENCES, actor=user)
    return user


def _state(user) -> tuple:
    preference = MarketingPreference.objects.filter(user=user).first()
    return (
        preference and (preference.opted_in, preference.source, preference.changed_at),
        list(MarketingConsentEvent.objects.filter(user=user).values_list("pk", flat=True)),
    )


# --- Sending -----------------------------------------------------------------------------


def test_nobody_gets_marketing_without_opting_in(db):
    never_asked = UserFactory()
    declined = UserFactory()
    marketing.record_signup_choice(declined, False)

    for user in (never_asked, declined):
        with pytest.raises(MarketingRefused):
            send_marketing_email(user, "News", "Hello")
    assert mail.outbox == []


def test_opted_in_but_unconfirmed_address_or_inactive_account_is_refused(subscriber):
    EmailAddress.objects.filter(user=subscriber).update(verified=False)
    with pytest.raises(MarketingRefused, match="confirmed"):
        send_marketing_email(subscriber, "News", "Hello")
    EmailAddress.objects.filter(user=subscriber).update(verified=True)
    subscriber.is_active = False
    subscriber.save()
    with pytest.raises(MarketingRefused):
        send_marketing_email(subscriber, "News", "Hello")
    assert mail.outbox == []


def test_marketing_message_carries_rfc_8058_headers(site, subscriber):
    send_marketing_email(subscriber, "What's new\nin Mixora", "Calendar colours & more.")

    message = mail.outbox[0]
    assert message.to == ["sam@example.test"]
    assert message.subject == "What's new in Mixora"
    token = marketing.unsubscribe_token(subscriber)
    url = f"https://app.mixora.test/unsubscribe/{token}/"
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<{url}>, <mailto:support@mixora.test?subject=unsubscribe>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Id"] == "Mixora product news <news.app.mixora.test>"
    raw = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    # A visible link too, and the text as written (no HTML escaping in the plain part).
    assert "Calendar colours & more." in message.body
    assert url in message.body
    assert url in message.alternatives[0].content
    assert "Calendar colours &amp; more." in message.alternatives[0].content


# --- Unsubscribe link --------------------------------------------------------------------


def test_one_click_post_unsubscribes_without_login_or_csrf(site, subscriber):
    url = re.search(r"<https://app\.mixora\.test(\S+?)>", _headers_of(subscriber)).group(1)
    client = Client(enforce_csrf_checks=True)  # a mail provider: no cookies, no token

    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200  # RFC 8058: no redirect
    assert "You're unsubscribed" in response.content.decode()
    assert not marketing.is_opted_in(subscriber)
    event = MarketingConsentEvent.objects.filter(user=subscriber).first()
    assert (event.opted_in, event.source, event.actor) == (False, ConsentSource.ONE_CLICK, None)
    with pytest.raises(MarketingRefused):
        send_marketing_email(subscriber, "News", "Hello")


def _headers_of(user) -> str:
    send_marketing_email(user, "News", "Hello")
    return mail.outbox[-1].extra_headers["List-Unsubscribe"]


def test_get_only_asks_and_never_unsubscribes(subscriber):
    url = reverse("marketing_unsubscribe", args=[marketing.unsubscribe_token(subscriber)])
    before = _state(subscriber)

    response = Client().get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Unsubscribe from product news?" in html
    assert f'<form method="post" action="{url}">' in html
    assert _state(subscriber) == before
    assert marketing.is_opted_in(subscriber)


def test_the_confirmation_button_unsubscribes_and_a_repeat_changes_nothing(subscriber):
    url = reverse("marketing_unsubscribe", args=[marketing.unsubscribe_token(subscriber)])
    client = Client(enforce_csrf_checks=True)

    assert client.post(url).status_code == 200
    after_first = _state(subscriber)
    assert client.post(url).status_code == 200

    assert _state(subscriber) == after_first
    assert after_first[0][:2] == (False, ConsentSource.UNSUBSCRIBE_PAGE)


@pytest.mark.parametrize(
    "token",
    ["garbage", "eyJ1IjoxfQ:forged-signature", "{signed}x", "{other_salt}"],
)
def test_a_bad_token_is_refused_clearly_and_changes_nothing(subscriber, token):
    from django.core import signing

    token = token.format(
        signed=marketing.unsubscribe_token(subscriber),
        other_salt=signing.Signer(salt="something.else").sign_object({"u": subscriber.pk}),
    )
    before = _state(subscriber)
    client = Client()
    url = f"/unsubscribe/{token}/"

    for response in (client.get(url), client.post(url, {"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert _state(subscriber) == before
    assert marketing.is_opted_in(subscriber)


def test_a_token_names_only_its_own_person(subscriber):
    other = UserFactory()
    marketing.set_preference(other, True, ConsentSource.PREFERENCES, actor=other)
    Client().post(reverse("marketing_unsubscribe", args=[marketing.unsubscribe_token(other)]))
    assert marketing.is_opted_in(subscriber)
    assert not marketing.is_opted_in(other)


# --- Preferences page and the record of choices ------------------------------------------


def test_preferences_page_needs_log_in(client):
    response = client.get(reverse("email_preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_preferences_page_is_unchecked_by_default_and_records_each_change(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("email_preferences")

    page = client.get(url).content.decode()
    assert re.search(r'<input type="checkbox" name="opted_in"[^>]*>', page)
    assert "checked" not in re.search(r'<input type="checkbox" name="opted_in"[^>]*>', page)[0]

    client.post(url, {"opted_in": "on"})
    assert marketing.is_opted_in(user)
    client.post(url, {})
    assert not marketing.is_opted_in(user)
    client.post(url, {})  # no change: no new record

    events = list(
        MarketingConsentEvent.objects.filter(user=user).values_list("opted_in", "source", "actor")
    )
    assert events == [
        (False, ConsentSource.PREFERENCES, user.pk),
        (True, ConsentSource.PREFERENCES, user.pk),
    ]
    assert "Opted in" in client.get(url).content.decode()


def test_preferences_post_needs_csrf(db):
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("email_preferences"), {"opted_in": "on"}).status_code == 403
    assert not marketing.is_opted_in(user)


def test_sign_up_choice_is_recorded_either_way(db):
    yes, no = UserFactory(), UserFactory()
    marketing.record_signup_choice(yes, True)
    marketing.record_signup_choice(no, False)

    assert marketing.is_opted_in(yes)
    assert not marketing.is_opted_in(no)
    assert MarketingPreference.objects.get(user=no).source == ConsentSource.SIGNUP
    assert MarketingConsentEvent.objects.filter(source=ConsentSource.SIGNUP).count() == 2


def test_a_privacy_request_can_turn_marketing_off(subscriber):
    assert marketing.opt_out(subscriber, source="privacy_request") is True
    assert not marketing.is_opted_in(subscriber)
    assert MarketingConsentEvent.objects.filter(user=subscriber).first().source == (
        ConsentSource.PRIVACY_REQUEST
    )
    assert marketing.opt_out(subscriber, source="privacy_request") is False
