"""Search by conversation (issue 15): each conversation's search document is kept by the
database as messages arrive, change and go, so a search finds exactly what the workspace still
holds: accents and case aside, words of any message or of the participant's name, never a
deleted message's words, never another workspace's conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.deletion import start_account_deletion
from accounts.models import User
from accounts.roles import Role
from connections.models import ConnectedAccount
from inbox import queries, retention
from inbox.models import Conversation, Message
from tests.factories import WorkspaceFactory
from tests.inbox_fixtures import inbound_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(workspace):
    return ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="search-1", display_name="Acme on X"
    )


def found(workspace, q: str) -> list[int]:
    user = User.objects.filter(memberships__workspace=workspace).first()
    rows = queries.conversations(workspace, user, queries.Filters(status="", q=q))
    return sorted(rows.values_list("pk", flat=True))


def add(conversation: Conversation, text: str, **fields) -> Message:
    return Message.objects.create(
        conversation=conversation,
        account=conversation.account,
        direction=fields.pop("direction", Message.Direction.INBOUND),
        text=text,
        **fields,
    )


def test_accents_and_case_do_not_matter(owner, workspace, account):
    convo = inbound_conversation(account, "Chloé Dupré", "Où est ma CRÈME brûlée ?")
    assert found(workspace, "chloe") == [convo.pk]
    assert found(workspace, "DUPRE") == [convo.pk]
    assert found(workspace, "creme brulee") == [convo.pk]
    assert found(workspace, "Crème") == [convo.pk]
    assert found(workspace, "ou est") == [convo.pk]


def test_words_of_any_message_and_the_name_count_but_all_must_be_there(owner, workspace, account):
    convo = inbound_conversation(account, "Ana Lima", "Where is my parcel?")
    add(convo, "It was a gift", direction=Message.Direction.OUTBOUND)
    add(convo, "check the courier", direction=Message.Direction.NOTE)
    other = inbound_conversation(account, "Bruno Costa", "A gift card please")

    assert found(workspace, "parcel gift") == [convo.pk]  # two messages of one thread
    assert found(workspace, "ana gift") == [convo.pk]  # the name and a message
    assert found(workspace, "courier") == [convo.pk]  # internal notes are searched too
    assert found(workspace, "gift") == sorted([convo.pk, other.pk])
    assert found(workspace, "parcel card") == []
    assert found(workspace, "parc") == []  # words, not parts of words


def test_a_word_in_another_workspace_is_never_found(owner, workspace, account):
    mine = inbound_conversation(account, "Ana Lima", "Where is my parcel?")
    other = WorkspaceFactory(slug="other")
    foreign_account = ConnectedAccount.objects.create(
        workspace=other, platform="x", external_id="search-2", display_name="Other"
    )
    inbound_conversation(foreign_account, "Zeca Pagodinho", "My espresso machine broke")
    inbound_conversation(foreign_account, "Ana Lima", "Where is my parcel?")

    assert found(workspace, "espresso") == []
    assert found(workspace, "zeca") == []
    assert found(workspace, "parcel") == [mine.pk]


def test_a_deleted_message_takes_its_words_with_it(owner, workspace, account):
    convo = inbound_conversation(account, "Ana Lima", "My card number is 4111")
    kept = add(convo, "and my card expired")

    Message.objects.filter(text__contains="4111").delete()

    assert found(workspace, "4111") == []
    assert found(workspace, "card") == [convo.pk]  # still in the message left
    kept.delete()
    assert found(workspace, "card") == []
    assert found(workspace, "ana") == [convo.pk]  # the name stays while the thread does


def test_retention_purges_remove_old_words_and_keep_recent_ones(owner, workspace, account):
    workspace.inbox_retention_days = 30
    workspace.save(update_fields=["inbox_retention_days"])
    old = inbound_conversation(account, "Ana Lima", "my secret address", minutes_ago=60 * 24 * 40)
    add(old, "recent question", sent_at=timezone.now() - timedelta(days=1))
    gone = inbound_conversation(account, "Bruno Costa", "forgotten", minutes_ago=60 * 24 * 40)

    assert retention.purge_workspace(workspace) == 2

    assert found(workspace, "secret") == []
    assert found(workspace, "forgotten") == []
    assert found(workspace, "recent") == [old.pk]
    assert not Conversation.objects.filter(pk=gone.pk).exists()


def test_deleting_a_conversation_leaves_nothing_to_find(owner, workspace, account):
    convo = inbound_conversation(account, "Ana Lima", "Where is my parcel?")
    retention.delete_conversation_by_id(convo.pk)
    assert found(workspace, "parcel") == []
    assert found(workspace, "ana") == []


def test_an_edited_message_is_found_by_its_new_words_only(owner, workspace, account):
    convo = inbound_conversation(account, "Ana Lima", "Where is my parcle?")
    message = convo.messages.get()
    message.text = "Where is my parcel?"
    message.save(update_fields=["text"])
    assert found(workspace, "parcle") == []
    assert found(workspace, "parcel") == [convo.pk]


def test_a_renamed_participant_is_found_by_the_new_name_only(owner, workspace, account):
    convo = inbound_conversation(account, "user 123", "Hello there")
    Conversation.objects.filter(pk=convo.pk).update(search_name="ines gomes ines_g")
    assert found(workspace, "123") == []
    assert found(workspace, "ines") == [convo.pk]
    assert found(workspace, "hello") == [convo.pk]  # the messages' words stay
    convo.refresh_from_db()
    convo.participant_name = "Inês Gomes-Silva"
    convo.save()
    assert found(workspace, "silva") == [convo.pk]


def test_many_messages_stored_at_once_are_all_found(owner, workspace, account):
    first = inbound_conversation(account, "Ana Lima", "Hello")
    second = inbound_conversation(account, "Bruno Costa", "Hello")
    Message.objects.bulk_create(
        Message(conversation=c, account=account, direction="inbound", text=t, search_text=t)
        for c, t in ((first, "alpha"), (second, "beta"), (first, "gamma"), (second, "alpha"))
    )
    assert found(workspace, "alpha") == sorted([first.pk, second.pk])
    assert found(workspace, "gamma") == [first.pk]
    assert found(workspace, "beta hello") == [second.pk]


def test_a_teammates_deletion_leaves_the_search_as_it_was(owner, workspace, account, make_member):
    """Deleting a person keeps the replies they wrote (the workspace's history) and never put
    their name in the search: replies are found by their words, never by their author."""
    editor = make_member(workspace, Role.EDITOR, full_name="Teodora Valente")
    convo = inbound_conversation(account, "Ana Lima", "Hello")
    add(
        convo,
        "Your refund is on its way",
        direction=Message.Direction.OUTBOUND,
        author=editor,
        sender_name=editor.full_name,
    )
    assert found(workspace, "teodora") == []
    start_account_deletion(editor)
    assert found(workspace, "refund") == [convo.pk]
    assert found(workspace, "teodora") == []
