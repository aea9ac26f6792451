"""The sign-up age gate required by the privacy policy (section 11, "Children"):
nobody under 13, and nobody under 16 in the EEA or the UK.

A refusal is remembered for the rest of the browser session, so answering again with another
age does not get through: the gate would otherwise only ask for the right answer. Only the
fact is kept (no address, name or answer), and it goes with the session."""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase
from django.db import models

# EU member states, the three other EEA states (IS, LI, NO) and the United Kingdom.
_EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
EEA_AND_UK = frozenset([*_EU.split(), "IS", "LI", "NO", "GB"])


class AgeBracket(models.TextChoices):
    SIXTEEN_OR_OVER = "16+", "I am 16 or older"
    THIRTEEN_TO_FIFTEEN = "13-15", "I am 13, 14 or 15"
    UNDER_THIRTEEN = "under-13", "I am under 13"


REFUSAL_MESSAGE = (
    "Sorry, Mixora is not available to you. We do not admit anyone under 13, "
    "or under 16 in the EEA and the UK."
)


REANSWER_MESSAGE = (
    "Sorry, Mixora is not available to you: you already told us your age in this browser, and "
    "a different answer doesn't change that. We do not admit anyone under 13, or under 16 in "
    "the EEA and the UK."
)
REFUSED_SESSION_KEY = "mixora.age_gate_refused"


def remember_refusal(session: SessionBase) -> None:
    session[REFUSED_SESSION_KEY] = True


def refused_before(session: SessionBase) -> bool:
    return bool(session.get(REFUSED_SESSION_KEY))


def minimum_age(country: str) -> int:
    return 16 if country.upper() in EEA_AND_UK else 13


def is_old_enough(country: str, bracket: str) -> bool:
    if bracket == AgeBracket.SIXTEEN_OR_OVER:
        return True
    if bracket == AgeBracket.THIRTEEN_TO_FIFTEEN:
        return minimum_age(country) <= 13
    return False
