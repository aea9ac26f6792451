"""The rows of the busy pages made in Python (issue 15): the same markup as the templates
they replace, escaped, with the same links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from connections.models import ConnectedAccount
from connections.platforms import Platform
from mixora.templatetags.rows import truncated, url_maker
from publishing.models import Post, PostTarget


def render(source: str, **context: object) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize(
    ("name", "args"),
    [("post_detail", ["acme"]), ("inbox_conversation", ["acme"]), ("post_move", ["a-b"])],
)
def test_a_url_maker_gives_what_reverse_gives(name, args):
    make = url_maker(name, *args)
    for key in (1, 42, 987654321):
        assert make(key) == reverse(name, args=[*args, key])
    with pytest.raises(ValueError, match="invalid literal"):
        make("1/../2")


def test_a_url_maker_refuses_a_url_where_its_key_is_not_found_once():
    with pytest.raises(ValueError, match="not in the URL once"):
        url_maker("post_detail", "987654321987")


@pytest.mark.parametrize(
    "text",
    ["", "Hello", "x" * 160, "x" * 161, "é" * 170, "e\u0301" * 159, "Café <b> " * 30],
)
def test_truncated_is_truncatechars(text):
    assert truncated(text, 160) == Truncator(text).chars(160)


def test_the_icon_tag_draws_the_included_icon():
    for platform in Platform.values:
        included = render(
            '{% include "connections/platform_icon.html" with platform=p %}', p=platform
        )
        assert render("{% load rows %}{% platform_icon p %}", p=platform) == included


@pytest.fixture
def tricky(workspace):
    """A post and an account whose words need escaping."""
    account = ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="x-1", display_name='Tom & "Jerry" <b>'
    )
    when = timezone.now() + timedelta(days=1)
    post = Post.objects.create(
        workspace=workspace,
        text="<script>alert(1)</script> & more",
        scheduled_at=when,
        stage=Post.Stage.SCHEDULED,
    )
    PostTarget.objects.create(
        post=post, account=account, due_at=when, state=PostTarget.State.SCHEDULED
    )
    return post


@pytest.mark.parametrize("view", ["month", "week"])
def test_calendar_posts_escape_what_people_typed(client, owner, tricky, view):
    client.force_login(owner.user)
    day = timezone.localtime(tricky.scheduled_at).date()
    url = reverse("calendar", args=[tricky.workspace.slug])
    html = client.get(url, {"view": view, "date": day.isoformat()}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert 'title="X: Tom &amp; &quot;Jerry&quot; &lt;b&gt; · Scheduled"' in html
    assert f'href="{reverse("post_detail", args=["acme", tricky.pk])}"' in html


def test_the_posts_list_and_queue_escape_and_link_each_post(client, owner, tricky):
    client.force_login(owner.user)
    posts = client.get(reverse("post_list", args=["acme"])).content.decode()
    queues = client.get(reverse("post_queue", args=["acme"])).content.decode()
    for html in (posts, queues):
        assert "<script>alert(1)" not in html
        assert f'href="{reverse("post_detail", args=["acme", tricky.pk])}"' in html
    assert f'action="{reverse("post_duplicate", args=["acme", tricky.pk])}"' in posts
    assert f'href="{reverse("post_delete", args=["acme", tricky.pk])}"' in posts
    assert f'action="{reverse("post_queue_swap", args=["acme"])}"' not in queues  # one post
