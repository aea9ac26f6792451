from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from audit.models import AuditEvent

from ..forms import ProfileForm
from ..models import User


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    # Edit a fresh copy: an invalid upload must not change the user shown in the header.
    user = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Profile saved.")
            return redirect("profile")
        status = 400
    else:
        status = 200
    recent = AuditEvent.objects.filter(actor=request.user).order_by("-created_at")[:10]
    return render(
        request, "accounts/profile.html", {"form": form, "recent_events": recent}, status=status
    )
