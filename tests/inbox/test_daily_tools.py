"""The inbox's daily tools: one-click Done with undo and going on to the next conversation,
labels applied from the conversation, accent-insensitive search, saved replies with variables,
and a comment thread showing the post as that network's audience saw it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from connections.models import ConnectedAccount
from inbox import saved_replies
from inbox.models import Conversation, Label, SavedReply
from inbox.search import normalise
from mixora.errors import UserFacingError
from publishing.models import Post, PostTarget
from tests.factories import UserFactory, WorkspaceFactory
from tests.inbox_fixtures import inbound_conversation


@pytest.fixture
def x_account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace,
        platform="x",
        external_id="1500000000000000001",
        display_name="Acme on X",
        scopes=["tweet.read", "tweet.write", "users.read", "dm.read", "dm.write"],
    )


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner.user)
    return client


def _flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _path(response) -> str:
    return response["Location"]


# --- one-click Done -------------------------------------------------------------------------


@pytest.fixture
def three(x_account):
    """Three open conversations, newest first: top, middle, bottom."""
    return {
        "top": inbound_conversation(x_account, "Ana Lima", "Newest", minutes_ago=1),
        "middle": inbound_conversation(x_account, "Bruno Costa", "Middle", minutes_ago=5),
        "bottom": inbound_conversation(x_account, "Carla Dias", "Oldest", minutes_ago=9),
    }


def _done(client, convo, **data):
    return client.post(reverse("inbox_done", args=["acme", convo.pk]), data)


def test_done_resolves_in_one_click_and_opens_the_nextinbound_conversation(owner_client, three):
    response = _done(owner_client, three["middle"], open=three["middle"].pk, query="status=open")

    three["middle"].refresh_from_db()
    assert three["middle"].status == Conversation.Status.RESOLVED
    assert response.status_code == 302
    expected = reverse("inbox_conversation", args=["acme", three["bottom"].pk])
    assert _path(response) == f"{expected}?status=open&done={three['middle'].pk}"
    page = owner_client.get(_path(response))
    assert page.context["undo"]["conversation_id"] == three["middle"].pk
    assert b"Marked done" in page.content
    # The done one left the open list; the rest stay.
    assert [c.pk for c in page.context["rows"]] == [three["top"].pk, three["bottom"].pk]


def test_done_on_the_last_conversation_goes_to_the_one_above(owner_client, three):
    response = _done(owner_client, three["bottom"], open=three["bottom"].pk)
    assert _path(response).startswith(
        reverse("inbox_conversation", args=["acme", three["middle"].pk])
    )


def test_done_from_the_list_keeps_the_openinbound_conversation(owner_client, three):
    response = _done(owner_client, three["bottom"], open=three["top"].pk)
    assert _path(response).startswith(reverse("inbox_conversation", args=["acme", three["top"].pk]))
    response = _done(owner_client, three["middle"], open="")
    assert _path(response) == f"{reverse('inbox', args=['acme'])}?done={three['middle'].pk}"


def test_done_of_the_only_conversation_goes_back_to_the_list(owner_client, x_account):
    only = inbound_conversation(x_account)
    response = _done(owner_client, only, open=only.pk)
    assert _path(response).startswith(reverse("inbox", args=["acme"]) + "?")


def test_undo_puts_back_exactly_the_status_it_had(owner_client, x_account):
    until = timezone.now() + timedelta(days=2)
    snoozed = inbound_conversation(x_account, status="snoozed", snoozed_until=until)
    _done(owner_client, snoozed, open=snoozed.pk)

    response = owner_client.post(reverse("inbox_undo_done", args=["acme", snoozed.pk]))

    snoozed.refresh_from_db()
    assert (snoozed.status, snoozed.snoozed_until) == ("snoozed", until)
    assert "Undone: back to snoozed." in _flash(response)
    # Once only.
    response = owner_client.post(reverse("inbox_undo_done", args=["acme", snoozed.pk]))
    assert "Nothing to undo for this conversation." in _flash(response)


def test_undo_is_refused_when_the_customer_reopened_it_meanwhile(owner_client, x_account):
    convo = inbound_conversation(x_account, status="pending")
    _done(owner_client, convo, open=convo.pk)
    Conversation.objects.filter(pk=convo.pk).update(status="open")  # a new message came in

    response = owner_client.post(reverse("inbox_undo_done", args=["acme", convo.pk]))

    convo.refresh_from_db()
    assert convo.status == "open"
    assert "It changed since you marked it done; nothing was undone." in _flash(response)


def test_undo_of_another_conversation_does_nothing(owner_client, three):
    _done(owner_client, three["top"], open=three["top"].pk)
    Conversation.objects.filter(pk=three["middle"].pk).update(status="resolved")

    response = owner_client.post(reverse("inbox_undo_done", args=["acme", three["middle"].pk]))

    assert "Nothing to undo for this conversation." in _flash(response)
    assert Conversation.objects.get(pk=three["middle"].pk).status == "resolved"


def test_viewers_can_neither_mark_done_nor_undo(client, make_member, workspace, x_account):
    convo = inbound_conversation(x_account)
    client.force_login(make_member(workspace, Role.VIEWER))

    assert _done(client, convo).status_code == 403
    assert client.post(reverse("inbox_undo_done", args=["acme", convo.pk])).status_code == 403
    convo.refresh_from_db()
    assert convo.status == "open"
    page = client.get(reverse("inbox_conversation", args=["acme", convo.pk]))
    assert b'id="done-form"' not in page.content
    assert b"convo__done" not in page.content


def test_done_cannot_reach_another_workspace(owner_client, x_account):
    other = WorkspaceFactory(slug="other")
    account = ConnectedAccount.objects.create(
        workspace=other, platform="x", external_id="42", display_name="Other"
    )
    foreign = inbound_conversation(account)
    assert _done(owner_client, foreign).status_code == 404
    assert Conversation.objects.get(pk=foreign.pk).status == "open"


# --- labels from the conversation ----------------------------------------------------------


def _labels(client, convo, **data):
    return client.post(reverse("inbox_labels", args=["acme", convo.pk]), data)


def test_a_new_label_is_created_and_applied_from_theinbound_conversation(owner_client, x_account):
    convo = inbound_conversation(x_account)
    vip = Label.objects.create(workspace=x_account.workspace, name="VIP")

    response = _labels(owner_client, convo, shown=[vip.pk], labels=[vip.pk], new_label=" Refund ")

    assert "Labels saved." in _flash(response)
    assert sorted(label.name for label in convo.labels.all()) == ["Refund", "VIP"]
    page = owner_client.get(reverse("inbox_conversation", args=["acme", convo.pk]))
    assert b'aria-label="Remove label Refund"' in page.content


def test_removing_one_label_leaves_the_others_including_a_teammates_new_one(
    owner_client, x_account
):
    convo = inbound_conversation(x_account)
    vip, refund = (Label.objects.create(workspace=x_account.workspace, name=n) for n in "AB")
    convo.labels.add(vip, refund)
    # The page showed only VIP's chip; the removal is about VIP alone.
    _labels(owner_client, convo, shown=[vip.pk])
    assert list(convo.labels.all()) == [refund]
    # The menu showed VIP only (B was added by a teammate after the page loaded).
    _labels(owner_client, convo, shown=[vip.pk], labels=[vip.pk])
    assert set(convo.labels.all()) == {vip, refund}


def test_viewers_cannot_change_labels(client, make_member, workspace, x_account):
    convo = inbound_conversation(x_account)
    label = Label.objects.create(workspace=workspace, name="VIP")
    client.force_login(make_member(workspace, Role.VIEWER))

    response = _labels(client, convo, shown=[label.pk], labels=[label.pk], new_label="New")

    assert response.status_code == 403
    assert not convo.labels.exists()
    assert not Label.objects.filter(name="New").exists()


# --- accent-insensitive search -------------------------------------------------------------


def test_normalise_drops_accents_and_case():
    assert normalise("Chloé ÉLODIE Straße ﬁne") == "chloe elodie strasse fine"


def _found(client, q):
    response = client.get(reverse("inbox", args=["acme"]), {"q": q, "status": ""})
    return sorted(c.pk for c in response.context["rows"])


def test_search_ignores_accents_and_case_in_names_and_messages(owner_client, x_account):
    chloe = inbound_conversation(x_account, "Chloé Martin", "Bonjour")
    cafe = inbound_conversation(x_account, "Bo Chen", "Is the CAFÉ crème back?")
    plain = inbound_conversation(x_account, "Chloe Plain", "Hello")

    assert _found(owner_client, "chloe") == sorted([chloe.pk, plain.pk])
    assert _found(owner_client, "CHLOÉ") == sorted([chloe.pk, plain.pk])
    assert _found(owner_client, "cafe creme") == [cafe.pk]
    assert _found(owner_client, "Café") == [cafe.pk]
    assert _found(owner_client, "submarine") == []


def test_a_name_learnt_later_is_searchable(owner_client, x_account):
    convo = inbound_conversation(x_account, "")
    convo.participant_name = "Zoë Ølund"
    convo.save(update_fields=["participant_name"])
    assert _found(owner_client, "zoe") == [convo.pk]


def test_accent_insensitive_search_stays_inside_the_workspace(owner_client, x_account):
    mine = inbound_conversation(x_account, "Chloé Martin")
    other = WorkspaceFactory(slug="other")
    account = ConnectedAccount.objects.create(
        workspace=other, platform="x", external_id="42", display_name="Other"
    )
    inbound_conversation(account, "Chloé Martin", "Chloé writes")
    assert _found(owner_client, "chloe") == [mine.pk]


# --- saved replies --------------------------------------------------------------------------


def test_fill_puts_in_the_first_name_and_the_agent(x_account):
    agent = UserFactory(full_name="Eddie Editor")
    convo = inbound_conversation(x_account, "Chloé  Martin")
    text = "Hi {first_name}, {agent_name} here. {first_name}!"
    assert saved_replies.fill(text, convo, agent) == "Hi Chloé, Eddie Editor here. Chloé!"


@pytest.mark.parametrize("name", ["", "LinkedIn member", "p-123"])
def test_first_name_falls_back_when_the_network_gives_none(x_account, name):
    convo = inbound_conversation(x_account, name, participant_id="p-123")
    assert saved_replies.first_name(convo) == "there"
    assert saved_replies.fill("Hi {first_name}!", convo, UserFactory()) == "Hi there!"


def test_check_refuses_unknown_variables():
    saved_replies.check("Hi {first_name}, {agent_name} here.")
    with pytest.raises(UserFacingError, match=r"Unknown variable \{firstname\}, \{name\}"):
        saved_replies.check("Hi {firstname} and {name}")


def test_saving_a_reply_with_an_unknown_variable_is_refused_and_changes_nothing(owner_client):
    response = owner_client.post(
        reverse("inbox_saved_reply_add", args=["acme"]),
        {"title": "Greeting", "text": "Hi {fist_name}!"},
    )
    assert response.status_code == 400
    assert "Unknown variable {fist_name}: use {first_name} or {agent_name}." in (
        response.content.decode()
    )
    assert "Hi {fist_name}!" in response.content.decode()  # what was typed is kept
    assert not SavedReply.objects.exists()


def test_settings_page_documents_the_variables(owner_client):
    page = owner_client.get(reverse("inbox_settings", args=["acme"])).content.decode()
    assert "{first_name}" in page
    assert "{agent_name}" in page
    assert "when the network gives no name" in page


def test_the_reply_box_offers_saved_replies_filled_in(owner_client, owner, x_account):
    owner.user.full_name = "Olga Owner"
    owner.user.save()
    SavedReply.objects.create(
        workspace=x_account.workspace, title="Thanks", text="Thanks {first_name}! — {agent_name}"
    )
    convo = inbound_conversation(x_account, "Chloé Martin")

    page = owner_client.get(reverse("inbox_conversation", args=["acme", convo.pk]))

    assert page.context["saved_replies"] == [("Thanks", "Thanks Chloé! — Olga Owner")]


# --- the post as that network's audience saw it ----------------------------------------------


@pytest.fixture
def published_on_x(workspace, owner, x_account):
    post = Post.objects.create(
        workspace=workspace, author=owner.user, text="Our autumn menu is here, on every network."
    )
    return PostTarget.objects.create(
        post=post,
        account=x_account,
        caption="Autumn menu on X only: pumpkin latte #autumn",
        state=PostTarget.State.PUBLISHED,
        platform_post_id="1790000000000000001",
        permalink="https://x.com/acme/status/1790000000000000001",
        published_at=timezone.now(),
    )


def test_a_comment_thread_shows_the_caption_that_account_published(
    owner_client, x_account, published_on_x
):
    convo = inbound_conversation(
        x_account,
        kind="comment",
        external_post_id=published_on_x.platform_post_id,
        post_target=published_on_x,
    )

    page = owner_client.get(reverse("inbox_conversation", args=["acme", convo.pk]))

    html = page.content.decode()
    assert "Autumn menu on X only: pumpkin latte #autumn" in html
    assert "Our autumn menu is here" not in html
    assert 'href="https://x.com/acme/status/1790000000000000001"' in html
    assert reverse("post_detail", args=["acme", published_on_x.post_id]) in html


def test_a_thread_that_began_before_the_link_finds_its_post(
    owner_client, x_account, published_on_x
):
    convo = inbound_conversation(
        x_account, kind="comment", external_post_id=published_on_x.platform_post_id
    )

    page = owner_client.get(reverse("inbox_conversation", args=["acme", convo.pk]))

    assert "pumpkin latte" in page.content.decode()
    convo.refresh_from_db()
    assert convo.post_target == published_on_x


def test_a_post_of_another_account_is_not_shown(owner_client, workspace, published_on_x):
    facebook = ConnectedAccount.objects.create(
        workspace=workspace, platform="facebook", external_id="2000", display_name="Acme Page"
    )
    convo = inbound_conversation(
        facebook, kind="comment", external_post_id=published_on_x.platform_post_id
    )
    page = owner_client.get(reverse("inbox_conversation", args=["acme", convo.pk]))
    assert "pumpkin latte" not in page.content.decode()
    assert page.context["published_post"] is None


def test_a_saved_reply_is_edited_and_its_variables_checked(
    owner_client, client, make_member, workspace
):
    saved = SavedReply.objects.create(workspace=workspace, title="Hi", text="Hi {first_name}")
    url = reverse("inbox_saved_reply_edit", args=["acme", saved.pk])

    refused = owner_client.post(url, {"title": "Hi", "text": "Hi {agent}"})
    assert refused.status_code == 400
    assert "Unknown variable {agent}" in refused.content.decode()
    saved.refresh_from_db()
    assert saved.text == "Hi {first_name}"

    done = owner_client.post(url, {"title": "Hello", "text": "Hello {first_name}, {agent_name}"})
    assert done.status_code == 302
    saved.refresh_from_db()
    assert (saved.title, saved.text) == ("Hello", "Hello {first_name}, {agent_name}")

    client.force_login(make_member(workspace, Role.VIEWER))
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "X", "text": "Y"}).status_code == 403
    saved.refresh_from_db()
    assert saved.title == "Hello"
