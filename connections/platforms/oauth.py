"""requests-oauthlib for the providers whose token endpoints follow RFC 6749 (X, Google),
with its failures mapped onto our error classes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests
from django.utils import timezone
from oauthlib.oauth2.rfc6749 import errors as oauth_errors
from requests_oauthlib import OAuth2Session

from ..errors import AuthExpired, Permanent, RateLimited, Retryable

T = TypeVar("T")


def session(client_id: str, **kwargs: Any) -> OAuth2Session:
    oauth = OAuth2Session(client_id, **kwargs)
    oauth.register_compliance_hook("access_token_response", _refuse_throttling_and_outages)
    oauth.register_compliance_hook("refresh_token_response", _refuse_throttling_and_outages)
    return oauth


def _refuse_throttling_and_outages(response: requests.Response) -> requests.Response:
    # oauthlib only understands RFC 6749 error bodies; a 429 or a 5xx needs its own class.
    if response.status_code == 429:
        reset = response.headers.get("x-rate-limit-reset", "")
        retry_at = (
            datetime.fromtimestamp(int(reset), tz=UTC)
            if reset.isdigit()
            else timezone.now() + timedelta(minutes=15)
        )
        raise RateLimited("The platform is throttling sign-ins.", retry_at=retry_at, status=429)
    if response.status_code >= 500:
        raise Retryable(
            f"The platform had a server error ({response.status_code}).",
            status=response.status_code,
        )
    return response


def call[T](platform: str, label: str, fn: Callable[[], T]) -> T:
    """Run one OAuth call, translating requests' and oauthlib's failures."""
    try:
        return fn()
    except requests.Timeout:
        raise Retryable(f"{label} did not answer in time.", platform=platform) from None
    except requests.RequestException:
        raise Retryable(f"Could not reach {label}.", platform=platform) from None
    except oauth_errors.InvalidGrantError:
        raise AuthExpired(
            f"{label} no longer accepts this authorisation: reconnect the account.",
            platform=platform,
        ) from None
    except oauth_errors.InvalidClientError:
        raise Permanent(
            f"{label} rejected Mixora's app credentials (check the client id and secret).",
            platform=platform,
        ) from None
    except oauth_errors.OAuth2Error as exc:
        raise Permanent(
            f"{label} refused the sign-in: {exc.description or exc.error}.", platform=platform
        ) from None
    except (RateLimited, Retryable) as exc:
        exc.platform = platform
        raise
