"""The HTTP server and a tiny router.

Each service module (a platform's identity or publishing side, or the control API) owns a
`Service` holding its routes. A platform request is logged, checked against the fault queue and
then answered by its handler; the state lock is held while a handler runs (never while a fault
sleeps, media is fetched from a URL or a streamed answer is written).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import traceback
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, unquote_plus, urlencode, urlsplit, urlunsplit

from emulator import media
from emulator.state import STATE, Fault

# Which platform an unrouted path was meant for, so the request log still shows it.
_PREFIXES = {
    "facebook": "meta",
    "graph": "meta",
    "x": "x",
    "x-api": "x",
    "tiktok": "tiktok",
    "tiktok-api": "tiktok",
    "tiktok-upload": "tiktok",
    "google": "google",
    "youtube": "google",
    "youtube-upload": "google",
    "stripe": "stripe",
    "openai": "openai",
}
# Fault kinds answered by the platform's error instead of the handler.
_ERROR_FAULTS = ("rate_limit", "auth", "validation", "server")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    json: object
    headers: dict[str, str]  # names lower-cased
    form_lists: dict[str, list[str]] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)  # the route pattern's named groups
    body: bytes = b""
    files: dict[str, media.Part] = field(default_factory=dict)  # multipart file parts
    fetched: dict[str, media.Fetched] = field(default_factory=dict)  # URL -> what it gave
    raw_query: str = ""  # the query string as sent (Stripe repeats keys: `expand[]=a&expand[]=b`)

    def param(self, name: str) -> str | None:
        """A parameter from the form body, else from the query string."""
        return self.form.get(name, self.query.get(name))

    def bearer_token(self) -> str | None:
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        # Graph also takes the older "OAuth <token>" scheme.
        if scheme.lower() in ("bearer", "oauth") and value.strip():
            return value.strip()
        return None

    @property
    def access_token(self) -> str | None:
        """Meta's token: the `access_token` query/form parameter, else the Bearer header."""
        return self.param("access_token") or self.bearer_token()

    def basic_auth(self) -> tuple[str, str] | None:
        """(client_id, client_secret) from `Authorization: Basic`, or None."""
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, colon, secret = decoded.partition(":")
        if not colon:
            return None
        # RFC 6749 §2.3.1: both parts are form-encoded before base64.
        return unquote_plus(client_id), unquote_plus(secret)

    @property
    def base_url(self) -> str:
        """This emulator's address as the client reached it (absolute URLs in responses)."""
        return "http://" + self.headers.get("host", "127.0.0.1")

    def avatar_url(self, key: str) -> str:
        """A picture served by the emulator itself (the machine may be offline)."""
        return f"{self.base_url}/_avatars/{quote(key)}.png"

    def attachment_url(self, key: str) -> str:
        """A PNG served by the emulator itself, standing in for a message attachment."""
        return f"{self.base_url}/_media/attachments/{quote(key)}.png"

    def record(self) -> dict:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "form": self.form,
            "json": self.json,
            "headers": self.headers,
            "files": {name: part.to_json() for name, part in self.files.items()},
        }


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # a status line other than the standard one
    drop: bool = False  # close the connection without answering
    # A streamed answer (instead of `body`): each piece is sent as it is produced, in chunked
    # transfer coding, after the handler returned, so the state lock is not held meanwhile.
    stream: Iterable[bytes] | None = None


