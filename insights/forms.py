"""The analytics filters: a period (last 7/30/90 days or from–to), a network, an account."""

from __future__ import annotations

from datetime import date

from django import forms

from connections.models import ConnectedAccount

from .queries import MAX_PERIOD_DAYS, PERIOD_CHOICES, SORTS, Period

DEFAULT_DAYS = 30
CUSTOM = "custom"


class AnalyticsFilter(forms.Form):
    period = forms.ChoiceField(
        choices=[(str(days), f"Last {days} days") for days in PERIOD_CHOICES]
        + [(CUSTOM, "Custom")],
        required=False,
    )
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    network = forms.ChoiceField(required=False)
    account = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(
        choices=[("engagements", "Engagements"), ("rate", "Engagement rate")], required=False
    )

    def __init__(
        self, data: object, *, accounts: list[ConnectedAccount], today: date, **kwargs: object
    ) -> None:
        super().__init__(data, **kwargs)
        self.accounts = accounts
        self.today = today
        platforms = {a.platform: a.get_platform_display() for a in accounts}
        self.fields["network"].choices = [("", "All networks"), *sorted(platforms.items())]
        self.fields["account"].choices = [("", "All accounts")] + [
            (a.pk, f"{a.get_platform_display()} · {a.display_name}") for a in accounts
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("period") == CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("Choose both dates of a custom period.")
            if start > end:
                raise forms.ValidationError("The period must start before it ends.")
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(f"A period is at most {MAX_PERIOD_DAYS} days.")
        return data

    def choice(self, name: str, default: object = None) -> object:
        """A valid filter's value; the default when the filters were refused."""
        if self.is_valid():
            return self.cleaned_data.get(name) or default
        return default

    @property
    def period_value(self) -> Period:
        if self.choice("period") == CUSTOM:
            return Period(self.cleaned_data["start"], self.cleaned_data["end"])
        return Period.last(int(self.choice("period", DEFAULT_DAYS)), self.today)

    @property
    def sort_value(self) -> str:
        sort = self.choice("sort", "engagements")
        return sort if sort in SORTS else "engagements"

    @property
    def selected_accounts(self) -> list[ConnectedAccount]:
        """The workspace's accounts the network and account filters keep."""
        network, account = self.choice("network"), self.choice("account")
        return [
            a
            for a in self.accounts
            if (not network or a.platform == network) and (not account or a.pk == account)
        ]
