from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from accounts.models import Workspace
from connections.models import ConnectedAccount
from connections.platforms.registry import network_for
from mixora.errors import UserFacingError

from .composer import PostInput, TargetInput
from .models import Media, Post
from .schedule_rules import require_future
from .timezones import to_local, to_utc


class WallClockField(forms.DateTimeField):
    """A date and time as typed, with no zone attached: the workspace's zone is applied by
    `to_utc`, which knows what to do with times daylight saving skips or repeats."""

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        try:
            parsed = datetime.fromisoformat(str(value).strip())  # what datetime-local sends
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed.replace(tzinfo=None, second=0, microsecond=0)
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class ComposerForm(forms.Form):
    """The composer's shared fields; per-account fields are read by `target_inputs`."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 7}), required=False, max_length=63206, label="Post"
    )
    accounts = forms.ModelMultipleChoiceField(
        queryset=ConnectedAccount.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Publish to",
    )
    media = forms.ModelMultipleChoiceField(
        queryset=Media.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scheduled_local = WallClockField(
        required=False,
        label="When",
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["accounts"].queryset = workspace.connected_accounts.all()
        self.fields["media"].queryset = workspace.media.all()
        self.fields["scheduled_local"].help_text = f"In {workspace.timezone}."

    def clean_scheduled_local(self) -> datetime | None:
        local = self.cleaned_data.get("scheduled_local")
        if local is None or self.data.get("action") in ("queue", "now"):
            return None  # the next free slot or now is the time, not the field
        try:
            # A time that has passed is refused before anything is saved, whatever the action.
            when = to_utc(local.replace(tzinfo=None), self.workspace.timezone)
            require_future(when, tz=self.workspace.timezone)
            self.cleaned_data["scheduled_at"] = when
        except UserFacingError as exc:
            raise forms.ValidationError(str(exc)) from None
        return local

    def post_input(self) -> PostInput:
        data = self.cleaned_data
        media_ids = [int(pk) for pk in self.data.getlist("media") if pk.isdigit()]
        allowed = {m.pk for m in data["media"]}
        return PostInput(
            text=data["text"],
            media_ids=[pk for pk in media_ids if pk in allowed],
            targets=target_inputs(self.data, data["accounts"]),
            scheduled_at=data.get("scheduled_at"),
        )


def own_media_ids(data: Any, account_id: int) -> list[int] | None:
    """The account's own media when "Use different media here" is ticked, else None (the
    shared set). Files outside the library are refused when saving, not dropped."""
    if not data.get(f"own_media_{account_id}"):
        return None
    return [int(pk) for pk in data.getlist(f"media_{account_id}") if pk.isdigit()]


def target_inputs(data: Any, accounts: list[ConnectedAccount]) -> list[TargetInput]:
    targets = []
    for account in accounts:
        key = account.pk
        options = network_for(account).composer_options(data, account)
        targets.append(
            TargetInput(
                account.pk,
                data.get(f"caption_{key}", "").strip()[:63206],
                options,
                own_media_ids(data, key),
            )
        )
    return targets


def initial_for(post: Post) -> dict[str, Any]:
    """The composer's fields for an existing post, times shown in the workspace's zone."""
    local = (
        to_local(post.scheduled_at, post.workspace.timezone).replace(tzinfo=None)
        if post.scheduled_at
        else None
    )
    return {
        "text": post.text,
        "accounts": [t.account_id for t in post.targets.all()],
        "media": list(post.attachments.filter(account=None).values_list("media_id", flat=True)),
        "scheduled_local": local,
    }


class DecisionForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Comment"
    )
