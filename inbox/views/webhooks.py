"""The platforms' webhook endpoints (`/webhooks/<source>/`): the network's handshake and
signature check over the raw body, then the body is stored and answered at once; a task does
the rest. Anything unsigned or wrongly signed gets 403 and stores nothing."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from connections.platforms.registry import webhook_source

from ..deliveries import receive


def _json_object(body: bytes) -> bool:
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False


@csrf_exempt
@require_http_methods(["GET", "POST"])
def receive_events(request: HttpRequest, source: str) -> HttpResponse:
    events = webhook_source(source)
    if events is None:
        raise Http404("No such webhook.")
    if request.method == "GET":
        return events.handshake(request)
    if not events.signature_ok(request):
        return HttpResponse("Bad signature.", status=403, content_type="text/plain")
    if not _json_object(request.body):
        return HttpResponse("Expected a JSON object.", status=400, content_type="text/plain")
    receive(source, request.body)
    return events.acknowledgement()
