"""Subjects and plain-text parts are not HTML: names arrive as written there, while the HTML
part still escapes them."""

from __future__ import annotations

from django.core import mail

from mixora.emails import send_templated

NAME = 'Tom\'s "café" & <bar>'


class _Account:
    display_name = NAME

    def get_platform_display(self) -> str:
        return "X"


class _Named:
    def __init__(self, name: str) -> None:
        self.name = self.display_name = name


def test_subject_and_text_are_not_html_escaped_but_the_html_part_is():
    send_templated(
        "account_needs_reconnect",
        "owner@example.test",
        {
            "account": _Account(),
            "workspace": _Named("Acme & Co"),
            "user": _Named("Ana"),
            "reason": "the token was revoked",
            "url": "/w/acme/connections/",
        },
    )

    [message] = mail.outbox
    assert message.subject == f"X {NAME} needs reconnecting in Acme & Co"
    assert f"X {NAME} in Acme & Co" in message.body
    html, _ = message.alternatives[0]
    assert "Tom&#x27;s &quot;café&quot; &amp; &lt;bar&gt;" in html
    assert NAME not in html
