"""Each network names the template that draws its composer preview, and folds a long text
where its feed shows "more"."""

from __future__ import annotations

import pytest
from django.template.loader import get_template

from connections.platforms import Platform
from connections.platforms.network import Network
from connections.platforms.registry import network


@pytest.mark.parametrize("platform", Platform.values)
def test_every_network_has_its_own_preview_template(platform):
    name = network(platform).preview_template
    assert name.startswith("platforms/previews/")
    assert name != Network.preview_template
    get_template(name)  # exists and compiles


def test_a_long_caption_folds_between_words_at_the_networks_fold():
    instagram = network(Platform.INSTAGRAM)
    text = "word " * 40

    shown, folded = instagram.preview_text(text)

    assert folded
    assert len(shown) <= instagram.preview_fold
    assert shown.endswith("word")
    assert instagram.preview_text("Short and sweet") == ("Short and sweet", False)


def test_a_network_without_a_fold_shows_everything():
    x = network(Platform.X)
    assert x.preview_fold == 0
    assert x.preview_text("a" * 1000) == ("a" * 1000, False)


def test_one_long_word_is_cut_at_the_fold():
    linkedin = network(Platform.LINKEDIN)
    shown, folded = linkedin.preview_text("x" * 500)
    assert folded
    assert shown == "x" * linkedin.preview_fold
