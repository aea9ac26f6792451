"""What every platform module shares: result types, PKCE, and one HTTP wrapper that puts a
timeout on every call and turns every failure into one of the classes in errors.py."""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, Protocol

import requests
import requests.adapters
from django.conf import settings
from django.utils import timezone

from ..errors import Permanent, PlatformError, Retryable

if TYPE_CHECKING:
    from ..models import ConnectedAccount
    from ..throttle import Budget

log = logging.getLogger("connections.http")
# Kept-alive connections per host: at least a publish worker's thread count (its --concurrency).
HTTP_POOL_SIZE = 64


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str = ""
    expires_in: int | None = None
    refresh_expires_in: int | None = None
    scopes: tuple[str, ...] = ()
    # Meta only: the long-lived user token and its owner, kept for revocation.
    provider_user_token: str = ""
    provider_user_id: str = ""

    def expires_at(self) -> datetime | None:
        return timezone.now() + timedelta(seconds=self.expires_in) if self.expires_in else None

    def refresh_expires_at(self) -> datetime | None:
        if not self.refresh_expires_in:
            return None
        return timezone.now() + timedelta(seconds=self.refresh_expires_in)


@dataclass(frozen=True)
class Profile:
    platform: str
    external_id: str
    display_name: str
    handle: str = ""
    avatar_url: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Grant:
    """What one completed consent gives: the accounts it reaches and their tokens."""

    tokens: TokenSet
    profiles: tuple[Profile, ...]
    # Per-account tokens where the platform issues them (Meta Page tokens), by external id.
    account_tokens: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MediaItem:
    kind: str  # "image" | "video"
    content_type: str
    size: int
    url: str  # fetchable by the platform until publishing is over
    open: Callable[[], IO[bytes]]  # the bytes, for platforms that take an upload
    duration: float | None = None  # seconds, for videos whose length we read


@dataclass(frozen=True)
class PublishRequest:
    text: str
    media: tuple[MediaItem, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    # Platform ids already recorded for other posts of the account: never a reconcile match.
    known_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Published:
    post_id: str
    permalink: str = ""


class Checkpoint(Protocol):
    """Progress of one publish attempt, persisted at each step the platform confirms."""

    data: dict[str, Any]

    def save(self, **values: Any) -> None: ...


class PublishesThroughModule:
    """Connectors keep their publishing code in a module of its own (`<network>/publish.py`) with
    `publish(connector, account, request, checkpoint)` and `find_published(…, since)`."""

    publishing: ModuleType

    def publish(
        self, account: ConnectedAccount, request: PublishRequest, checkpoint: Checkpoint
    ) -> Published:
        return self.publishing.publish(self, account, request, checkpoint)

    def find_published(
        self,
        account: ConnectedAccount,
        request: PublishRequest,
        checkpoint: dict,
        since: datetime,
    ) -> Published | None:
        return self.publishing.find_published(self, account, request, checkpoint, since)


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) per RFC 7636."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class HttpClient:
    """One requests session per platform module, with a timeout on every call."""

    platform = ""
    platform_label = "The platform"  # how messages name it

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "Mixora/1.0"
        # One connector serves every thread of a threads-pool worker: keep a kept-alive
        # connection per thread instead of urllib3's default 10 (the rest were reopened).
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=HTTP_POOL_SIZE)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def call(
        self,
        method: str,
        url: str,
        *,
        classify: Callable[[requests.Response], Any],
        **kwargs: Any,
    ) -> Any:
        """Send one request; `classify` turns the response into data or raises a PlatformError."""
        kwargs.setdefault("timeout", settings.PLATFORM_HTTP_TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.Timeout:
            # `from None`: the original exception's text carries the URL, which may hold a token.
            raise Retryable(
                f"{self.platform_label} did not answer in time.", platform=self.platform
            ) from None
        except requests.RequestException:
            raise Retryable(
                f"Could not reach {self.platform_label}.", platform=self.platform
            ) from None
        log.info("%s %s -> %s", self.platform, method, response.status_code)
        return classify(response)

    @property
    def timeout(self) -> tuple[int, int]:
        return settings.PLATFORM_HTTP_TIMEOUT


def json_or_empty(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def unexpected(platform: str, response: requests.Response) -> PlatformError:
    """A status nothing else classified: 5xx retry, anything else is permanent."""
    if response.status_code >= 500:
        return Retryable(
            f"{platform} had a server error ({response.status_code}).",
            platform=platform,
            status=response.status_code,
        )
    return Permanent(
        f"{platform} refused the request ({response.status_code}).",
        platform=platform,
        status=response.status_code,
    )


class BaseConnector(PublishesThroughModule, HttpClient):
    """What every provider's connector shares, with the defaults most providers need."""

    provider = ""
    # The environment variables that hold this provider's client id and secret.
    credential_env: tuple[str, str] = ("", "")
    # Whether one consent reaches several accounts the person picks from (Meta's Pages), what
    # they are called, and what to do when a consent reaches none.
    chooses_accounts = False
    accounts_noun = "accounts"
    no_accounts_hint = ""
    # How many posts one account may make per window (connections/throttle.py); None: no
    # documented limit.
    publish_budget: Budget | None = None

    def shares_grant(self, account: ConnectedAccount) -> bool:
        """Whether revoking this account's grant would cut off other connected accounts."""
        return False

    def revoke_note(self, account: ConnectedAccount) -> str:
        """What disconnecting does at the platform, in words for the confirmation page."""
        return f"revoke Mixora's access at {account.get_platform_display()}"
