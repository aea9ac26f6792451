"""`POST /webhooks/stripe/`: Stripe's signed events. Anything unsigned, wrongly signed, too
old, not JSON or from the other mode gets 400 and stores nothing; a verified event is stored
(once per id) and answered at once, a task does the rest (billing.events)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .events import BadEvent, receive, verify

# Stripe's events are a few KB; the site-wide REQUEST_MAX_BYTES is sized for video uploads.
MAX_BODY_BYTES = 1024 * 1024


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return 0


@csrf_exempt  # Stripe signs the body instead (the signature is checked before anything else)
@require_POST
def stripe_events(request: HttpRequest) -> HttpResponse:
    if _declared_length(request) > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return HttpResponse("Too large.", status=413, content_type="text/plain")
    try:
        payload = verify(request.body, request.headers.get("Stripe-Signature", ""))
    except BadEvent as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    receive(payload)
    return JsonResponse({"received": True})
