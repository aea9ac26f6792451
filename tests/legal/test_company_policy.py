"""The privacy policy shown is the company's: version 1 is its text, word for word, with the
dates printed in it; version 2, which adds what the product does beyond it, waits as a
material draft until an operator publishes it, and then everyone gets the change notice."""

from __future__ import annotations

import hashlib
import importlib
import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from legal import company_policy, documents, notices
from legal.defaults import PROPOSED_SUMMARY, install_defaults, proposed_privacy_policy
from legal.models import DocumentVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# sha256 of ../shared/seed/privacy-policy.txt, the company's document as it gave it to us.
COMPANY_POLICY_SHA256 = "8e77d54ff1084414334684a6a08f7a6d660ce38d9f5fca52c864fb1a082c109d"
MIGRATION = importlib.import_module("legal.migrations.0003_company_policy_and_proposed_v2")


def words(text: str) -> list[str]:
    """The words of a text, without the marks the legal renderer reads."""
    text = re.sub(r"(?m)^(#{2,3} |- )", "", text).replace("•", " ")
    return text.split()


def company_words() -> list[str]:
    lines = company_policy.SOURCE.read_text(encoding="utf-8").splitlines()
    # Its title line and its two date lines become the version's title and dates.
    kept = [line for line in lines[1:] if not line.startswith(("Effective date", "Last updated"))]
    return words("\n".join(kept))


def privacy_versions() -> list[DocumentVersion]:
    return list(DocumentVersion.objects.filter(kind="privacy-policy").order_by("pk"))


def proposal() -> DocumentVersion:
    return DocumentVersion.objects.get(kind="privacy-policy", published_at__isnull=True)


# --- Version 1 ----------------------------------------------------------------------------


def test_the_file_is_the_companys_document_byte_for_byte():
    digest = hashlib.sha256(company_policy.SOURCE.read_bytes()).hexdigest()
    assert digest == COMPANY_POLICY_SHA256


def test_version_1_is_the_companys_text_word_for_word_with_its_own_dates():
    v1 = documents.published("privacy-policy").get(version=1)
    assert words(v1.body) == company_words()
    assert (v1.effective_date, v1.last_updated) == (date(2025, 7, 16), date(2025, 8, 19))
    assert not v1.material
    assert documents.current("privacy-policy") == v1
    # Nothing of the product's rewritten policy is left.
    assert "[[retention-table]]" not in v1.body
    assert "Short version" not in v1.body


def test_the_published_page_shows_the_companys_sections_and_dates(client):
    html = client.get(reverse("privacy_policy")).content.decode()
    assert '<h2 id="1-who-we-are">1) WHO WE ARE</h2>' in html
    assert '<h3 id="a-information-you-provide">A. Information you provide</h3>' in html
    assert "<li>Logs: typically 30–180 days.</li>" in html
    assert '<h3 id="ai-disclosures">AI disclosures</h3>' in html  # linked from AI settings
    assert '<time datetime="2025-07-16">16 July 2025</time>' in html
    assert '<time datetime="2025-08-19">19 August 2025</time>' in html
    assert "[July 16, 2025]" not in html  # the brackets around the printed dates are gone


def test_the_dates_are_read_from_the_file_and_a_file_without_them_is_refused():
    parsed = company_policy.parse(
        "POLICY\n\nEffective date: March 3, 2027\nLast updated: [April 4, 2027]\n\nText.\n"
    )
    assert (parsed.effective_date, parsed.last_updated, parsed.body) == (
        date(2027, 3, 3),
        date(2027, 4, 4),
        "Text.\n",
    )
    with pytest.raises(ValueError, match="Last updated"):
        company_policy.parse("POLICY\n\nEffective date: March 3, 2027\n\nText.\n")


# --- The proposed version 2 ---------------------------------------------------------------


