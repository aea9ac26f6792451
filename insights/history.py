"""Whose posts a recommendation is based on: the account's own once it has MIN_POSTS with a
rate, until then the workspace's accounts of the same network (labelled as such), else none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from connections.models import ConnectedAccount

from .models import PostInsight
from .shrinkage import Tally

MIN_POSTS = 30


@dataclass(frozen=True)
class Basis[Key]:
    source: str  # "account" | "network" | "none"
    groups: dict[Key, Tally]  # empty when source is "none"
    own_posts: int  # the account's posts with a rate
    message: str


def basis[Key](
    account: ConnectedAccount, group: Callable[[QuerySet], dict[Key, Tally]]
) -> Basis[Key]:
    """`group` tallies a queryset of insights (one aggregate query); it runs on the account's
    posts, then, while they are too few, on the network's."""
    own = group(PostInsight.objects.filter(account=account))
    own_posts = _count(own)
    if own_posts >= MIN_POSTS:
        return Basis("account", own, own_posts, f"Based on {posts(own_posts)} of this account.")
    so_far = (
        f"{posts(own_posts)} so far; suggestions start at {MIN_POSTS}."
        if own_posts
        else f"No posts measured yet; suggestions start at {MIN_POSTS}."
    )
    network = group(
        PostInsight.objects.filter(
            workspace_id=account.workspace_id, account__platform=account.platform
        )
    )
    network_posts = _count(network)
    if network_posts < MIN_POSTS:
        return Basis("none", {}, own_posts, so_far)
    return Basis(
        "network",
        network,
        own_posts,
        f"{so_far} Based on {posts(network_posts)} of your {account.get_platform_display()} "
        f"accounts (the network pattern of this workspace) until this account has {MIN_POSTS}.",
    )


def posts(count: int) -> str:
    return f"{count} post" if count == 1 else f"{count} posts"


def _count(groups: dict) -> int:
    return int(sum(tally.n for tally in groups.values()))