class Abort(Exception):
    """Raised by a handler, or a helper it calls, to answer with `response` at once."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_response(payload: object, status: int = 200, headers: dict | None = None) -> Response:
    body = json.dumps(payload).encode()
    return Response(
        status, body, {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
    )


def html_response(text: str, status: int = 200) -> Response:
    return Response(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})


def redirect(location: str) -> Response:
    return Response(302, b"", {"Location": location})


def with_query(url: str, params: dict[str, str | None]) -> str:
    """url with params appended to its query string (None values left out)."""
    parts = urlsplit(url)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    methods: tuple[str, ...]
    pattern: re.Pattern[str]
    endpoint: str
    handler: Handler
    faults: bool  # whether /_control/faults may target it


class Service:
    """One platform's routes, how it renders an injected fault, and an optional `after` hook
    that adds headers to every answer (faults included), e.g. rate-limit usage."""

    def __init__(
        self,
        platform: str | None,
        render_fault: Callable[[Request, Route, Fault], Response] | None = None,
        after: Callable[[Request, Route, Response], None] | None = None,
    ) -> None:
        self.platform = platform
        self.render_fault = render_fault
        self.after = after
        self.routes: list[Route] = []

    def route(
        self, methods: str, pattern: str, endpoint: str = "", *, faults: bool = True
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            compiled = re.compile(pattern)
            self.routes.append(Route(tuple(methods.split()), compiled, endpoint, handler, faults))
            return handler

        return register


def services() -> list[Service]:
    """Every service; the first route matching a path wins, so the publishing services come
    before the identity ones (whose `/{node-id}` route matches any id)."""
    # Imported here because the service modules import this one.
    from emulator import (
        control,
        facebook,
        facebook_metrics,
        google,
        inbox_meta,
        inbox_x,
        inbox_youtube,
        instagram,
        instagram_metrics,
        linkedin,
        linkedin_comments,
        linkedin_metrics,
        linkedin_posts,
        linkedin_videos,
        meta,
        openai_api,
        stripe_api,  # noqa: F401 - registers its routes on stripe_http.service
        stripe_checkout,  # noqa: F401 - as stripe_api
        stripe_control,
        stripe_http,
        stripe_pages,
        stripe_subscriptions,  # noqa: F401 - as stripe_api
        subscriptions,
        tiktok,
        tiktok_metrics,
        tiktok_publish,
        webhooks,
        x,
        x_media,
        x_metrics,
        x_publish,
        youtube,
    )

    return [
        control.service,
        stripe_control.service,
        stripe_http.service,
        stripe_pages.service,
        stripe_http.unknown,  # after every Stripe API route
        webhooks.service,
        subscriptions.service,
        inbox_meta.service,
        inbox_x.service,
        inbox_youtube.service,
        facebook_metrics.service,
        instagram_metrics.service,
        facebook.service,
        instagram.service,
        meta.service,
        x_metrics.service,
        x_publish.service,
        x_media.service,
        x.service,
        tiktok_metrics.service,
        tiktok_publish.service,
        tiktok.service,
        youtube.service,
        google.service,
        linkedin_posts.service,
        linkedin_videos.service,
        linkedin_comments.service,
        linkedin_metrics.service,
        linkedin.service,
        openai_api.service,
    ]


def fault_endpoints() -> dict[str, str]:
    """Every endpoint name a fault may target -> its platform."""
    return {
        route.endpoint: service.platform
        for service in services()
        if service.platform
        for route in service.routes
        if route.faults
    }


def dispatch(request: Request, all_services: list[Service]) -> Response:
    path_known = False
    for service in all_services:
        for route in service.routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            path_known = True
            if request.method in route.methods:
                request.params = match.groupdict()
                return _answer(service, route, request)
    segment = request.path.strip("/").split("/", 1)[0]
    if platform := _PREFIXES.get(segment):
        with STATE.lock:
            STATE.log_request({"platform": platform, "endpoint": "unmatched", **request.record()})
    if path_known:
        return json_response({"error": f"{request.method} is not allowed here"}, 405)
    return json_response({"error": f"the emulator has no endpoint {request.path}"}, 404)


def _answer(service: Service, route: Route, request: Request) -> Response:
    if service.platform is None:
        with STATE.lock:
            return _call(route.handler, request)
    with STATE.lock:
        STATE.log_request(
            {"platform": service.platform, "endpoint": route.endpoint, **request.record()}
        )
        fault = STATE.take_fault(route.endpoint) if route.faults else None
    if fault and fault.kind == "slow":
        time.sleep(fault.delay)
    if fault and fault.kind in _ERROR_FAULTS and service.render_fault:
        with STATE.lock:
            response = service.render_fault(request, route, fault)
            if service.after:
                service.after(request, route, response)
        return response
    response = _run(service, route, request)
    if fault and fault.kind == "accept_then_timeout":
        time.sleep(fault.delay)  # done, but the client has likely given up waiting
    elif fault and fault.kind == "drop":
        response = Response(drop=True)
    return response


def _run(service: Service, route: Route, request: Request) -> Response:
    """The handler's answer; media it needs from URLs is fetched with the lock released."""
    while True:
        with STATE.lock:
            try:
                response = _call(route.handler, request)
            except media.FetchNeeded as needed:
                pending = needed
            else:
                if service.after:
                    service.after(request, route, response)
                return response
        for url in pending.urls:
            request.fetched[url] = media.fetch(url, pending.timeout)


