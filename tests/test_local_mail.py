"""The local mode prints emails so their links can be copied whole."""

from __future__ import annotations

import io

from django.core.mail import EmailMultiAlternatives

from mixora.local_mail import ReadableConsoleBackend

LINK = "http://127.0.0.1:8000/accounts/confirm-email/MQ:1xa9Zs:knF_Agh71yELtfD0K3nMXachVKkOjOmXVpd8R7TiN_I/"


def test_a_long_link_and_accents_print_as_written():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        "Confirm your address, Chloé",
        f"Hello Chloé,\n\nConfirm here: {LINK}\n",
        "Mixora <hello@mixora.local>",
        ["chloe@example.test"],
    )
    message.attach_alternative(f'<a href="{LINK}">Confirm</a>', "text/html")

    assert ReadableConsoleBackend(stream=stream).send_messages([message]) == 1

    printed = stream.getvalue()
    assert LINK in printed
    assert "Subject: Confirm your address, Chloé" in printed
    assert "To: chloe@example.test" in printed
    assert "=\n" not in printed
