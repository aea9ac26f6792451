"""Saved replies: the team's starting points for an answer, with variables filled in for the
conversation and the person replying when they are inserted into the reply box (never sent
by themselves)."""

from __future__ import annotations

import re

from accounts.models import User
from mixora.errors import UserFacingError

from .models import Conversation

# The fallback when the network gives no name: "Hi {first_name}" reads "Hi there".
UNKNOWN_FIRST_NAME = "there"

# Shown where saved replies are edited: (variable, what it becomes).
VARIABLES = (
    (
        "first_name",
        "the customer's first name as the network gives it (the first word of their name); "
        f"“{UNKNOWN_FIRST_NAME}” when the network gives no name",
    ),
    ("agent_name", "your name as your teammates see it in Mixora"),
)
_NAMES = frozenset(name for name, _ in VARIABLES)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Names some networks give instead of a person's (LinkedIn shares no names).
_NOT_A_NAME = re.compile(r"^(linkedin (member|page)|customer|unknown)$", re.IGNORECASE)


def check(text: str) -> None:
    """Refuse variables we do not know, before the saved reply is stored."""
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in _NAMES})
    if unknown:
        listed = ", ".join(f"{{{name}}}" for name in unknown)
        known = " or ".join(f"{{{name}}}" for name, _ in VARIABLES)
        raise UserFacingError(f"Unknown variable {listed}: use {known}.")


def first_name(conversation: Conversation) -> str:
    name = " ".join(conversation.participant_name.split())
    if not name or _NOT_A_NAME.match(name) or name == conversation.participant_id:
        return UNKNOWN_FIRST_NAME
    return name.split(" ")[0]


def fill(text: str, conversation: Conversation, agent: User) -> str:
    """The saved reply's text for this conversation and this teammate."""
    values = {"first_name": first_name(conversation), "agent_name": agent.display_name}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
