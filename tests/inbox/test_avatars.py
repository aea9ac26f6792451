"""Customers' pictures are fetched by the server and served from our storage: after ingest a
task copies the network's picture (timeout, size limit, raster images only, errors classified
for retry), the inbox shows it only through our own URL, to members of the workspace, and the
file goes with the conversation or the account."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from connections.errors import Permanent, Retryable
from connections.models import ConnectedAccount
from inbox import avatars, retention
from inbox.models import Conversation
from inbox.tasks import fetch_participant_avatar
from publishing.sample_media import image_bytes
from tests.factories import MembershipFactory, WorkspaceFactory

CUSTOMER = {"id": "900321", "name": "Ana Lima"}
IMG_SRC = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"")


def inbound(emulator, platform: str, account: ConnectedAccount, **payload) -> dict:
    event = emulator.control(
        "POST",
        "inbound",
        {
            "platform": platform,
            "kind": "message",
            "account_id": account.external_id,
            "text": "Hello!",
            "from": CUSTOMER,
            **payload,
        },
    )
    assert event["deliveries"][-1]["status"] == 200, event
    return event


def img_sources(html: str) -> list[str]:
    return IMG_SRC.findall(html)


def ours(src: str) -> bool:
    """A path on this site, or a signed link to our own storage (attachments)."""
    storage = settings.STORAGES["default"].get("OPTIONS", {}).get("endpoint_url") or "/"
    return (src.startswith("/") and not src.startswith("//")) or src.startswith(f"{storage}/")


# --- The whole way, through the emulator -------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "network",
    [
        # Messenger events carry only an id: the picture comes from the User Profile lookup.
        ("facebook", "meta"),
        # X events carry the sender's profile_image_url: ingest itself sees it.
        ("x", "x"),
    ],
    ids=["meta-profile-lookup", "x-event"],
)
def test_a_customers_picture_is_copied_and_the_inbox_never_loads_the_platforms_url(
    subscribed, emulator, accounts, process_deliveries, celery_queue, client, network
):
    key, platform = network
    # A picture sent in a Messenger message is copied to our storage too.
    extra = {"attachments": [{"type": "image"}]} if platform == "meta" else {}
    inbound(emulator, platform, accounts[key], **extra)
    process_deliveries()
    conversation = Conversation.objects.get()
    source = conversation.participant_avatar_url
    assert source.startswith(f"{emulator.url}/_avatars/")
    # The task was queued after ingest; until it runs the inbox shows the initial.
    assert ("inbox.tasks.fetch_participant_avatars", [[conversation.pk]]) in celery_queue()
    inbox_page = client.get(reverse("inbox", args=["acme"])).content.decode()
    assert img_sources(inbox_page) == []
    assert '<span class="avatar avatar--sm" aria-hidden="true">A</span>' in inbox_page

    assert fetch_participant_avatar(conversation.pk) == "stored"

    conversation.refresh_from_db()
    stored = conversation.participant_avatar.name
    assert stored.startswith(f"inbox/avatars/{conversation.workspace_id}/{conversation.pk}-")
    assert default_storage.exists(stored)
    own_url = (
        reverse("inbox_participant_avatar", args=["acme", conversation.pk])
        + f"?v={conversation.participant_avatar_version}"
    )
    for page in (
        client.get(reverse("inbox", args=["acme"])),
        client.get(reverse("inbox_conversation", args=["acme", conversation.pk])),
    ):
        sources = img_sources(page.content.decode())
        assert own_url in sources
        # Every picture the page loads is ours, never the platform's.
        assert all(ours(src) for src in sources), sources
        assert emulator.url not in page.content.decode()
    picture = client.get(own_url)
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert picture["Cache-Control"] == "private, max-age=86400"
    assert b"".join(picture.streaming_content) == requests.get(source, timeout=5).content
    if platform == "meta":  # the attachment is shown from our storage, among those sources
        attachment = conversation.attachments.get()
        thread = client.get(reverse("inbox_conversation", args=["acme", conversation.pk]))
        assert any(attachment.file.name in src for src in img_sources(thread.content.decode()))


@pytest.mark.django_db(transaction=True)
def test_the_picture_is_fetched_once_and_again_only_when_it_changes(
    subscribed, emulator, accounts, process_deliveries
):
    inbound(emulator, "x", accounts["x"])
    process_deliveries()
    conversation = Conversation.objects.get()
    fetch_participant_avatar(conversation.pk)
    conversation.refresh_from_db()
    first = conversation.participant_avatar.name

    inbound(emulator, "x", accounts["x"], text="Still there?")
    process_deliveries()
    assert not avatars.needs_fetch(Conversation.objects.get(pk=conversation.pk))
    assert fetch_participant_avatar(conversation.pk) == "up to date"

    # The person changed their picture: the new one is copied, the old copy deleted.
    Conversation.objects.filter(pk=conversation.pk).update(
        participant_avatar_url=f"{emulator.url}/_avatars/ana-new.png"
    )
    assert avatars.needs_fetch(Conversation.objects.get(pk=conversation.pk))
    assert fetch_participant_avatar(conversation.pk) == "stored"
    conversation.refresh_from_db()
    assert conversation.participant_avatar.name != first
    assert default_storage.exists(conversation.participant_avatar.name)
    assert not default_storage.exists(first)


# --- Deleting the conversation or the account deletes the file ---------------------------


@pytest.fixture
def pictured(db, emulator):
    """A thread whose picture was copied from the emulator into our storage."""
    workspace = WorkspaceFactory(slug="acme")
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="150000", display_name="Acme"
    )
    conversation = Conversation.objects.create(
        workspace=workspace,
        account=account,
        kind="message",
        thread_key="c1",
        participant_id="c1",
        participant_name="Ana Lima",
        participant_avatar_url=f"{emulator.url}/_avatars/ana.png",
    )
    assert avatars.fetch(conversation.pk) == "stored"
    conversation.refresh_from_db()
    return conversation


@pytest.mark.django_db(transaction=True)
def test_deleting_the_conversation_deletes_its_picture(pictured, client):
    owner = MembershipFactory(workspace=pictured.workspace, role=Role.OWNER).user
    name = pictured.participant_avatar.name
    client.force_login(owner)
    response = client.post(reverse("inbox_delete", args=["acme", pictured.pk]))
    assert response.status_code == 302
    assert not Conversation.objects.filter(pk=pictured.pk).exists()
    assert not default_storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_disconnecting_the_account_deletes_its_pictures(pictured):
    name = pictured.participant_avatar.name
    retention.delete_account_inbox(pictured.account_id)
    assert not default_storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_a_purged_workspace_takes_its_pictures_along(pictured):
    name = pictured.participant_avatar.name
    pictured.workspace.delete()  # the purge's cascade
    assert not default_storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_a_thread_deleted_while_its_picture_downloads_gets_no_file(pictured, emulator):
    Conversation.objects.filter(pk=pictured.pk).update(
        participant_avatar_url=f"{emulator.url}/_avatars/other.png"
    )
    fresh = Conversation.objects.get(pk=pictured.pk)
    fresh.delete()
    assert avatars.fetch(pictured.pk) == "gone"
    listed = default_storage.listdir(f"inbox/avatars/{pictured.workspace_id}")[1]
    assert listed == []


# --- Only members of the workspace see it ------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", list(Role.values))
def test_every_member_sees_the_picture(pictured, role):
    member = MembershipFactory(workspace=pictured.workspace, role=role).user
    browser = Client()
    browser.force_login(member)
    url = reverse("inbox_participant_avatar", args=["acme", pictured.pk])
    assert browser.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_outsiders_and_visitors_never_get_the_picture(pictured):
    url = reverse("inbox_participant_avatar", args=["acme", pictured.pk])
    visitor = Client()
    assert visitor.get(url).status_code == 302  # to the log-in page
    outsider = MembershipFactory(role=Role.OWNER)  # owner of another workspace
    browser = Client()
    browser.force_login(outsider.user)
    assert browser.get(url).status_code == 404
    # Their own workspace's URL with this thread's id finds nothing either.
    theirs = reverse("inbox_participant_avatar", args=[outsider.workspace.slug, pictured.pk])
    assert browser.get(theirs).status_code == 404
    assert browser.post(url).status_code in (404, 405)


@pytest.mark.django_db(transaction=True)
def test_a_thread_without_a_copy_has_no_picture_url(pictured):
    Conversation.objects.filter(pk=pictured.pk).update(participant_avatar="")
    member = MembershipFactory(workspace=pictured.workspace, role=Role.VIEWER).user
    browser = Client()
    browser.force_login(member)
    url = reverse("inbox_participant_avatar", args=["acme", pictured.pk])
    assert browser.get(url).status_code == 404


# --- What is fetched, and how failures are classified ------------------------------------


class PictureHost:
    """A small HTTP server answering each path as told: (status, headers, body, delay)."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, dict[str, str], bytes, float]] = {}
        self.hits: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                host.hits.append(self.path)
                status, headers, body, delay = host.answers.get(
                    self.path, (404, {"Content-Type": "text/plain"}, b"no", 0.0)
                )
                time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Connection", "close")
                self.end_headers()
                # The client may stop reading (a refused, too large picture).
                with contextlib.suppress(BrokenPipeError):
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, path: str, status: int = 200, body: bytes = b"", delay: float = 0.0, **headers):
        headers = {key.replace("_", "-"): value for key, value in headers.items()}
        self.answers[path] = (status, headers, body, delay)
        return f"{self.url}{path}"


