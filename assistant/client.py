"""The one OpenAI client, and its failures in words for the person who asked.

The SDK's own retries are off: a 429 would make it sleep for the whole `retry-after` while the
person waits, so `drafts.py` retries 5xx and connection failures itself (only before any output
arrived) and answers a rate limit at once with when to try again."""

from __future__ import annotations

import functools

import openai
from django.conf import settings

from mixora.errors import UserFacingError

NOT_CONFIGURED = (
    "AI drafts are not configured: set OPENAI_API_KEY (and OPENAI_MODEL if you want another "
    "model) in the server's environment."
)


class NotConfigured(UserFacingError):
    def __init__(self) -> None:
        super().__init__(NOT_CONFIGURED)


class ProviderFailed(UserFacingError):
    """The provider did not produce a draft; `retryable` when trying again soon may work."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


def configured() -> bool:
    return bool(settings.OPENAI_API_KEY)


def client() -> openai.OpenAI:
    if not configured():
        raise NotConfigured
    return _client(settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL, settings.OPENAI_TIMEOUT)


@functools.lru_cache(maxsize=4)
def _client(api_key: str, base_url: str, timeout: float) -> openai.OpenAI:
    """One client (and connection pool) per configuration, shared by every request."""
    return openai.OpenAI(
        api_key=api_key,
        base_url=base_url or None,  # None: the SDK's api.openai.com
        timeout=timeout,
        max_retries=0,
    )


def _retry_after(error: openai.APIStatusError) -> int | None:
    value = error.response.headers.get("retry-after", "")
    try:
        return max(1, round(float(value)))
    except ValueError:
        return None


def failure(error: openai.OpenAIError) -> ProviderFailed:
    """What went wrong, for the person; the provider's text only where it is about them."""
    if isinstance(error, openai.APITimeoutError):
        return ProviderFailed(
            f"The AI provider did not answer within {settings.OPENAI_TIMEOUT} seconds. "
            "Try again in a moment."
        )
    if isinstance(error, openai.APIConnectionError):
        return ProviderFailed(
            "Could not reach the AI provider. Try again in a moment.", retryable=True
        )
    if isinstance(error, openai.AuthenticationError):
        return ProviderFailed(
            "The AI provider refused Mixora's API key: an administrator must set a valid "
            "OPENAI_API_KEY."
        )
    if isinstance(error, openai.RateLimitError):
        wait = _retry_after(error)
        when = f"in {wait} s" if wait else "in a minute"
        return ProviderFailed(f"The AI provider is busy (rate limit): try again {when}.")
    if isinstance(error, openai.InternalServerError):
        return ProviderFailed(
            "The AI provider had an error. Try again in a moment.", retryable=True
        )
    if isinstance(error, openai.APIStatusError):
        return ProviderFailed(f"The AI provider refused the request ({error.status_code}).")
    return ProviderFailed("The AI provider's answer could not be read. Try again.")
