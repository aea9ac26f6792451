"""The policy's four categories, seeded by the data migration, describe what Mixora sets."""

from __future__ import annotations

from cookie_consent.models import Cookie, CookieGroup
from django.apps import apps

from consent.groups import ensure_cookie_groups


def test_four_groups_and_what_each_sets(db):
    groups = {g.varname: g for g in CookieGroup.objects.prefetch_related("cookie_set")}
    assert list(CookieGroup.objects.values_list("varname", flat=True)) == [
        "essential",
        "functional",
        "analytics",
        "marketing",
    ]
    assert [v for v, g in groups.items() if g.is_required] == ["essential"]
    assert not groups["essential"].is_deletable
    assert {c.name for c in groups["essential"].cookie_set.all()} == {
        "sessionid",
        "csrftoken",
        "cookie_consent",
        "mixora_consent_id",
        "messages",
    }
    assert all(c.description for c in groups["essential"].cookie_set.all())
    for varname in ("functional", "analytics", "marketing"):
        assert not groups[varname].cookie_set.exists()
    assert "Mixora runs no marketing or advertising cookies today" in (
        groups["marketing"].description
    )
    assert "no tracking cookie" in groups["analytics"].description


def test_seeding_again_changes_no_version(db):
    """Re-running the seed (a later migration, a flushed test database) asks nobody again."""
    before = dict(Cookie.objects.values_list("name", "created"))
    ensure_cookie_groups(apps)
    assert dict(Cookie.objects.values_list("name", "created")) == before
    assert CookieGroup.objects.count() == 4
