from __future__ import annotations

from typing import Any

from cookie_consent.cache import all_cookie_groups
from django import forms
from django.http import HttpRequest

from mixora.errors import UserFacingError

from .models import ConsentRecord
from .services import shown_policy_version
from .state import group_states

Method = ConsentRecord.Method


def _optional_groups() -> list[tuple[str, str]]:
    return [(varname, group.name) for varname, group in all_cookie_groups().items()]


class ChoiceForm(forms.Form):
    """One cookie choice, from the banner, the settings page or usage.js (a GPC signal only
    the page script saw)."""

    choice = forms.ChoiceField(
        choices=Method.choices,
        error_messages={"required": "Choose an option.", "invalid_choice": "Choose an option."},
    )
    groups = forms.MultipleChoiceField(
        required=False,
        choices=_optional_groups,
        error_messages={"invalid_choice": "“%(value)s” is not a cookie category."},
    )
    source = forms.ChoiceField(
        choices=[(ConsentRecord.Source.BANNER, ""), (ConsentRecord.Source.SETTINGS, "")],
        required=False,
    )
    gpc = forms.BooleanField(required=False)
    # The cookie-policy version the page showed (the banner and the settings page say it).
    policy_version = forms.CharField(required=False, max_length=32, strip=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("choice")
        if choice and choice != Method.GPC:  # a browser signal is not a reading of the policy
            accepts = choice == Method.ACCEPT_ALL or (
                choice == Method.CUSTOM and bool(data.get("groups"))
            )
            try:
                data["policy_version"] = shown_policy_version(
                    data.get("policy_version", ""), accepts=accepts
                )
            except UserFacingError as exc:
                raise forms.ValidationError(str(exc), code="policy_version") from None
        else:
            data["policy_version"] = None
        return data

    def answers(self, request: HttpRequest) -> dict[str, bool]:
        choice = self.cleaned_data["choice"]
        varnames = [varname for varname, _ in _optional_groups()]
        if choice == Method.ACCEPT_ALL:
            return dict.fromkeys(varnames, True)
        if choice == Method.CUSTOM:
            return {varname: varname in self.cleaned_data["groups"] for varname in varnames}
        if choice == Method.GPC:  # keeps the other answers; GPC itself refuses its groups
            return {varname: state is True for varname, state in group_states(request).items()}
        return dict.fromkeys(varnames, False)

    def record_source(self) -> str:
        if self.cleaned_data["choice"] == Method.GPC:
            return ConsentRecord.Source.BROWSER
        return self.cleaned_data["source"] or ConsentRecord.Source.BANNER
