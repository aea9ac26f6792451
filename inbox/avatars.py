"""Customers' profile pictures, copied into our storage so the team's browsers never load a
platform's URL (which would tell the platform who opened which conversation, and when).

The network gives a picture URL (`Conversation.participant_avatar_url`, never rendered); a
task (one for a batch's new people) fetches it after ingest with a timeout, a size limit and
a check that it really is a raster image, stores it under a name derived from that URL (so a
changed picture is fetched again and an unchanged one never is), and the inbox shows it
through `inbox_participant_avatar`, a page only members of the workspace can open. A thread's
picture is deleted with the thread, whatever deletes it.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache
from http.cookiejar import DefaultCookiePolicy
from itertools import chain
from pathlib import PurePosixPath
from typing import Any

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from connections.errors import Permanent, Retryable

from .models import Conversation

log = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024  # profile pictures are a few kilobytes; "original" sizes < 2 MB
# Raster formats only, by Content-Type, each checked against what Pillow reads: an SVG or an
# HTML page served as a picture could carry script.
FORMATS = {
    "image/jpeg": ("JPEG", ".jpg"),
    "image/png": ("PNG", ".png"),
    "image/gif": ("GIF", ".gif"),
    "image/webp": ("WEBP", ".webp"),
}
CONTENT_TYPES = {extension: content_type for content_type, (_, extension) in FORMATS.items()}
MAX_REDIRECTS = 3  # Meta's profile_pic links redirect once to its CDN
PICTURES_PER_TASK = 100  # a webhook batch's new people (deliveries.BATCH_SIZE) in one task
# Downloads of a task in flight at once: each is mostly a wait on the network; the bound keeps
# a task from opening a hundred connections to one CDN.
PICTURES_AT_ONCE = 8
# Kept-alive connections of a process: every fetch thread of the 8 tasks a threads-pool inbox
# worker runs at once (docker-compose.yml) keeps its own.
POOL_SIZE = 8 * PICTURES_AT_ONCE
# Seconds a task waits for its downloads, within the tasks' 80 s soft limit; what has not come
# by then is retried like a timeout.
FETCH_DEADLINE = 60


def source_key(url: str) -> str:
    """A short digest of the picture's URL: part of the stored file's name."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def needs_fetch(conversation: Conversation) -> bool:
    """The thread has a picture URL whose copy we do not hold yet."""
    url = conversation.participant_avatar_url
    return bool(url) and source_key(url) not in conversation.participant_avatar.name


def schedule(conversation_id: int) -> None:
    """Fetch the thread's picture in a task once the current transaction commits."""
    schedule_many([conversation_id])


def schedule_many(conversation_ids: Sequence[int]) -> None:
    """Fetch the threads' pictures once the current transaction commits: one task per
    PICTURES_PER_TASK threads (a batch's new people in one)."""
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        return

    def enqueue() -> None:
        from .tasks import fetch_participant_avatars

        for start in range(0, len(ids), PICTURES_PER_TASK):
            chunk = ids[start : start + PICTURES_PER_TASK]
            try:
                fetch_participant_avatars.delay(chunk)
            except Exception:  # the broker is down: the next message from these people asks again
                log.exception("could not enqueue the pictures of conversations %s", chunk)

    transaction.on_commit(enqueue)


@dataclass
class Copies:
    """What copying some threads' pictures did: a word or two per thread, and the threads
    whose picture may come later (their task retries those only)."""

    outcomes: dict[int, str] = field(default_factory=dict)
    later: dict[int, Retryable] = field(default_factory=dict)


def fetch(conversation_id: int) -> str:
    """Copy the thread's picture into our storage; what happened, in a word or two.

    Raises Retryable for what may work later (timeouts, 5xx, 429), so the task retries with
    backoff; a refusal that retrying cannot fix (a dead link, not a picture, too large) is
    logged and the thread keeps its initials."""
    copies = fetch_many([conversation_id])
    if conversation_id in copies.later:
        raise copies.later[conversation_id]
    return copies.outcomes[conversation_id]


def fetch_many(conversation_ids: Sequence[int], deadline: float = FETCH_DEADLINE) -> Copies:
    """Copy the threads' pictures into our storage: the downloads at the same time on a pool
    whose threads only do HTTP, then, on the calling thread, the checks, files and one UPDATE.
    A picture that fails is that thread's outcome alone; what may work later is in `later`,
    with what has not come within `deadline` seconds."""
    ids = list(dict.fromkeys(conversation_ids))
    found = Conversation.objects.filter(pk__in=ids).only(
        "workspace_id", "participant_avatar_url", "participant_avatar"
    )
    by_pk = {conversation.pk: conversation for conversation in found}
    copies = Copies()
    wanted = []
    for pk in ids:
        conversation = by_pk.get(pk)
        if conversation is None:
            copies.outcomes[pk] = "gone"
        elif not needs_fetch(conversation):
            copies.outcomes[pk] = "up to date"
        else:
            wanted.append(conversation)
    downloads = _download_all([c.participant_avatar_url for c in wanted], deadline)
    saved: list[tuple[Conversation, str]] = []
    failure: Exception | None = None
    try:
        for conversation, result in zip(wanted, downloads, strict=True):
            try:
                if isinstance(result, Exception):
                    raise result
                content, extension = _checked(*result)
            except Retryable as exc:
                copies.later[conversation.pk] = exc
                continue
            except Permanent as exc:
                log.info("picture of conversation %s refused: %s", conversation.pk, exc.message)
                copies.outcomes[conversation.pk] = f"refused: {exc.message}"
                continue
            except Exception as exc:  # not the host's answer but a bug: still store the others
                failure = failure or exc
                continue
            url = conversation.participant_avatar_url
            name = default_storage.save(
                f"inbox/avatars/{conversation.workspace_id}/"
                f"{conversation.pk}-{source_key(url)}{extension}",
                ContentFile(content),
            )
            saved.append((conversation, name))
    finally:
        # Even if a later file could not be saved: the saved ones belong to their threads (so
        # they are deleted with them), or are deleted now.
        _record(saved, copies)
    if failure is not None:
        raise failure
    return copies


