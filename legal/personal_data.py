"""Marketing preferences, policy acknowledgements and notices, AI-training choices: exported
for the person; their own records go with their account."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from accounts.models import User
from mixora.personal_data import generic_section, handles, keeps, not_exported, person_deleted

from .models import (
    MarketingConsentEvent,
    MarketingPreference,
    PolicyAcknowledgement,
    PolicyAnnouncement,
)

generic_section(
    160,
    "marketing_preferences.json",
    "legal.MarketingPreference",
    "Whether you agreed to receive marketing emails from us, and when you changed it.",
)
generic_section(
    170,
    "marketing_history.json",
    "legal.MarketingConsentEvent",
    "Every time you agreed to or stopped marketing emails, and how (a form, an "
    "unsubscribe link...).",
)
generic_section(
    180,
    "policy_acknowledgements.json",
    "legal.PolicyAcknowledgement",
    "The versions of our privacy policy and terms you acknowledged, and when.",
)
generic_section(
    190,
    "policy_notices.json",
    "legal.PolicyAnnouncement",
    "The emails we sent you about changes to our policies.",
)
generic_section(
    200,
    "ai_training_choices.json",
    "legal.AITrainingChoice",
    "Choices you made for a workspace about letting its content train AI models.",
)
not_exported(
    "legal.DocumentVersion", "policy texts staff wrote and published: not about the person"
)

for label in (
    "legal.MarketingPreference",
    "legal.MarketingConsentEvent",
    "legal.PolicyAcknowledgement",
    "legal.PolicyAnnouncement",
):
    handles(label, ("user",), "deleted at once")
keeps(
    "legal.MarketingConsentEvent",
    ("actor",),
    reason="who changed someone else's preference (support staff)",
    period="as long as that person's record",
)
keeps(
    "legal.AITrainingChoice",
    ("changed_by",),
    reason="a workspace's setting; who changed it shows as 'Deleted user'",
    period="until the workspace is deleted",
)
keeps(
    "legal.DocumentVersion",
    ("published_by", "created_by", "body", "tables"),
    reason="which staff member wrote and published a policy version (the policy's history)",
    period="as long as the policy history (kept for as long as Mixora runs)",
)


@receiver(person_deleted, dispatch_uid="legal.person_deleted")
def delete_legal_records(sender: Any, user: User, **kwargs: Any) -> None:
    for model in (
        MarketingPreference,
        MarketingConsentEvent,
        PolicyAcknowledgement,
        PolicyAnnouncement,
    ):
        model.objects.filter(user=user).delete()
