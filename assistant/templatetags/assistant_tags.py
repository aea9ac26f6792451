"""The AI drafts in templates: whether they are configured, the claims a composer re-sends,
and which text of a post came from AI (the review page)."""

from __future__ import annotations

from typing import Any

from django import template

from ..client import NOT_CONFIGURED, configured
from ..provenance import claims, sources

register = template.Library()


def post_subject(post: Any) -> str:
    return f"publishing.post:{post.pk}" if post is not None and post.pk else ""


@register.simple_tag
def ai_status() -> dict[str, Any]:
    return {"configured": configured(), "not_configured": NOT_CONFIGURED}


@register.inclusion_tag("assistant/claims.html", takes_context=True)
def ai_claims(context: template.Context, post: Any) -> dict[str, Any]:
    """The claims to send with the form: as posted when the form comes back, else the drafts
    saved with the post."""
    request = context["request"]
    if request.method == "POST":
        rows = [
            {
                "value": value,
                "field": value.split(":")[1],
                "status": "accepted" if value.endswith(":accepted") else "draft",
            }
            for value in request.POST.getlist("ai_generation")
            if value.count(":") in (1, 2)
        ]
    elif subject := post_subject(post):
        rows = [
            {
                "value": f"{g.pk}:{g.used_in}" + (":accepted" if g.status == "accepted" else ""),
                "field": g.used_in,
                "status": g.status,
            }
            for g in claims(request.workspace, subject)
        ]
    else:
        rows = []
    return {"rows": rows}


@register.inclusion_tag("assistant/sources.html", takes_context=True)
def ai_sources(context: template.Context, post: Any) -> dict[str, Any]:
    request = context["request"]
    return {"sources": sources(request.workspace, post_subject(post))}
