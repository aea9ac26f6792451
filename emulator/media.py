"""Media the platforms receive: uploaded files (multipart parts and chunked uploads) and files
fetched from a URL, as the real platforms download `image_url`, `file_url` or `video_url`.

Only a size and a SHA-256 are kept, never the bytes. A handler that needs a URL's content calls
`fetched()`; the first time this raises `FetchNeeded`, the server fetches the URLs with the state
lock released (the URL may point back at the emulator) and runs the handler again.
"""

from __future__ import annotations

import hashlib
import time
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

USER_AGENT = "PlatformEmulator/1.0 (media fetch)"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxies


@dataclass
class Blob:
    """What the emulator keeps of one media file."""

    size: int
    sha256: str
    content_type: str = ""
    source: str = "upload"  # the URL it was fetched from, or "upload"

    @classmethod
    def of(cls, data: bytes, content_type: str = "", source: str = "upload") -> Blob:
        return cls(len(data), hashlib.sha256(data).hexdigest(), content_type, source)

    def to_json(self) -> dict:
        return {
            "size": self.size,
            "sha256": self.sha256,
            "content_type": self.content_type,
            "source": self.source,
        }


@dataclass
class Part:
    """A file part of a multipart/form-data request (its bytes live as long as the request)."""

    data: bytes
    content_type: str
    filename: str

    def blob(self) -> Blob:
        return Blob.of(self.data, self.content_type)

    def to_json(self) -> dict:
        return {"filename": self.filename, **self.blob().to_json()}


class Upload:
    """A file arriving in pieces, in order: the byte count and a running SHA-256."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.received = 0
        self.last_piece: tuple[int, str] | None = None  # (offset, sha256) of the latest piece
        self._digest = hashlib.sha256()

    def add(self, data: bytes) -> None:
        self.last_piece = (self.received, hashlib.sha256(data).hexdigest())
        self.received += len(data)
        self._digest.update(data)

    def repeats_last(self, offset: int, data: bytes) -> bool:
        """Whether data is the latest piece sent again (a client retrying after a timeout)."""
        return self.last_piece == (offset, hashlib.sha256(data).hexdigest()) and (
            offset + len(data) == self.received
        )

    @property
    def complete(self) -> bool:
        return self.total is not None and self.received == self.total

    def blob(self, content_type: str) -> Blob:
        return Blob(self.received, self._digest.hexdigest(), content_type)


@dataclass
class Fetched:
    url: str
    blob: Blob | None = None  # None: the fetch failed
    timed_out: bool = False
    error: str = ""


class FetchNeeded(Exception):
    """Raised by a handler that needs these URLs fetched first."""

    def __init__(self, urls: list[str], timeout: float) -> None:
        super().__init__(", ".join(urls))
        self.urls = urls
        self.timeout = timeout


class _HasFetched(Protocol):
    fetched: dict[str, Fetched]


def fetched(req: _HasFetched, urls: list[str], timeout: float) -> list[Fetched]:
    """The fetch results for urls, or FetchNeeded if some were not fetched yet."""
    if missing := [url for url in urls if url not in req.fetched]:
        raise FetchNeeded(missing, timeout)
    return [req.fetched[url] for url in urls]


def fetch(url: str, timeout: float) -> Fetched:
    """GET url (http or https only) within timeout seconds, hashing the body as it arrives."""
    if urlsplit(url).scheme not in ("http", "https"):
        return Fetched(url, error="not an http(s) URL")
    deadline = time.monotonic() + timeout
    # http(s) only: checked above
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            digest, size = hashlib.sha256(), 0
            while piece := response.read(1 << 16):
                if time.monotonic() > deadline:
                    return Fetched(url, timed_out=True, error="timed out")
                digest.update(piece)
                size += len(piece)
            content_type = response.headers.get_content_type()
            return Fetched(url, Blob(size, digest.hexdigest(), content_type, url))
    except HTTPError as error:
        return Fetched(url, error=f"HTTP {error.code}")
    except TimeoutError:
        return Fetched(url, timed_out=True, error="timed out")
    except URLError as error:
        timed_out = isinstance(error.reason, TimeoutError)
        return Fetched(url, timed_out=timed_out, error=str(error.reason))
    except (OSError, ValueError) as error:
        return Fetched(url, error=str(error))


def parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, list[str]], dict[str, Part]]:
    """(text fields, file parts) of a multipart/form-data body."""
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    fields: dict[str, list[str]] = {}
    files: dict[str, Part] = {}
    if not isinstance(boundary, str):
        return fields, files
    for part in body.split(b"--" + boundary.encode())[1:]:
        if part.startswith(b"--"):  # the closing delimiter
            break
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        headers = Message()
        for line in head.decode(errors="replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip()] = value.strip()
        name = headers.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = headers.get_filename()
        if filename is None:
            fields.setdefault(name, []).append(data.decode(errors="replace"))
        else:
            files[name] = Part(data, headers.get("content-type", ""), filename)
    return fields, files