@pytest.fixture
def host(settings) -> Iterator[PictureHost]:
    """A picture host standing where the emulator would (the only http source allowed)."""
    server = PictureHost()
    settings.EMULATOR_URL = server.url
    settings.PLATFORM_HTTP_TIMEOUT = (1, 1)
    yield server
    server.server.shutdown()


JPEG = image_bytes(size=(48, 48))


def test_a_real_picture_is_accepted(host):
    url = host.serve("/a.jpg", body=JPEG, Content_Type="image/jpeg")
    assert avatars.download(url) == (JPEG, ".jpg")


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"status": 404, "Content_Type": "text/html"}, "answered 404"),
        ({"status": 403, "Content_Type": "text/html"}, "answered 403"),
        (
            {"body": b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Content_Type": "image/svg+xml"},
            "Not a picture we keep (image/svg+xml)",
        ),
        (
            {"body": b"<html><script>x</script></html>", "Content_Type": "text/html"},
            "Not a picture we keep (text/html)",
        ),
        (
            {"body": b"<html>not a png</html>", "Content_Type": "image/png"},
            "not the PNG picture it claims",
        ),
        ({"body": JPEG, "Content_Type": "image/png"}, "not the PNG picture it claims"),
        (
            {"body": JPEG, "Content_Type": "image/jpeg", "Content_Length": str(3 * 1024 * 1024)},
            "too large",
        ),
        ({"body": b"\xff" * (avatars.MAX_BYTES + 1), "Content_Type": "image/jpeg"}, "too large"),
    ],
    ids=["404", "403", "svg", "html", "fake-png", "jpeg-as-png", "declared-too-large", "too-large"],
)
def test_what_retrying_cannot_fix_is_refused(host, answer, reason):
    url = host.serve("/p", **answer)
    with pytest.raises(Permanent, match=re.escape(reason)):
        avatars.download(url)


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 503, "Content_Type": "text/plain"},
        {"status": 500, "Content_Type": "text/plain"},
        {"status": 429, "Content_Type": "text/plain", "Retry_After": "5"},
        {"body": JPEG, "Content_Type": "image/jpeg", "delay": 2.0},  # past the 1 s read timeout
    ],
    ids=["503", "500", "429", "timeout"],
)
def test_what_may_work_later_is_retryable(host, answer):
    url = host.serve("/p", **answer)
    with pytest.raises(Retryable):
        avatars.download(url)


