from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import ContactForm
from .services import open_ticket


def contact(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.full_name, "email": request.user.email}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            ticket = open_ticket(form.cleaned_data, request.user)
            return render(request, "support/thanks.html", {"ticket": ticket})
        return render(request, "support/contact.html", {"form": form}, status=400)
    return render(request, "support/contact.html", {"form": form})
