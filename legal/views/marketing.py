"""Email preferences (logged in) and the unsubscribe link (no log-in: the signed token in
the URL is the only credential, as RFC 8058 requires)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import marketing
from ..forms import EmailPreferencesForm
from ..models import ConsentSource, MarketingConsentEvent


@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    # An unticked box sends nothing, so an empty POST is still a submission.
    data = request.POST if request.method == "POST" else None
    form = EmailPreferencesForm(data, initial={"opted_in": marketing.is_opted_in(request.user)})
    if request.method == "POST" and form.is_valid():
        opted_in = form.cleaned_data["opted_in"]
        changed = marketing.set_preference(
            request.user, opted_in, ConsentSource.PREFERENCES, actor=request.user
        )
        if not changed:
            messages.info(request, "Nothing changed.")
        elif opted_in:
            messages.success(request, "You'll get product news. Unsubscribe any time.")
        else:
            messages.success(request, "Done: no more product news.")
        return redirect("email_preferences")
    events = MarketingConsentEvent.objects.filter(user=request.user)[:10]
    return render(request, "legal/email_preferences.html", {"form": form, "events": events})


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_exempt  # mail clients POST with no cookies and no token; the signed URL is the proof
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = marketing.user_for_token(token)
    if user is None:
        return render(request, "legal/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        source = ConsentSource.ONE_CLICK if one_click else ConsentSource.UNSUBSCRIBE_PAGE
        marketing.set_preference(user, False, source)
        # RFC 8058: answer the POST itself, never with a redirect.
        return render(request, "legal/unsubscribe_done.html", {"email": user.email})
    # A GET only asks: link scanners fetch every URL in a message.
    context = {"email": user.email, "token": token, "opted_in": marketing.is_opted_in(user)}
    return render(request, "legal/unsubscribe.html", context)
