from __future__ import annotations

from django import forms

from mixora.errors import UserFacingError

from . import saved_replies
from .models import Conversation, SavedReply


class ReplyForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    typed_by_person = forms.BooleanField(required=False)


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Conversation.Status.choices)
    snoozed_until = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class SavedReplyForm(forms.ModelForm):
    class Meta:
        model = SavedReply
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        try:
            saved_replies.check(text)
        except UserFacingError as exc:
            raise forms.ValidationError(str(exc)) from None
        return text


class RetentionForm(forms.Form):
    inbox_retention_days = forms.TypedChoiceField(
        label="Keep inbox messages",
        choices=[("", "Until deleted"), (365, "365 days"), (90, "90 days"), (30, "30 days")],
        coerce=int,
        empty_value=None,
        required=False,
    )
