from django import forms

from .models import SupportTicket


class ContactForm(forms.ModelForm):
    class Meta:
        model = SupportTicket
        fields = ["name", "email", "topic", "subject", "message"]
        labels = {"name": "Your name", "email": "Email address", "message": "How can we help?"}
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}
