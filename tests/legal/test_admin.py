"""Staff write and publish legal documents in admin; a published version opens read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from legal.groups import LEGAL_EDITORS_GROUP
from legal.models import DocumentVersion
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_documents")]

CHANGELIST = "/admin/legal/documentversion/"


@pytest.fixture
def editor(db):
    user = UserFactory(is_staff=True, email="legal@mixora.test")
    user.groups.add(Group.objects.get(name=LEGAL_EDITORS_GROUP))
    return user


def _draft_data(**overrides: str) -> dict[str, str]:
    today = timezone.localdate().isoformat()
    return {
        "kind": "privacy-policy",
        "title": "Privacy policy",
        "summary": "",
        "body": "## Hello\n\n<b>Not HTML</b>",
        "effective_date": today,
        "last_updated": today,
        **overrides,
    }


def test_editor_writes_a_draft_previews_it_and_publishes_it(editor, client):
    client.force_login(editor)

    response = client.post(f"{CHANGELIST}add/", _draft_data())
    assert response.status_code == 302
    draft = DocumentVersion.objects.get()
    assert (draft.created_by, draft.version, draft.published_at) == (editor, None, None)
    page = client.get(f"{CHANGELIST}{draft.pk}/change/").content.decode()
    assert '<h2 id="hello">Hello</h2>' in page
    assert "&lt;b&gt;Not HTML&lt;/b&gt;" in page

    response = client.post(
        CHANGELIST, {"action": "publish_drafts", "_selected_action": [draft.pk]}, follow=True
    )

    assert "Published Privacy policy v1." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.version, draft.published_by) == (1, editor)


def test_a_published_version_opens_read_only_and_cannot_be_deleted(editor, client, make_version):
    version = make_version("privacy-policy", body="## Original")
    client.force_login(editor)
    url = f"{CHANGELIST}{version.pk}/change/"

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, _draft_data(body="## Rewritten")).status_code == 403
    assert client.post(f"{CHANGELIST}{version.pk}/delete/", {"post": "yes"}).status_code == 403

    stored = DocumentVersion.objects.get(pk=version.pk)
    assert stored.body == "## Original"


def test_bulk_delete_refuses_a_selection_with_a_published_version(editor, client, make_version):
    published = make_version("cookie-policy")
    draft = make_version("cookie-policy", publish=False)
    other_draft = make_version("privacy-policy", publish=False)
    client.force_login(editor)

    drafts_page = client.get(f"{CHANGELIST}?status=draft").content.decode()
    assert f'value="{draft.pk}"' in drafts_page
    assert f'value="{published.pk}"' not in drafts_page

    mixed = {"action": "delete_selected", "_selected_action": [draft.pk, published.pk]}
    assert client.post(CHANGELIST, {**mixed, "post": "yes"}).status_code == 403
    assert DocumentVersion.objects.count() == 3

    drafts = {"action": "delete_selected", "_selected_action": [draft.pk, other_draft.pk]}
    client.post(CHANGELIST, {**drafts, "post": "yes"})
    assert list(DocumentVersion.objects.values_list("pk", flat=True)) == [published.pk]


def test_publishing_a_published_version_again_says_so(editor, client, make_version):
    version = make_version("cookie-policy")
    client.force_login(editor)
    response = client.post(
        CHANGELIST, {"action": "publish_drafts", "_selected_action": [version.pk]}, follow=True
    )
    assert "is already published" in response.content.decode()
    assert DocumentVersion.objects.get(pk=version.pk).version == version.version


def test_staff_without_the_publish_permission_cannot_publish(client, make_version):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        *Group.objects.get(name=LEGAL_EDITORS_GROUP).permissions.exclude(
            codename="publish_documentversion"
        )
    )
    draft = make_version("privacy-policy", publish=False)
    client.force_login(viewer)

    assert "publish_drafts" not in client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, {"action": "publish_drafts", "_selected_action": [draft.pk]})

    draft.refresh_from_db()
    assert draft.published_at is None


def test_the_support_group_cannot_reach_legal_documents(client):
    from support.groups import SUPPORT_GROUP

    support = UserFactory(is_staff=True)
    support.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    client.force_login(support)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_new_draft_starts_from_the_selected_published_version(editor, client, make_version):
    version = make_version("subprocessors", body="## Our vendors")
    client.force_login(editor)
    client.post(CHANGELIST, {"action": "start_new_draft", "_selected_action": [version.pk]})

    draft = DocumentVersion.objects.get(published_at__isnull=True)
    assert (draft.kind, draft.body, draft.created_by, draft.version) == (
        "subprocessors",
        "## Our vendors",
        editor,
        None,
    )
    response = client.post(
        f"{CHANGELIST}{draft.pk}/change/", _draft_data(kind="subprocessors", body="## New vendor")
    )
    assert response.status_code == 302
    assert DocumentVersion.objects.get(pk=draft.pk).body == "## New vendor"
    assert DocumentVersion.objects.get(pk=version.pk).body == "## Our vendors"