def test_version_2_is_proposed_as_a_material_draft_nobody_sees_yet(client):
    draft = proposal()
    assert draft.version is None
    assert draft.material
    assert draft.summary == PROPOSED_SUMMARY
    assert draft.body == proposed_privacy_policy()
    assert draft.effective_date > timezone.localdate()  # announced before it applies
    assert client.get("/legal/privacy-policy/v2/").status_code == 404
    assert "24 months" not in client.get(reverse("privacy_policy")).content.decode()


def test_version_2_only_adds_to_the_companys_text():
    v1_lines = [line for line in documents.current("privacy-policy").body.splitlines() if line]
    v2_lines = iter(line for line in proposal().body.splitlines() if line)
    # Every line of version 1 is in version 2, in the same order.
    assert all(line in v2_lines for line in v1_lines)


@pytest.mark.parametrize(
    "addition",
    [
        "we ask for your country and keep it",  # the sign-up form keeps it
        "We keep each record for 24 months after a newer choice replaces it",  # consent proof
        "each event is tied to your account",  # UsageEvent.user
        "We keep them for 13 months",
        "[[retention-table]]",  # every retention period, from the rules the software runs
        "LinkedIn organisation pages",
        "[subprocessors page](/legal/subprocessors/)",
    ],
)
def test_version_2_says_what_the_product_does_beyond_version_1(addition):
    assert addition in proposal().body
    assert addition not in documents.current("privacy-policy").body


def test_publishing_the_proposal_gives_everyone_the_change_notice(
    client, celery_queue, django_capture_on_commit_callbacks
):
    member = UserFactory(date_joined=timezone.now() - timedelta(days=3))
    draft = proposal()

    with django_capture_on_commit_callbacks(execute=True):
        assert documents.publish(draft, by=None) == 2

    assert list(notices.pending(member)) == [draft]
    assert celery_queue() == [("legal.tasks.announce_material_change", [draft.pk])]
    # On its effective date it replaces version 1; until then version 1 says it is coming.
    assert documents.upcoming("privacy-policy") == draft
    assert documents.current("privacy-policy", draft.effective_date) == draft
    page = client.get(reverse("legal_version", args=["privacy-policy", 2])).content.decode()
    assert "This version takes effect on" in page
    assert '<div class="legal-table">' in page  # the retention table, frozen on publication
    assert draft.tables["retention"]


# --- Seeding is idempotent ----------------------------------------------------------------


def test_seeding_again_changes_nothing():
    before = [(v.pk, v.version, v.body) for v in DocumentVersion.objects.order_by("pk")]
    today, now = timezone.localdate(), timezone.now()
    install_defaults(apps, today, now, settings.SUPPORT_EMAIL)
    MIGRATION.forwards(apps, None)
    assert [(v.pk, v.version, v.body) for v in DocumentVersion.objects.order_by("pk")] == before


def test_no_second_proposal_once_an_operator_edited_or_published_it():
    draft = proposal()
    draft.body += "\n## Operator's own addition\n"
    draft.save()
    MIGRATION.forwards(apps, None)
    assert len(privacy_versions()) == 2

    documents.publish(draft, by=None)
    MIGRATION.forwards(apps, None)
    assert len(privacy_versions()) == 2


def test_a_database_from_before_gets_the_proposal_and_drafts_for_placeholder_texts(no_documents):
    # As 0002 left an older database: its own version 1 of each kind, one with placeholders.
    for kind, body in [
        ("privacy-policy", "## Our old policy"),
        ("cookie-policy", "## Cookies"),
        ("notice-at-collection", "## Notice"),
        ("subprocessors", "| Hosting | [hosting provider's name] | [country or region] |"),
    ]:
        DocumentVersion.objects.create(
            kind=kind, version=1, title=kind, body=body, published_at=timezone.now()
        )

    MIGRATION.forwards(apps, None)

    drafts = DocumentVersion.objects.filter(published_at__isnull=True)
    assert sorted(drafts.values_list("kind", flat=True)) == ["privacy-policy", "subprocessors"]
    subprocessors = drafts.get(kind="subprocessors")
    assert "Stripe" in subprocessors.body
    assert documents.publish(subprocessors, by=None) == 2
    assert proposal().material
