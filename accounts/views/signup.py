from __future__ import annotations

from typing import Any

from allauth.account.views import SignupView as AllauthSignupView

from .. import age_gate


class SignupView(AllauthSignupView):
    """allauth's sign-up, with the request handed to the form so the age gate can remember a
    refusal for the rest of the browser session."""

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["age_refused"] = age_gate.refused_before(self.request.session)
        context["age_refusal_message"] = age_gate.REANSWER_MESSAGE
        return context


signup = SignupView.as_view()
