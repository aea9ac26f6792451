from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django_countries import countries

from legal.marketing import record_signup_choice

from . import age_gate
from .age_gate import REFUSAL_MESSAGE, AgeBracket, is_old_enough
from .models import User
from .roles import Role, assignable_roles

TIMEZONE_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def timezone_choices() -> list[tuple[str, Any]]:
    """Real places grouped by region ("London" under Europe, "Argentina – Buenos Aires" under
    America) and UTC; not the database's aliases and oddities (`Factory`, `localtime`,
    `US/Eastern`, `Etc/GMT+3`)."""
    by_region: dict[str, list[tuple[str, str]]] = {region: [] for region in TIMEZONE_REGIONS}
    for name in sorted(zoneinfo.available_timezones()):
        region, _, place = name.partition("/")
        if region in by_region and place:
            by_region[region].append((name, place.replace("_", " ").replace("/", " – ")))
    return [("UTC", "UTC"), *by_region.items()]


TIMEZONE_CHOICES = timezone_choices()
LISTED_TIMEZONES = {"UTC"} | {name for _, places in TIMEZONE_CHOICES[1:] for name, _ in places}


class SignupExtrasForm(forms.Form):
    """Fields allauth's sign-up form adds: name, country and the age attestation.

    Validation runs before allauth creates anything, so a refused attempt stores nothing."""

    full_name = forms.CharField(max_length=150, label="Full name")
    country = forms.ChoiceField(choices=[("", "Choose your country"), *countries])
    age = forms.ChoiceField(
        label="Your age",
        choices=AgeBracket.choices,
        widget=forms.RadioSelect,
        help_text="We ask so we can keep Mixora to the ages our privacy policy allows.",
    )
    marketing_opt_in = forms.BooleanField(
        required=False,  # unticked: marketing email only with an opt-in
        label="Send me occasional product news and tips (unsubscribe at any time)",
    )

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        # The sign-up view passes the request so that a refusal outlives the attempt.
        self.request = request
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        session = self.request.session if self.request is not None else None
        if session is not None and age_gate.refused_before(session):
            raise forms.ValidationError(age_gate.REANSWER_MESSAGE, code="too_young")
        if (
            data.get("country")
            and data.get("age")
            and not is_old_enough(data["country"], data["age"])
        ):
            if session is not None:
                age_gate.remember_refusal(session)
            raise forms.ValidationError(REFUSAL_MESSAGE, code="too_young")
        return data

    def signup(self, request: Any, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"]
        user.country = self.cleaned_data["country"]
        user.save(update_fields=["full_name", "country"])
        # A "no" is recorded too: proof of what the person was offered.
        record_signup_choice(user, self.cleaned_data["marketing_opt_in"])


AVATAR_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}


class AvatarInput(forms.ClearableFileInput):
    template_name = "widgets/avatar_input.html"


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "avatar", "company", "job_title"]
        widgets = {
            "avatar": AvatarInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"})
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True

    def clean_avatar(self) -> Any:
        avatar = self.cleaned_data.get("avatar")
        if not isinstance(avatar, UploadedFile):
            return avatar  # unchanged or cleared
        if avatar.size > settings.AVATAR_MAX_BYTES:
            limit = filesizeformat(settings.AVATAR_MAX_BYTES)
            raise forms.ValidationError(f"That image is too large: the limit is {limit}.")
        # ImageField has already opened the file with Pillow, so it is a real image.
        image = getattr(avatar, "image", None)
        if image is None or image.format not in AVATAR_FORMATS:
            raise forms.ValidationError("Upload a PNG, JPEG, WebP or GIF image.")
        limit = settings.AVATAR_MAX_PIXELS
        if image.width > limit or image.height > limit:
            raise forms.ValidationError(f"That image is too big: at most {limit}×{limit} pixels.")
        # Name the file by its real format, never by what the upload claimed to be.
        avatar.name = f"avatar.{AVATAR_FORMATS[image.format]}"
        return avatar

    def save(self, commit: bool = True) -> User:
        previous = User.objects.filter(pk=self.instance.pk).values_list("avatar", flat=True).first()
        user = super().save(commit=commit)
        if commit and previous and previous != user.avatar.name:
            # A replaced or cleared avatar leaves nothing behind in storage.
            user.avatar.storage.delete(previous)
        return user


class WorkspaceForm(forms.Form):
    # A plain form, not a ModelForm: validation must not touch the live workspace object
    # (it is in the page header), and the service decides what changed.
    name = forms.CharField(
        max_length=80, label="Workspace name", help_text="Usually your company or brand."
    )
    timezone = forms.ChoiceField(
        choices=TIMEZONE_CHOICES,
        help_text="Posts are scheduled and shown in this time zone.",
    )

    def __init__(self, *args: Any, detect_timezone: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if detect_timezone:
            self.fields["timezone"].widget.attrs["data-detect-timezone"] = ""
        current = self.initial.get("timezone")
        if current and current not in LISTED_TIMEZONES:  # chosen before the list was regional
            self.fields["timezone"].choices = [*TIMEZONE_CHOICES, ("Current", [(current, current)])]


class WorkspaceSettingsForm(WorkspaceForm):
    approval_required = forms.BooleanField(
        required=False,
        label="Posts need approval",
        help_text="Editors submit posts for review; an approver must approve them before "
        "they are scheduled.",
    )
    admins_skip_review = forms.BooleanField(
        required=False,
        label="Owners and admins may schedule without review",
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)

    def __init__(self, *args: Any, actor_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor_role)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args: Any, actor_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor_role)


def role_choices(actor_role: str) -> list[tuple[str, str]]:
    return [(r, Role(r).label) for r in assignable_roles(actor_role)]
