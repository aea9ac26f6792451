"""Security events from Django and allauth, written to the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from audit.trail import record

from .models import AuditAction


@receiver(auth_signals.user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(AuditAction.LOGIN_SUCCEEDED, request=request, actor=user)


@receiver(auth_signals.user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(AuditAction.LOGGED_OUT, request=request, actor=user)


@receiver(auth_signals.user_login_failed)
def _login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # Django masks the password in `credentials`; only the attempted identifier is kept.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    subject = (
        get_user_model().objects.filter(email__iexact=attempted).first() if attempted else None
    )
    record(
        AuditAction.LOGIN_FAILED,
        request=request,
        subject_user=subject,
        attempted_email=attempted,
    )


def _user_event(action: AuditAction) -> Callable[..., None]:
    def receiver_(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        details = {}
        if "authenticator" in kwargs:
            details["method"] = kwargs["authenticator"].type
        record(action, request=request, actor=user, **details)

    return receiver_


_RECEIVERS = {
    account_signals.password_changed: _user_event(AuditAction.PASSWORD_CHANGED),
    account_signals.password_set: _user_event(AuditAction.PASSWORD_CHANGED),
    account_signals.password_reset: _user_event(AuditAction.PASSWORD_RESET),
    account_signals.email_changed: _user_event(AuditAction.EMAIL_CHANGED),
    mfa_signals.authenticator_added: _user_event(AuditAction.MFA_ADDED),
    mfa_signals.authenticator_removed: _user_event(AuditAction.MFA_REMOVED),
    mfa_signals.authenticator_reset: _user_event(AuditAction.MFA_RECOVERY_RESET),
}
for _signal, _receiver in _RECEIVERS.items():
    _signal.connect(_receiver, weak=False, dispatch_uid=f"audit-{id(_signal)}")
