"""No legal text Mixora publishes holds a template leftover ("[Company]", "TBD",
"[country or region]"…), and publishing one is refused. The subprocessors page names the
real kinds of provider and says how the connected platforms relate."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from legal import documents, placeholders
from legal.defaults import DEFAULT_DOCUMENTS, default_body, proposed_privacy_policy
from legal.models import DocumentKind, DocumentVersion
from legal.render import render
from mixora.errors import UserFacingError

pytestmark = pytest.mark.django_db


def test_no_published_or_proposed_legal_text_has_a_placeholder(client):
    versions = list(DocumentVersion.objects.all())
    assert {v.kind for v in versions if v.is_published} == set(DocumentKind.values)
    for version in versions:  # every published version, and the drafts waiting
        assert placeholders.find(f"{version.title}\n{version.summary}\n{version.body}") == [], (
            version
        )
    for kind in DocumentKind.values:  # as people read them, live tables included
        page = client.get(reverse("legal_document", args=[kind])).content.decode()
        assert placeholders.find(render(documents.current(kind).body).html) == [], kind
        assert "TBD" not in page


def test_the_default_texts_have_no_placeholder():
    for kind in DEFAULT_DOCUMENTS:
        assert placeholders.find(default_body(kind, settings.SUPPORT_EMAIL)) == [], kind
    assert placeholders.find(proposed_privacy_policy()) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Operated by [Company], Inc.", ["[Company]"]),
        ("| Hosting | [hosting provider's name] | [country or region] |", None),
        ("Retention: TBD.", ["TBD"]),
        ("Write to {{support_email}}.", ["{{support_email}}"]),
        ("Provider: <provider name>", ["<provider name>"]),
        ("See https://example.com/privacy", ["example.com"]),
        ("Processed by Example Inc.", ["Example Inc"]),
        ("Effective date: [July 16, 2025]", ["[July 16, 2025]"]),
        ("Lorem ipsum dolor sit amet", ["Lorem ipsum"]),
    ],
)
def test_placeholders_are_found(text, found):
    hits = placeholders.find(text)
    assert hits
    if found is not None:
        assert hits == found


@pytest.mark.parametrize(
    "text",
    [
        "See our [privacy policy](/legal/privacy-policy/) and [settings](url:cookie_settings).",
        "[[retention-table]]",
        "[[cookie-table]]",
        "Card data is processed by our payment processor (e.g., Stripe).",
        "| Category | What it covers | Why |",
        "Keeps you signed in, for example the workspace you last opened.",
    ],
)
def test_real_text_is_not_taken_for_a_placeholder(text):
    assert placeholders.find(text) == []


def test_publishing_a_draft_with_a_placeholder_is_refused_and_nothing_changes(make_version):
    draft = make_version(
        "subprocessors",
        publish=False,
        body="| Hosting | [hosting provider's name] | [country or region] |",
    )
    with pytest.raises(UserFacingError) as refused:
        documents.publish(draft, by=None)
    assert str(refused.value) == (
        "Subprocessors draft still has placeholder text: “[hosting provider's name]”, "
        "“[country or region]”. Replace it before publishing."
    )
    draft.refresh_from_db()
    assert (draft.version, draft.published_at) == (None, None)
    assert documents.current("subprocessors").version == 1


def test_the_subprocessors_page_names_the_real_kinds_and_how_platforms_relate(client):
    html = client.get(reverse("legal_document", args=["subprocessors"])).content.decode()
    for kind in (
        "Hosting and cloud infrastructure",
        "S3-compatible object storage",
        "Email delivery",
        "Stripe, Inc. (payments)",
        "OpenAI (AI drafts)",
    ):
        assert f"<td>{kind}</td>" in html
    assert "Platforms you connect are not subprocessors" in html
    assert "LinkedIn Privacy Policy" in html
    assert f'href="mailto:{settings.SUPPORT_EMAIL}"' in html


def test_operators_edit_the_subprocessors_list_through_a_new_draft(admin_client):
    current = documents.current("subprocessors")
    response = admin_client.post(
        reverse("admin:legal_documentversion_changelist"),
        {"action": "start_new_draft", "_selected_action": [current.pk]},
    )
    assert response.status_code == 302
    draft = DocumentVersion.objects.get(kind="subprocessors", published_at__isnull=True)
    assert draft.body == current.body
