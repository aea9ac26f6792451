"""Which text came from AI: the composer claims the drafts it used, saving marks each one
(still an AI draft, accepted, edited, discarded), and the review page shows it."""

from __future__ import annotations

from assistant.models import AIGeneration
from publishing.models import Post
from tests.assistant.conftest import events, url


def generate(ai_client, brief="Summer menu launch") -> AIGeneration:
    name, done = events(ai_client.post(url("ai_caption"), {"brief": brief}))[-1]
    assert name == "done"
    return AIGeneration.objects.get(pk=done["generation"])


def save(ai_client, text, claims, post=None, **extra):
    target = url("post_edit", post.pk) if post else url("post_new")
    data = {"text": text, "action": "save", "ai_generation": claims, **extra}
    answer = ai_client.post(target, data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return post or Post.objects.latest("pk")


def test_a_used_draft_stays_an_ai_draft_until_a_person_edits_it(ai_client):
    generation = generate(ai_client)

    post = save(ai_client, generation.output_text, [f"{generation.pk}:text"])
    generation.refresh_from_db()
    assert (generation.status, generation.subject, generation.used_in) == (
        "draft",
        f"publishing.post:{post.pk}",
        "text",
    )
    detail = ai_client.get(url("post_detail", post.pk)).content.decode()
    assert "Text written with AI" in detail
    assert "AI draft: not yet edited or accepted by a person" in detail

    save(ai_client, generation.output_text + " See you there!", [f"{generation.pk}:text"], post)
    generation.refresh_from_db()
    assert generation.status == "edited"
    assert (
        "AI draft, edited by a person"
        in ai_client.get(url("post_detail", post.pk)).content.decode()
    )


def test_accept_marks_it_accepted(ai_client):
    generation = generate(ai_client)

    post = save(ai_client, generation.output_text, [f"{generation.pk}:text:accepted"])

    generation.refresh_from_db()
    assert generation.status == "accepted"
    page = ai_client.get(url("post_detail", post.pk)).content.decode()
    assert "AI text, accepted by a person" in page


def test_the_edit_page_sends_the_claims_back(ai_client):
    generation = generate(ai_client)
    post = save(ai_client, generation.output_text, [f"{generation.pk}:text"])

    page = ai_client.get(url("post_edit", post.pk)).content.decode()

    assert f'value="{generation.pk}:text"' in page
    assert 'data-ai-status="draft"' in page


def test_a_draft_no_longer_claimed_is_discarded(ai_client):
    first = generate(ai_client)
    post = save(ai_client, first.output_text, [f"{first.pk}:text"])
    second = generate(ai_client, "Winter menu launch")

    save(ai_client, second.output_text, [f"{second.pk}:text"], post)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("discarded", "draft")


def test_a_claim_on_another_posts_or_workspaces_draft_is_ignored(ai_client, db):
    from tests.factories import WorkspaceFactory

    generation = generate(ai_client)
    first = save(ai_client, generation.output_text, [f"{generation.pk}:text"])
    foreign = AIGeneration.objects.create(
        workspace=WorkspaceFactory(slug="other"),
        purpose="caption",
        input_text="{}",
        output_text="Theirs",
        model="m",
    )

    save(ai_client, generation.output_text, [f"{generation.pk}:text", f"{foreign.pk}:text"])

    generation.refresh_from_db()
    foreign.refresh_from_db()
    assert generation.subject == f"publishing.post:{first.pk}"
    assert foreign.subject == ""


def test_dismissing_a_suggestion_discards_it(ai_client):
    generation = generate(ai_client)

    ai_client.post(url("ai_discard", generation.pk))

    generation.refresh_from_db()
    assert generation.status == "discarded"


def test_hashtags_added_to_an_ai_caption_leave_both_ai_drafts(ai_client):
    text = generate(ai_client)
    name, done = events(ai_client.post(url("ai_hashtags"), {"text": text.output_text}))[-1]
    tags = AIGeneration.objects.get(pk=done["generation"])

    save(
        ai_client,
        f"{text.output_text}\n\n{tags.output_text}",
        [f"{text.pk}:text", f"{tags.pk}:text"],
    )

    text.refresh_from_db()
    tags.refresh_from_db()
    assert (text.status, tags.status) == ("draft", "draft")
