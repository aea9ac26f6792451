"""The legal text renderer: markup in, safe HTML out, and the live tables behind the markers."""

from __future__ import annotations

import pytest
from cookie_consent.models import Cookie, CookieGroup
from django.urls import reverse

from legal import documents
from legal.render import inline, render
from retention.rules import public_rows

pytestmark = pytest.mark.django_db


def _html(body: str, **kwargs: object) -> str:
    return str(render(body, retention=lambda: [], cookies=lambda: [], **kwargs).html)


def test_headings_paragraphs_and_lists():
    rendered = render(
        "## Who we are\nWe are\nMixora.\n\n### Details\n- one\n- two\n  continued\n\n"
        "1. first\n2. second",
        retention=lambda: [],
        cookies=lambda: [],
    )
    assert str(rendered.html) == (
        '<h2 id="who-we-are">Who we are</h2>\n'
        "<p>We are Mixora.</p>\n"
        '<h3 id="details">Details</h3>\n'
        "<ul><li>one</li><li>two continued</li></ul>\n"
        "<ol><li>first</li><li>second</li></ol>"
    )
    assert rendered.headings == [("who-we-are", "Who we are")]


def test_repeated_headings_get_distinct_anchors():
    rendered = render("## Data\n\n## Data", retention=lambda: [], cookies=lambda: [])
    assert [anchor for anchor, _ in rendered.headings] == ["data", "data-2"]


def test_html_in_the_body_is_shown_as_text():
    html = _html('<script>alert(1)</script>\n\n## <img src=x onerror="boom()">\n\n- <b>hi</b>')
    assert "<script>" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html


def test_bold_and_safe_links():
    html = _html(
        "**Short** version: see [the policy](/legal/privacy-policy/), "
        "[mail us](mailto:support@mixora.io) or [Meta](https://www.facebook.com/privacy/policy/)."
    )
    assert "<strong>Short</strong>" in html
    assert '<a href="/legal/privacy-policy/">the policy</a>' in html
    assert '<a href="mailto:support@mixora.io">mail us</a>' in html
    assert '<a href="https://www.facebook.com/privacy/policy/">Meta</a>' in html


@pytest.mark.parametrize(
    "target",
    ["javascript:alert(1)", "data:text/html,hi", "//evil.example/x", 'x"onmouseover="y'],
)
def test_unsafe_link_targets_become_plain_text(target):
    html = _html(f"[click]({target})")
    assert "<a" not in html
    assert "click" in html


def test_named_urls_resolve_and_unknown_names_stay_plain_text():
    html = _html("[contact](url:contact) and [nothing](url:no_such_page)")
    assert f'<a href="{reverse("contact")}">contact</a>' in html
    assert "nothing" in html
    assert html.count("<a ") == 1


def test_pipe_tables_with_a_header_row():
    html = _html("| Who | Why |\n|---|---|\n| Stripe | **payments** |\n| <x> | y |")
    assert '<th scope="col">Who</th><th scope="col">Why</th>' in html
    assert "<td>Stripe</td><td><strong>payments</strong></td>" in html
    assert "<td>&lt;x&gt;</td>" in html


def test_retention_marker_becomes_the_retention_table():
    rows = [("Inbox messages", "30–365 days", "Deleted <now>"), ("Logs", "180 days", "Deleted")]
    rendered = render(
        "## Data retention\n\nBelow.\n\n[[retention-table]]\n\nAfter.",
        retention=lambda: rows,
        cookies=lambda: [],
    )
    html = str(rendered.html)
    assert "[[retention-table]]" not in html
    assert '<th scope="col">What</th><th scope="col">How long</th>' in html
    assert "<td>Inbox messages</td><td>30–365 days</td><td>Deleted &lt;now&gt;</td>" in html
    assert html.index("Below.") < html.index("Inbox messages") < html.index("After.")


def test_retention_marker_renders_nothing_without_rows():
    assert _html("Before\n\n[[retention-table]]\n\nAfter") == "<p>Before</p>\n\n<p>After</p>"


def test_the_notice_at_collection_shows_the_retention_engines_rows(client, defaults):
    rows = public_rows()
    assert rows

    html = client.get(reverse("legal_document", args=["notice-at-collection"])).content.decode()

    assert "[[retention-table]]" not in html
    for row in rows:
        assert "<tr>" + "".join(f"<td>{inline(cell)}</td>" for cell in row) + "</tr>" in html
    section = html[html.index('id="how-long-we-keep-it"') :]
    assert section.index("<table>") < section.index("<h2")


def test_cookie_marker_lists_the_consent_banners_cookies(db):
    Cookie.objects.all().delete()
    CookieGroup.objects.all().delete()
    essential = CookieGroup.objects.create(
        varname="essential", name="Essential", is_required=True, ordering=0
    )
    analytics = CookieGroup.objects.create(
        varname="analytics", name="Analytics", description="Usage measurement.", ordering=20
    )
    Cookie.objects.create(cookiegroup=essential, name="sessionid", description="Keeps you in.")
    Cookie.objects.create(cookiegroup=analytics, name="mx_analytics_id")
    CookieGroup.objects.create(
        varname="marketing", name="Marketing", description="None run.", ordering=30
    )

    html = str(render("[[cookie-table]]").html)

    assert "<td>sessionid</td><td>Essential (always on)</td><td>Keeps you in.</td>" in html
    assert (
        "<td>mx_analytics_id</td><td>Analytics (with your consent)</td><td>Usage measurement.</td>"
    ) in html
    assert "<td>No cookie</td><td>Marketing (with your consent)</td><td>None run.</td>" in html
    assert html.index("sessionid") < html.index("mx_analytics_id") < html.index("None run.")


def test_default_texts_render_without_leftover_marks(defaults):
    for kind in ("privacy-policy", "cookie-policy", "notice-at-collection", "subprocessors"):
        html = str(render(documents.current(kind).body).html)
        assert "[[" not in html, kind
        assert "**" not in html, kind
        assert "](" not in html, kind
