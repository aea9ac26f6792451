"""The platforms' webhook endpoints: checked against the raw body, stored, answered at once;
a task does the rest. Anything unsigned or wrongly signed gets 403 and stores nothing."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from connections.platforms import Provider, credentials

from .. import signatures
from ..deliveries import receive


def _json_object(body: bytes) -> bool:
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        ok = signatures.meta_verify_token_ok(
            settings.META_WEBHOOK_VERIFY_TOKEN,
            request.GET.get("hub.mode", ""),
            request.GET.get("hub.verify_token", ""),
        )
        if not ok:
            return HttpResponse("Verification failed.", status=403, content_type="text/plain")
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    _, app_secret = credentials(Provider.META)
    body = request.body
    header = request.headers.get("X-Hub-Signature-256", "")
    if not signatures.meta_signature_ok(app_secret, body, header):
        return HttpResponse("Bad signature.", status=403, content_type="text/plain")
    if not _json_object(body):
        return HttpResponse("Expected a JSON object.", status=400, content_type="text/plain")
    receive("meta", body)
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def x(request: HttpRequest) -> HttpResponse:
    secret = settings.X_CONSUMER_SECRET
    if request.method == "GET":
        crc_token = request.GET.get("crc_token", "")
        if not secret or not crc_token:
            return HttpResponse("Missing crc_token.", status=400, content_type="text/plain")
        return JsonResponse({"response_token": signatures.x_crc_response(secret, crc_token)})
    body = request.body
    header = request.headers.get("x-twitter-webhooks-signature", "")
    if not signatures.x_signature_ok(secret, body, header):
        return HttpResponse("Bad signature.", status=403, content_type="text/plain")
    if not _json_object(body):
        return HttpResponse("Expected a JSON object.", status=400, content_type="text/plain")
    receive("x", body)
    return HttpResponse(status=200)