# Every copy in one statement, each only if its thread still has that picture URL: a newer
# one is another task's job, and a deleted thread must not get a file back.
RECORD_COPIES = """
WITH copied (id, url, name) AS (VALUES {rows})
UPDATE inbox_conversation SET participant_avatar = copied.name, updated_at = %s
FROM copied WHERE inbox_conversation.id = copied.id
    AND inbox_conversation.participant_avatar_url = copied.url
RETURNING inbox_conversation.id
"""


def _record(saved: list[tuple[Conversation, str]], copies: Copies) -> None:
    """Point the threads at their new files; delete what no thread holds any more."""
    if not saved:
        return
    # Rows in pk order, the order ingest_batch locks threads in.
    rows = sorted((c.pk, c.participant_avatar_url, name) for c, name in saved)
    with connection.cursor() as cursor:
        cursor.execute(
            RECORD_COPIES.format(rows=", ".join(["(%s, %s, %s)"] * len(rows))),
            [*chain.from_iterable(rows), connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        stored = {pk for (pk,) in cursor.fetchall()}
    for conversation, name in saved:
        kept = conversation.pk in stored
        copies.outcomes[conversation.pk] = "stored" if kept else "outdated"
        unused = conversation.participant_avatar.name if kept else name
        if unused:
            default_storage.delete(unused)


def download(url: str) -> tuple[bytes, str]:
    """The picture at `url` and its file extension, or Retryable / Permanent."""
    return _checked(*_get(url))


def _download_all(urls: list[str], deadline: float) -> list[tuple[bytes, str] | Exception]:
    """Each URL's (content, content type), or why not, fetched PICTURES_AT_ONCE at a time.
    What has not come within `deadline` seconds is left for a retry, so the task ends in
    time."""
    if not urls:
        return []
    pool = ThreadPoolExecutor(min(PICTURES_AT_ONCE, len(urls)), thread_name_prefix="avatar")
    futures = [pool.submit(_get, url) for url in urls]
    wait(futures, timeout=deadline)
    # Fetches still running end on their own timeouts; their results are not used.
    pool.shutdown(wait=False, cancel_futures=True)
    results: list[tuple[bytes, str] | Exception] = []
    for future in futures:
        if not future.done() or future.cancelled():
            results.append(Retryable("The picture did not come in this task's time."))
        else:
            results.append(future.exception() or future.result())
    return results


@cache
def _session() -> requests.Session:
    """One session for every fetch of this process, so kept-alive connections to a CDN are
    reused; each fetch thread takes its own connection from the pool."""
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    session.headers["User-Agent"] = "Mixora/1.0"
    # No cookies: each fetch stands alone, as if nobody had fetched a picture before.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=POOL_SIZE)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _get(url: str) -> tuple[bytes, str]:
    """The body at `url` and its content type, or Retryable / Permanent: HTTP only (it runs in
    the fetch threads)."""
    if not _allowed_source(url):
        raise Permanent("Only https picture links are fetched.")
    try:
        with _session().get(url, timeout=settings.PLATFORM_HTTP_TIMEOUT, stream=True) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise Retryable(f"The picture's host answered {response.status_code}.")
            if response.status_code != 200:
                raise Permanent(f"The picture's host answered {response.status_code}.")
            if not _allowed_source(response.url):
                raise Permanent("The picture link redirected away from https.")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type not in FORMATS:
                raise Permanent(f"Not a picture we keep ({content_type or 'no content type'}).")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise Permanent("The picture is too large.")
            return _read_capped(response), content_type
    except requests.Timeout:
        raise Retryable("The picture's host did not answer in time.") from None
    except requests.TooManyRedirects:
        raise Permanent("The picture link redirects too often.") from None
    except requests.RequestException:
        # `from None`: the exception's text holds the URL, which may carry a signature.
        raise Retryable("Could not reach the picture's host.") from None


def _checked(content: bytes, content_type: str) -> tuple[bytes, str]:
    """The picture and its file extension if it is the raster image its type says, or
    Permanent."""
    expected_format, extension = FORMATS[content_type]
    if _image_format(content, expected_format) != expected_format:
        raise Permanent(f"The file is not the {expected_format} picture it claims to be.")
    return content, extension


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream")


def _allowed_source(url: str) -> bool:
    # Platforms serve pictures over https; the emulator (local mode and tests) over http.
    emulator = getattr(settings, "EMULATOR_URL", "")
    return url.startswith("https://") or bool(emulator and url.startswith(f"{emulator}/"))


def _read_capped(response: requests.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise Permanent("The picture is too large.")
        chunks.append(chunk)
    return b"".join(chunks)


def _image_format(content: bytes, expected: str) -> str | None:
    try:
        # Only the expected format's reader: anything else is refused anyway.
        with Image.open(io.BytesIO(content), formats=[expected]) as image:
            image.verify()
            return image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


@receiver(post_delete, sender=Conversation, dispatch_uid="inbox.avatars.delete_picture")
def delete_picture(sender: Any, instance: Conversation, **kwargs: Any) -> None:
    """A deleted thread (by a person, retention, a disconnect or a purge) takes its stored
    picture along, once the deletion commits."""
    name = instance.participant_avatar.name
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
