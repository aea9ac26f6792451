"""The local mode keeps the emails it sends and lists them at /_dev/mail/; no other settings
have the page."""

from __future__ import annotations

import io

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives

from accounts.models import User
from mixora import local_mail
from mixora.local_mail import ReadableConsoleBackend
from tests.factories import UserFactory
from tests.test_healthz_and_settings import run_with_env

LINK = "http://127.0.0.1:8000/accounts/confirm-email/MQ:1xa9Zs:knF_Agh71yELtfD0K3nMXachVKkOjOmXVpd8R7TiN_I/"
RESOLVE = (
    "import django; django.setup()\n"
    "from django.urls import resolve, Resolver404\n"
    "try:\n    print(resolve('/_dev/mail/').url_name)\n"
    "except Resolver404:\n    print('absent')\n"
)


@pytest.fixture
def kept(settings, tmp_path):
    settings.LOCAL_MAIL_DIR = tmp_path / "mail"
    return settings.LOCAL_MAIL_DIR


def send(*messages: EmailMessage) -> str:
    stream = io.StringIO()
    assert ReadableConsoleBackend(stream=stream).send_messages(list(messages)) == len(messages)
    return stream.getvalue()


def confirmation() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        "Confirm your email address",
        f"Hello Chloé,\n\nConfirm here: {LINK}\n",
        "Mixora <hello@mixora.local>",
        ["chloe@example.test"],
    )
    message.attach_alternative(f'<a href="{LINK}">Confirm</a>', "text/html")
    return message


pytestmark = [pytest.mark.urls("tests.dev_mail_urls"), pytest.mark.django_db]


def test_sent_emails_are_listed_newest_first_with_clickable_links(client, kept):
    printed = send(confirmation())
    send(EmailMessage("You're invited to Northwind", "Join: http://x.test/i/1/", to=["ed@x.test"]))
    [newest, oldest] = local_mail.sent_mail(kept)
    assert newest.subject == "You're invited to Northwind"
    assert f"/_dev/mail/{oldest.key}/" in printed  # the terminal says where to read it

    page = client.get("/_dev/mail/").content.decode()
    assert page.index("invited to Northwind") < page.index("Confirm your email address")
    assert "chloe@example.test" in page
    assert f'href="/_dev/mail/{oldest.key}/"' in page

    detail = client.get(f"/_dev/mail/{oldest.key}/").content.decode()
    assert f'<a href="{LINK}"' in detail
    assert "Hello Chloé" in detail
    assert "=\n" not in detail


def test_only_this_machine_or_staff_see_the_page(client, kept):
    send(confirmation())
    assert client.get("/_dev/mail/", REMOTE_ADDR="203.0.113.7").status_code == 404
    assert client.get("/_dev/mail/", REMOTE_ADDR="::1").status_code == 200
    staff: User = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get("/_dev/mail/", REMOTE_ADDR="203.0.113.7").status_code == 200


def test_a_key_is_a_name_we_wrote_never_a_path(client, kept):
    send(confirmation())
    (kept.parent / "secret.json").write_text("{}")
    assert client.get("/_dev/mail/..%2Fsecret/").status_code == 404
    assert client.get("/_dev/mail/20260101T000000000000-zzzzzzzz/").status_code == 404


def test_old_emails_make_room(kept, monkeypatch):
    monkeypatch.setattr(local_mail, "KEEP", 3)
    for n in range(5):
        send(EmailMessage(f"Email {n}", "Hi", to=["a@x.test"]))
    assert [m.subject for m in local_mail.sent_mail(kept)] == ["Email 4", "Email 3", "Email 2"]


def test_without_the_local_settings_nothing_is_kept_and_there_is_no_page(client, settings):
    assert getattr(settings, "LOCAL_MAIL_DIR", None) is None
    printed = send(confirmation())
    assert "/_dev/mail/" not in printed
    assert client.get("/_dev/mail/").status_code == 404


@pytest.mark.parametrize(("module", "expected"), [("production", "absent"), ("local", "dev_mail")])
def test_only_the_local_settings_have_the_page(module, expected, tmp_path):
    result = run_with_env(
        ["-c", RESOLVE],
        DJANGO_SETTINGS_MODULE=f"mixora.settings.{module}",
        MIXORA_VAR_DIR=str(tmp_path),
        **({"DATABASE_URL": None, "REDIS_URL": None} if module == "local" else {}),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
