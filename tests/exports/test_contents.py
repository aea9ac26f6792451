"""The ZIP holds what the database holds about the person, and nothing about anyone else,
and never a token."""

from __future__ import annotations

import json

from django.db import connection

from accounts.models import Membership
from connections.models import ConnectedAccount
from inbox.models import Message
from mixora import personal_data
from publishing.models import Media, Post, PostComment, ReviewDecision
from tests.exports.conftest import built, open_zip

JSON_FILES = {
    "profile.json",
    "workspaces.json",
    "posts.json",
    "post_comments.json",
    "reviews.json",
    "media.json",
    "inbox_messages.json",
    "inbox_activity.json",
    "connected_accounts.json",
    "notifications.json",
    "support_tickets.json",
    "security_log.json",
    "billing.json",
    "privacy_requests.json",
    "consent_records.json",
    "usage_events.json",
    "marketing_preferences.json",
    "marketing_history.json",
    "policy_acknowledgements.json",
    "policy_notices.json",
    "ai_training_choices.json",
    "ai_drafts.json",
}


def _documents(archive) -> dict[str, dict]:
    return {n: json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json")}


def test_every_file_matches_the_database(person):
    user = person.user
    archive = open_zip(built(user))
    docs = _documents(archive)
    assert set(docs) == JSON_FILES
    for name, doc in docs.items():
        assert next(iter(doc)) == "about", name

    account = docs["profile.json"]["account"]
    assert (account["email"], account["full_name"], account["country"]) == (
        "pat@acme.test",
        "Pat Person",
        "PT",
    )
    assert "password" not in account
    assert account["avatar"] == "avatar/avatar.png"
    assert archive.read(account["avatar"]) == user.avatar.open("rb").read()
    assert docs["profile.json"]["email_addresses"] == [
        {"email": "pat@acme.test", "verified": True, "primary": True}
    ]

    assert {(m["workspace_name"], m["role"]) for m in docs["workspaces.json"]["memberships"]} == {
        (m.workspace.name, m.role) for m in Membership.objects.filter(user=user)
    }
    assert [i["email"] for i in docs["workspaces.json"]["invitations_sent"]] == ["newbie@acme.test"]

    authored = Post.objects.filter(author=user).order_by("created_at", "pk")
    posts = docs["posts.json"]["posts"]
    assert [(p["id"], p["text"], p["workspace_name"]) for p in posts] == [
        (p.pk, p.text, p.workspace.name) for p in authored
    ]
    assert posts[0]["accounts"][0]["caption"] == "Our summer menu is here (caption)"
    assert posts[0]["media_ids"] == [
        m.media_id for m in authored[0].attachments.order_by("position")
    ]

    assert [c["body"] for c in docs["post_comments.json"]["comments"]] == list(
        PostComment.objects.filter(author=user).values_list("body", flat=True)
    )
    assert [(d["post_id"], d["kind"]) for d in docs["reviews.json"]["decisions"]] == list(
        ReviewDecision.objects.filter(actor=user)
        .order_by("created_at", "pk")
        .values_list("post_id", "kind")
    )
    assert [p["post_id"] for p in docs["reviews.json"]["posts_approved"]] == list(
        Post.objects.filter(approved_by=user).values_list("pk", flat=True)
    )

    uploads = Media.objects.filter(uploaded_by=user).order_by("created_at", "pk")
    listed = docs["media.json"]["media"]
    assert [(m["id"], m["name"], m["size"]) for m in listed] == [
        (m.pk, m.name, m.size) for m in uploads
    ]
    for item, upload in zip(listed, uploads, strict=True):
        assert item["file_in_export"].startswith(f"media/{upload.pk}-")
        assert archive.read(item["file_in_export"]) == upload.file.open("rb").read()
    assert listed[0]["file_in_export"] == f"media/{uploads[0].pk}-Summer_launch.jpg"

    replies = docs["inbox_messages.json"]["messages"]
    assert [(m["direction"], m["text"]) for m in replies] == list(
        Message.objects.filter(author=user)
        .order_by("sent_at", "pk")
        .values_list("direction", "text")
    )
    activity = docs["inbox_activity.json"]
    assert [s["title"] for s in activity["saved_replies"]] == ["Hours"]
    assert len(activity["assigned_conversations"]) == len(activity["read_marks"]) == 1

    connected = docs["connected_accounts.json"]["accounts"]
    assert [(a["display_name"], a["handle"], a["scopes"], a["status"]) for a in connected] == [
        (a.display_name, a.handle, a.scopes, a.status)
        for a in ConnectedAccount.objects.filter(connected_by=user).order_by("pk")
    ]

    assert [n["message"] for n in docs["notifications.json"]["notifications"]] == ["Post approved"]
    assert [t["subject"] for t in docs["support_tickets.json"]["tickets"]] == ["Billing question"]
    events = docs["security_log.json"]["events"]
    assert [(e["action"], e["done_by_you"], e["about_you"]) for e in events] == [
        ("login.succeeded", True, False),
        ("member.role_changed", False, True),
    ]
    assert docs["billing.json"]["records"] == []

    drafts = docs["ai_drafts.json"]["generations"]
    assert [(d["purpose"], d["output_text"], d["status"]) for d in drafts] == [
        ("caption", "Summer menu!", "draft"),
        ("reply", "Hi Ana, we open at 8!", "accepted"),
    ]
    assert drafts[0]["input_text"] == '{"brief": "Summer menu launch"}'
    assert drafts[1]["input_text"] is None  # the conversation: the customer's words
    assert drafts[1]["workspace_name"] == "Acme"


def test_no_token_and_nothing_of_anyone_else_in_any_file(person):
    archive = open_zip(built(person.user))
    with connection.cursor() as cursor:  # the tokens as stored: encrypted
        cursor.execute(
            "SELECT access_token, refresh_token, provider_user_token "
            "FROM connections_connectedaccount"
        )
        ciphertexts = [value for row in cursor.fetchall() for value in row if value]
    assert len(ciphertexts) == 9
    forbidden = [*person.tokens, *ciphertexts, *person.foreign]
    for name in archive.namelist():
        data = archive.read(name)
        for secret in forbidden:
            assert secret.encode() not in data, (secret, name)
    # The teammate's upload is in storage, but not in this archive.
    theirs = Media.objects.get(uploaded_by=person.teammate).file.open("rb").read()
    assert not any(archive.read(n) == theirs for n in archive.namelist())


def test_readme_explains_and_lists_every_file(person):
    archive = open_zip(built(person.user))
    readme = archive.read("README.txt").decode()
    names = archive.namelist()
    assert names[-1] == "README.txt"
    for name in names:
        assert f"\n{name}\n" in readme, name
    for section in ("profile.json", "media.json", "media/", "avatar/", "billing.json"):
        # Each is explained in its own paragraph, before the closing list.
        assert readme.index(f"\n{section}\n  ") < readme.index("EVERY FILE IN THIS ARCHIVE")
    assert "pat@acme.test" in readme


def test_a_file_gone_from_storage_is_listed_without_it(person):
    missing = Media.objects.filter(uploaded_by=person.user).first()
    missing.file.storage.delete(missing.file.name)
    archive = open_zip(built(person.user))
    listed = {m["id"]: m for m in json.loads(archive.read("media.json"))["media"]}
    assert listed[missing.pk]["file_in_export"] is None
    assert not any(n.startswith(f"media/{missing.pk}-") for n in archive.namelist())


def test_a_person_with_nothing_gets_empty_lists(db):
    from tests.factories import UserFactory

    archive = open_zip(built(UserFactory(email="new@example.test")))
    docs = _documents(archive)
    assert docs["posts.json"]["posts"] == []
    assert docs["media.json"]["media"] == []
    assert docs["ai_drafts.json"]["generations"] == []
    assert not any(n.startswith(("media/", "avatar/")) for n in archive.namelist())


def test_generic_reader_drops_secrets_and_needs_a_link_to_the_person(person):
    rows = list(personal_data.person_rows(ConnectedAccount, person.user))
    assert {r["display_name"] for r in rows} == {"Acme Coffee 01", "Acme Coffee 03"}
    for row in rows:
        assert not {"access_token", "refresh_token", "provider_user_token"} & set(row)
        assert "token_expires_at" not in row  # named like a secret: left out too
        assert row["connected_by_id"] == person.user.pk
    # Linked by their email address alone: a ticket filed before logging in.
    from support.models import SupportTicket

    SupportTicket.objects.create(name="P", email="PAT@acme.test", subject="Logged out", message="?")
    subjects = {r["subject"] for r in personal_data.person_rows(SupportTicket, person.user)}
    assert subjects == {"Billing question", "Logged out"}

    from inbox.models import WebhookDelivery

    assert personal_data.person_rows(WebhookDelivery, person.user) is None


def test_every_model_that_points_at_a_person_is_exported_or_left_out_on_purpose():
    """A new model holding a person's data fails here until its app registers an export
    section for it (its personal_data.py) or says why it is left out."""
    from django.apps import apps
    from django.db import models

    from accounts.models import User

    exported = {label for s in personal_data.export_sections() for label in s.models}
    covered = exported | set(personal_data.left_out_of_exports())
    for model in apps.get_models():
        points = any(
            (f.is_relation and f.related_model is User) or isinstance(f, models.EmailField)
            for f in model._meta.concrete_fields
        )
        if points:
            assert model._meta.label in covered, f"{model._meta.label}: export it or say why not"