def test_an_unreachable_host_is_retryable(settings):
    settings.EMULATOR_URL = "http://127.0.0.1:9"  # the discard port: nothing listens
    with pytest.raises(Retryable, match="Could not reach"):
        avatars.download("http://127.0.0.1:9/a.png")


def test_only_https_links_are_fetched(host, settings):
    url = host.serve("/a.jpg", body=JPEG, Content_Type="image/jpeg")
    settings.EMULATOR_URL = ""
    with pytest.raises(Permanent, match="Only https"):
        avatars.download(url)
    assert host.hits == []  # refused before any request


def test_a_redirect_away_from_https_is_refused(host):
    target = host.serve("/real.jpg", body=JPEG, Content_Type="image/jpeg")
    start = host.serve("/start", status=302, Location=target)
    assert avatars.download(start) == (JPEG, ".jpg")  # a redirect within allowed hosts
    elsewhere = PictureHost()  # plain http, and not the emulator
    try:
        away = host.serve(
            "/away",
            status=302,
            Location=elsewhere.serve("/a.jpg", body=JPEG, Content_Type="image/jpeg"),
        )
        with pytest.raises(Permanent, match="redirected away"):
            avatars.download(away)
    finally:
        elsewhere.server.shutdown()


@pytest.mark.django_db
def test_a_refused_picture_leaves_the_initials_and_a_temporary_failure_is_retried(host):
    workspace = WorkspaceFactory()
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1", display_name="A"
    )
    conversation = Conversation.objects.create(
        workspace=workspace,
        account=account,
        kind="message",
        thread_key="c",
        participant_id="c",
        participant_avatar_url=host.serve("/svg", body=b"<svg/>", Content_Type="image/svg+xml"),
    )
    assert fetch_participant_avatar(conversation.pk) == (
        "refused: Not a picture we keep (image/svg+xml)."
    )
    conversation.refresh_from_db()
    assert not conversation.participant_avatar

    Conversation.objects.filter(pk=conversation.pk).update(
        participant_avatar_url=host.serve("/busy", status=503, Content_Type="text/plain")
    )
    with pytest.raises(Retryable):
        avatars.fetch(conversation.pk)
    # The task retries exactly these, with backoff.
    assert fetch_participant_avatar.autoretry_for == (Retryable,)
    assert fetch_participant_avatar.max_retries == 5
