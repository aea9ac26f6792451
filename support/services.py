from __future__ import annotations

from typing import Any

from mixora.emails import send_templated

from .models import SupportTicket


def open_ticket(data: dict[str, Any], user: Any) -> SupportTicket:
    ticket = SupportTicket.objects.create(user=user if user.is_authenticated else None, **data)
    send_templated("support_ack", ticket.email, {"ticket": ticket})
    return ticket
