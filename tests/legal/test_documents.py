"""Versioned legal documents: numbering, immutability once published, and the public pages
(the version in force, the history, and any older version)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from legal import documents
from legal.defaults import DEFAULT_DOCUMENTS
from legal.groups import LEGAL_EDITORS_GROUP
from legal.models import DocumentKind, DocumentVersion
from mixora.errors import UserFacingError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- The data migration ------------------------------------------------------------------


def test_migration_publishes_version_1_of_every_kind_in_force_today():
    for kind in DocumentKind.values:
        version = documents.current(kind)
        assert version is not None, kind
        assert version.version == 1
        assert version.title == DEFAULT_DOCUMENTS[kind][0]
        assert version.effective_date <= timezone.localdate()
        assert not version.material
        assert "{{support_email}}" not in version.body
    policy = documents.current(DocumentKind.PRIVACY_POLICY)
    assert "## 6) DATA RETENTION" in policy.body  # the company's own policy
    assert "[[retention-table]]" in documents.current(DocumentKind.NOTICE_AT_COLLECTION).body


def test_migration_creates_the_legal_editors_group_with_publish_permission():
    group = Group.objects.get(name=LEGAL_EDITORS_GROUP)
    assert set(group.permissions.values_list("codename", flat=True)) == {
        "view_documentversion",
        "add_documentversion",
        "change_documentversion",
        "delete_documentversion",
        "publish_documentversion",
    }


# --- Versioning --------------------------------------------------------------------------


def test_publishing_numbers_versions_per_kind_in_order(no_documents, make_version):
    editor = UserFactory()
    first = make_version("privacy-policy", days_ago=10, by=editor)
    cookie = make_version("cookie-policy", days_ago=10)
    second = make_version("privacy-policy", days_ago=2)

    assert (first.version, second.version, cookie.version) == (1, 2, 1)
    assert first.published_by == editor
    assert first.published_at is not None


def test_a_draft_has_no_number_and_is_not_public(no_documents, make_version, client):
    make_version("privacy-policy", days_ago=3)
    draft = make_version("privacy-policy", publish=False, body="## Secret draft")

    assert draft.version is None
    assert draft.published_at is None
    page = client.get(reverse("privacy_policy"))
    assert "Secret draft" not in page.content.decode()
    assert client.get("/legal/privacy-policy/v2/").status_code == 404


def test_publishing_twice_is_refused(make_version):
    version = make_version("subprocessors")
    with pytest.raises(UserFacingError, match="already published"):
        documents.publish(version, by=None)


def test_a_material_version_needs_a_summary(make_version):
    draft = make_version("cookie-policy", publish=False, material=True, summary=" ")
    with pytest.raises(ValidationError):
        draft.full_clean()
    with pytest.raises(UserFacingError, match="summary"):
        documents.publish(draft, by=None)
    draft.refresh_from_db()
    assert draft.published_at is None


def test_a_new_version_cannot_take_effect_before_the_latest_one(no_documents, make_version):
    make_version("privacy-policy", days_ago=0)
    older = make_version("privacy-policy", publish=False, days_ago=5)

    with pytest.raises(UserFacingError, match="cannot take effect before"):
        documents.publish(older, by=None)
    older.refresh_from_db()
    assert older.version is None


# --- A published version never changes --------------------------------------------------


def test_published_version_cannot_be_saved_cleaned_or_deleted(make_version):
    version = make_version("privacy-policy", body="## Original")
    version.body = "## Rewritten"

    with pytest.raises(ValidationError):
        version.full_clean()
    with pytest.raises(ValidationError):
        version.save()
    with pytest.raises(ValidationError):
        version.delete()
    stored = DocumentVersion.objects.get(pk=version.pk)
    assert stored.body == "## Original"


def test_a_draft_can_be_edited_and_deleted(make_version):
    draft = make_version("privacy-policy", publish=False)
    draft.body = "## Better"
    draft.full_clean()
    draft.save()
    assert DocumentVersion.objects.get(pk=draft.pk).body == "## Better"
    draft.delete()
    assert not DocumentVersion.objects.filter(pk=draft.pk).exists()


def test_a_new_draft_starts_from_a_published_version(make_version):
    version = make_version("cookie-policy", body="## Cookies we use")
    draft = documents.new_draft_from(version, by=None)
    assert draft.published_at is None
    assert draft.version is None
    assert (draft.kind, draft.body) == (version.kind, version.body)


# --- Which version is in force -----------------------------------------------------------


def test_current_is_the_newest_published_version_whose_date_has_come(no_documents, make_version):
    old = make_version("privacy-policy", days_ago=30, body="## Old rules")
    now_in_force = make_version("privacy-policy", days_ago=1, body="## Current rules")
    future = make_version("privacy-policy", days_ago=-14, body="## Future rules")
    make_version("privacy-policy", publish=False, days_ago=0, body="## Draft rules")

    today = timezone.localdate()
    assert documents.current("privacy-policy") == now_in_force
    assert documents.upcoming("privacy-policy") == future
    # On the future version's day it takes over; the day before the old one was in force.
    assert documents.current("privacy-policy", today + timedelta(days=14)) == future
    assert documents.current("privacy-policy", today - timedelta(days=2)) == old


# --- Public pages ------------------------------------------------------------------------


def test_privacy_policy_page_shows_the_version_in_force(no_documents, make_version, client):
    make_version("privacy-policy", days_ago=30, body="## Old rules\n\nWe kept it all.")
    make_version(
        "privacy-policy", days_ago=1, body="## Current rules\n\nWe keep little.", material=True
    )
    make_version("privacy-policy", days_ago=-7, body="## Future rules")

    assert reverse("privacy_policy") == "/legal/privacy-policy/"
    response = client.get(reverse("privacy_policy"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "We keep little." in html
    assert "Old rules" not in html
    assert "Future rules" not in html
    assert "A new version takes effect on" in html
    assert 'href="/legal/privacy-policy/v3/"' in html
    assert 'href="/legal/privacy-policy/versions/"' in html


def test_every_kind_has_its_page_with_dates(defaults, client):
    for kind in DocumentKind:
        response = client.get(reverse("legal_document", args=[kind.value]))
        assert response.status_code == 200, kind
        html = response.content.decode()
        version = documents.current(kind)
        assert version.title in html
        assert version.effective_date.strftime("%-d %B %Y") in html
        assert "Last updated" in html


def test_versions_page_lists_every_published_version(no_documents, make_version, client):
    make_version("cookie-policy", days_ago=20, summary="First cookie policy.")
    make_version("cookie-policy", days_ago=5, material=True, summary="Analytics now opt-in.")
    make_version("cookie-policy", publish=False, summary="Unpublished idea.")

    response = client.get(reverse("legal_versions", args=["cookie-policy"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"Version (\d+)</a>", html) == ["2", "1"]
    assert "Analytics now opt-in." in html
    assert "Material change" in html
    assert "Unpublished idea." not in html


def test_an_older_version_stays_readable_and_says_it_was_replaced(
    no_documents, make_version, client
):
    make_version("privacy-policy", days_ago=30, body="## Old rules\n\nWe kept it all.")
    make_version("privacy-policy", days_ago=2, body="## New rules")

    response = client.get(reverse("legal_version", args=["privacy-policy", 1]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "We kept it all." in html
    assert "You are reading an older version" in html
    assert "replaced by version 2" in html


def test_unknown_kinds_and_versions_are_404(client, make_version):
    make_version("subprocessors")
    for url in (
        "/legal/terms-of-sale/",
        "/legal/terms-of-sale/versions/",
        "/legal/subprocessors/v999/",
        "/legal/terms-of-sale/v1/",
    ):
        assert client.get(url).status_code == 404, url


def test_kind_with_nothing_published_is_404(no_documents, make_version, client):
    make_version("subprocessors", publish=False)
    assert client.get("/legal/subprocessors/").status_code == 404
    assert client.get("/legal/subprocessors/versions/").status_code == 404


def test_legal_index_links_every_document(defaults, client):
    html = client.get(reverse("legal_index")).content.decode()
    for kind in DocumentKind:
        assert f'href="/legal/{kind.value}/"' in html


def test_footer_links_the_privacy_policy(defaults, client):
    html = client.get("/support/").content.decode()
    assert '<a href="/legal/privacy-policy/">Privacy policy</a>' in html


def test_a_replaced_version_keeps_the_retention_table_of_its_time(
    no_documents, make_version, client
):
    from retention.rules import public_rows

    body = "## Data retention\n\n[[retention-table]]"
    old = make_version("privacy-policy", days_ago=30, body=body)
    assert old.tables == {"retention": [list(row) for row in public_rows()]}
    # The rules have changed since: what the old version promised stays as it was.
    DocumentVersion.objects.filter(pk=old.pk).update(
        tables={"retention": [["Everything (old rule)", "Forever", "Never"]]}
    )
    make_version("privacy-policy", days_ago=1, body=body)

    old_page = client.get(reverse("legal_version", args=["privacy-policy", 1])).content.decode()
    current = client.get(reverse("privacy_policy")).content.decode()

    assert "<td>Everything (old rule)</td><td>Forever</td><td>Never</td>" in old_page
    assert public_rows()[0][0] not in old_page
    assert "Everything (old rule)" not in current
    assert public_rows()[0][0] in current