def _call(handler: Handler, request: Request) -> Response:
    try:
        return handler(request)
    except Abort as abort:
        return abort.response


class _RequestHandler(BaseHTTPRequestHandler):
    # Headers and body go out in two writes; without this, Nagle's algorithm and delayed
    # ACKs add ~40 ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    server_version = "PlatformEmulator/1.0"
    timeout = 60  # an idle keep-alive connection gives its thread back after this
    server: EmulatorServer

    def handle(self) -> None:
        # A client that gave up (a read timeout, accept_then_timeout) is not an emulator error.
        with suppress(ConnectionError):
            super().handle()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        try:
            response = dispatch(self._read_request(), self.server.services)
        except Exception:
            traceback.print_exc()
            response = json_response({"error": "emulator bug; see its stderr"}, 500)
        if response.drop:
            self.close_connection = True
            return
        self.send_response(response.status, response.reason)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.stream is not None:
            self._send_chunked(response.stream)
            return
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _send_chunked(self, pieces: Iterable[bytes]) -> None:
        """Chunked transfer coding (RFC 9112 §7.1): each piece goes out, flushed, as soon as
        the handler's iterator yields it, so the client reads it while the rest is produced."""
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for piece in pieces:
                if piece:  # an empty chunk would end the answer
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
        except ConnectionError:
            raise
        except Exception:
            traceback.print_exc()
            self.close_connection = True  # the answer is cut short: the client sees it broken
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _read_request(self) -> Request:
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        content_type = self.headers.get("Content-Type", "")
        form_lists: dict[str, list[str]] = {}
        files: dict[str, media.Part] = {}
        payload = None
        if "application/x-www-form-urlencoded" in content_type:
            form_lists = parse_qs(body.decode(errors="replace"), keep_blank_values=True)
        elif "multipart/form-data" in content_type:
            form_lists, files = media.parse_multipart(body, content_type)
        elif "json" in content_type and body:
            with suppress(ValueError):  # a malformed body is logged as json: null
                payload = json.loads(body)
        query = parse_qs(parts.query, keep_blank_values=True)
        return Request(
            method=self.command,
            path=unquote(parts.path),
            query={k: v[0] for k, v in query.items()},
            form={k: v[0] for k, v in form_lists.items()},
            json=payload,
            headers={name.lower(): value for name, value in self.headers.items()},
            form_lists=form_lists,
            body=body,
            files=files,
            raw_query=parts.query,
        )

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        if self.server.verbose:
            super().log_message(format, *args)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    # The networks' front ends take any burst of new connections; socketserver's listen
    # backlog of 5 refused a worker opening dozens at once ("Could not reach X").
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], verbose: bool = False) -> None:
        self.verbose = verbose
        self.services = services()
        super().__init__(address, _RequestHandler)


def make_server(host: str, port: int, verbose: bool = False) -> EmulatorServer:
    """Bound and ready; call serve_forever(). Port 0 picks a free port."""
    return EmulatorServer((host, port), verbose)
