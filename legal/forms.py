from __future__ import annotations

from django import forms


class EmailPreferencesForm(forms.Form):
    opted_in = forms.BooleanField(
        required=False,
        label="Product news and tips",
        help_text="A few emails a year about new features. Never shared or sold.",
    )


class AITrainingForm(forms.Form):
    opted_in = forms.TypedChoiceField(
        label="Use of this workspace's content for AI training",
        choices=[
            ("no", "Don't use our content to train AI models"),
            ("yes", "Allow Mixora to use our content to train AI models"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to allow AI training."},
    )
