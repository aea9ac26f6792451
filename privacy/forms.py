from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone

from accounts.age_gate import EEA_AND_UK

from .models import PrivacyRequest
from .requests import CORRECTION_DETAILS, FUTURE_RECEIVED_ON

if TYPE_CHECKING:
    from accounts.models import User

Type = PrivacyRequest.Type
Jurisdiction = PrivacyRequest.Jurisdiction

TYPE_HELP = {
    Type.ACCESS: "A copy of the personal data Mixora holds about you, and how we use it.",
    Type.PORTABILITY: "Your data in a machine-readable file you can move to another service.",
    Type.CORRECTION: "Fix something we hold about you that is wrong or incomplete.",
    Type.DELETION: "Erase your personal data, and your account if you have one.",
    Type.RESTRICTION: "Ask us to pause or stop a particular use of your data.",
    Type.LIMIT_SENSITIVE: "Keep sensitive data, such as your log-in details, to what the "
    "service needs.",
    Type.OPT_OUT_SALE: "Mixora does not sell or share personal information. We record your "
    "request and confirm at once.",
    Type.MARKETING_OPT_OUT: "No more product news or offers by email. Account and security "
    "emails continue.",
}

JURISDICTION_HELP = (
    "This sets the legal deadline for our answer: one month in the EEA/EU and the UK (GDPR), "
    "45 days in California (CPRA), 30 days anywhere else. We answer every request, wherever "
    "you live."
)


class _CorrectionNeedsDetails(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        correction = cleaned.get("request_type") == Type.CORRECTION
        if correction and not cleaned.get("details", "").strip():
            self.add_error("details", CORRECTION_DETAILS)
        return cleaned


class PrivacyRequestForm(_CorrectionNeedsDetails):
    request_type = forms.ChoiceField(
        label="What would you like us to do?",
        choices=Type.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you would like us to do."},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We confirm the request and answer you at this address.",
    )
    name = forms.CharField(label="Your name", max_length=150, required=False)
    jurisdiction = forms.ChoiceField(
        label="Where do you live?",
        choices=[("", "Choose…"), *Jurisdiction.choices],
        help_text=JURISDICTION_HELP,
        error_messages={"required": "Choose where you live."},
    )
    details = forms.CharField(
        label="Details",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Anything that helps us find your data or understand the request. For a "
        "correction, say what is wrong and what it should say.",
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is None:
            return
        # Tied to the account: its address, whatever the browser posts.
        email = self.fields["email"]
        email.initial = user.email
        email.disabled = True
        email.help_text = "Your account's address: requests filed while logged in are tied to it."
        self.fields["name"].initial = user.full_name
        country = user.country.upper()
        if country == "GB":
            self.fields["jurisdiction"].initial = Jurisdiction.UK
        elif country in EEA_AND_UK:
            self.fields["jurisdiction"].initial = Jurisdiction.EEA

    def type_choices(self) -> list[tuple[Any, str]]:
        """Each radio with its one-line explanation, for the template."""
        return [(radio, TYPE_HELP[radio.data["value"]]) for radio in self["request_type"]]


class EmailedRequestForm(_CorrectionNeedsDetails):
    """Support enters a request that arrived by email (privacy.requests.enter_emailed_request)."""

    email = forms.EmailField(
        label="Requester's email address",
        help_text="The address the request came from. If a Mixora account uses it, the "
        "confirmation link goes to the account's address and nothing is done for the account "
        "until its holder confirms.",
        error_messages={
            "required": "Enter the address the request came from.",
            "invalid": "Enter a valid email address, like name@example.com.",
        },
    )
    name = forms.CharField(label="Requester's name", max_length=150, required=False)
    request_type = forms.ChoiceField(
        label="What they ask for",
        choices=[("", "Choose…"), *Type.choices],
        error_messages={"required": "Choose what the requester asks for."},
    )
    jurisdiction = forms.ChoiceField(
        label="Where they live",
        choices=[("", "Choose…"), *Jurisdiction.choices],
        help_text="Sets the legal deadline. If the email doesn't say, choose Somewhere else.",
        error_messages={"required": "Choose where the requester lives."},
    )
    received_on = forms.DateField(
        label="Received on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The day the email arrived: the due date counts from it.",
        error_messages={
            "required": "Enter the day the email arrived.",
            "invalid": "Enter the day the email arrived as a date, like 2026-03-01.",
        },
    )
    details = forms.CharField(
        label="Details",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 70}),
        help_text="What the email asks, in their words. For a correction, what is wrong and "
        "what it should say.",
    )

    def clean_received_on(self) -> Any:
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(FUTURE_RECEIVED_ON)
        return received_on
