"""The time-zone list offers real places by region, never the database's oddities, and keeps a
workspace's zone chosen before the list was regional."""

from __future__ import annotations

from accounts.forms import TIMEZONE_CHOICES, WorkspaceForm, WorkspaceSettingsForm


def test_places_are_grouped_by_region_without_aliases():
    regions = dict(TIMEZONE_CHOICES[1:])
    assert TIMEZONE_CHOICES[0] == ("UTC", "UTC")
    assert ("Europe/London", "London") in regions["Europe"]
    assert ("America/Argentina/Buenos_Aires", "Argentina – Buenos Aires") in regions["America"]
    listed = {name for places in regions.values() for name, _ in places}
    for oddity in ("Factory", "localtime", "US/Eastern", "Etc/GMT+3", "GMT", "EST5EDT"):
        assert oddity not in listed


def test_the_form_refuses_an_unlisted_zone_but_keeps_the_current_one():
    form = WorkspaceForm({"name": "Acme", "timezone": "Factory"})
    assert not form.is_valid()
    assert "timezone" in form.errors
    kept = WorkspaceSettingsForm(
        {"name": "Acme", "timezone": "US/Eastern"},
        initial={"name": "Acme", "timezone": "US/Eastern"},
    )
    assert kept.is_valid(), kept.errors
