from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mixora.client_ip import client_ip
from mixora.ratelimit import allow

from .forms import ContactForm
from .services import open_ticket

# Enough for a person with follow-ups; too few for a spam run.
TICKETS_PER_HOUR_PER_IP = 5


def contact(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.full_name, "email": request.user.email}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return render(request, "support/contact.html", {"form": form})
    if not form.is_valid():
        return render(request, "support/contact.html", {"form": form}, status=400)
    if not allow(
        "support-contact",
        client_ip(request) or "unknown",
        limit=TICKETS_PER_HOUR_PER_IP,
        window_seconds=3600,
    ):
        form.add_error(
            None,
            "You have sent several messages in the last hour. Please wait a little, or "
            f"email {settings.SUPPORT_EMAIL}.",
        )
        return render(request, "support/contact.html", {"form": form}, status=429)
    ticket = open_ticket(form.cleaned_data, request.user)
    return render(request, "support/thanks.html", {"ticket": ticket})
