"""allauth's log-in form in the product's words (its own says "Remember Me").

Apart from accounts/forms.py, which allauth's forms module imports for the sign-up extras:
importing allauth's forms from there would be circular."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:  # absent when ACCOUNT_SESSION_REMEMBER is decided
            self.fields["remember"].label = "Keep me logged in"
