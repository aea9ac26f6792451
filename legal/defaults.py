"""The legal documents a new database starts with, shared by the data migrations and by tests
that flush the database.

- Version 1 of the privacy policy is the company's own policy (company_policy.py), with the
  dates printed in it.
- The cookie policy, the notice at collection and the subprocessors page are Mixora's texts
  under texts/, dated when their text last changed (not when the database was made).
- Version 2 of the privacy policy is proposed as a material draft: the company's text plus
  what the product does that version 1 does not say. It reaches people only when an operator
  publishes it in the admin, which shows everyone the change notice.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from . import company_policy

TEXTS = Path(__file__).resolve().parent / "texts"

# kind: (title, file under texts/, the day that text last changed); the privacy policy's
# text and dates come from the company's file.
DEFAULT_DOCUMENTS: dict[str, tuple[str, str, date | None]] = {
    "privacy-policy": ("Privacy policy", company_policy.SOURCE.name, None),
    "cookie-policy": ("Cookie policy", "cookie-policy.txt", date(2026, 11, 28)),
    "notice-at-collection": (
        "California notice at collection",
        "notice-at-collection.txt",
        date(2026, 12, 6),
    ),
    "subprocessors": ("Subprocessors", "subprocessors.txt", date(2026, 12, 6)),
}

PROPOSED_PRIVACY_POLICY = "privacy-policy-v2.txt"
PROPOSED_SUMMARY = (
    "We now say exactly what Mixora does beyond the first version: we keep the country you "
    "give at sign-up; we keep proof of your cookie choices for 24 months; usage analytics "
    "(only with your consent) are tied to your account when you are signed in; every "
    "retention period is listed; LinkedIn pages can be connected; and the pictures and files "
    "people send to your inbox are copied into our storage."
)
# Material changes are announced before they apply: the proposal takes effect 30 days after
# it was drafted unless the operator sets another date before publishing.
PROPOSAL_NOTICE_DAYS = 30


def default_body(kind: str, support_email: str) -> str:
    if kind == "privacy-policy":
        return company_policy.read().body
    text = (TEXTS / DEFAULT_DOCUMENTS[kind][1]).read_text(encoding="utf-8")
    return text.replace("{{support_email}}", support_email)


def proposed_privacy_policy() -> str:
    return (TEXTS / PROPOSED_PRIVACY_POLICY).read_text(encoding="utf-8")


def install_defaults(apps: Any, today: date, published_at: Any, support_email: str) -> None:
    """Publish version 1 of each kind that has no version yet, then propose version 2 of the
    privacy policy."""
    model = apps.get_model("legal", "DocumentVersion")
    for kind, (title, _, written) in DEFAULT_DOCUMENTS.items():
        if model.objects.filter(kind=kind).exists():
            continue
        if kind == "privacy-policy":
            policy = company_policy.read()
            effective, updated = policy.effective_date, policy.last_updated
        else:
            effective = updated = min(written, today)
        model.objects.create(
            kind=kind,
            version=1,
            title=title,
            summary="First version.",
            body=default_body(kind, support_email),
            effective_date=effective,
            last_updated=updated,
            material=False,
            published_at=published_at,
        )
    propose_privacy_policy_v2(apps, today)


def propose_privacy_policy_v2(apps: Any, today: date) -> None:
    """The material draft, once: nothing happens when it (or anything newer than version 1)
    already exists, drafted or published."""
    model = apps.get_model("legal", "DocumentVersion")
    body = proposed_privacy_policy()
    versions = model.objects.filter(kind="privacy-policy")
    if versions.filter(body=body).exists() or versions.filter(version__gt=1).exists():
        return
    if versions.filter(published_at__isnull=True).exists():
        return  # someone is already drafting the next version
    model.objects.create(
        kind="privacy-policy",
        title="Privacy policy",
        summary=PROPOSED_SUMMARY,
        body=body,
        effective_date=today + timedelta(days=PROPOSAL_NOTICE_DAYS),
        last_updated=today,
        material=True,
    )


def replace_placeholder_versions(apps: Any, today: date, support_email: str) -> None:
    """A database made before the texts had no placeholders: each kind whose newest published
    version still has one ("[hosting provider's name]") gets a draft of today's text for an
    operator to publish, unless a draft of that kind is already under way."""
    from .placeholders import find

    model = apps.get_model("legal", "DocumentVersion")
    for kind, (title, _, _) in DEFAULT_DOCUMENTS.items():
        latest = (
            model.objects.filter(kind=kind, published_at__isnull=False).order_by("-version").first()
        )
        if latest is None or not find(latest.body):
            continue
        if model.objects.filter(kind=kind, published_at__isnull=True).exists():
            continue
        model.objects.create(
            kind=kind,
            title=title,
            summary="Replaces placeholder text with the real details.",
            body=default_body(kind, support_email),
            effective_date=today,
            last_updated=today,
            material=False,
        )
