from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import notices


def legal_notices(request: HttpRequest) -> dict[str, Any]:
    """`legal_notices`: material policy changes the logged-in person has yet to acknowledge.

    Lazy: only a page that shows the banner (the app shell) runs its one query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def load() -> list:
        hidden = request.session.get(notices.HIDDEN_SESSION_KEY, [])
        return list(notices.pending(user, hidden))

    return {"legal_notices": SimpleLazyObject(load)}
