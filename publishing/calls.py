"""The platform calls of a publishing batch, made at the same time: each call waits on a
network, so one worker keeps a batch's posts in flight together on a few cores.

The calls run on one thread pool per process, and the thread that made the batch keeps every
database write: a call's checkpoint is written there (`on_callers_thread`), so a worker holds
one database connection per task, not one per call in flight. A caller inside a transaction
gets its calls made in its own thread, one after another, so their writes join it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from queue import Empty, SimpleQueue
from typing import Any

from django.conf import settings
from django.db import connection, connections

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_current = threading.local()  # on a pool thread: the batch it works for

Finished = list[tuple[Any, Future]]


def _shared_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.PUBLISH_CALLS_IN_FLIGHT, thread_name_prefix="publish-call"
            )
        return _pool


def on_callers_thread[T](write: Callable[[], T]) -> T:
    """Run `write` (a database write of a call) on the thread that made the batch and wait
    for it; anywhere else, or once the batch has ended, here."""
    batch: _Batch | None = getattr(_current, "batch", None)
    reply = batch.ask(write) if batch is not None else None
    return write() if reply is None else reply.result()


class _Batch:
    """What the calls of one batch send to its thread: their writes, and that they ended."""

    def __init__(self) -> None:
        self.events: SimpleQueue = SimpleQueue()
        self._open = True
        self._lock = threading.Lock()

    def ask(self, write: Callable[[], Any]) -> Future | None:
        with self._lock:
            if not self._open:
                return None
            reply: Future = Future()
            self.events.put(("write", write, reply))
            return reply

    def close(self) -> None:
        """No more writes are taken (a call still running writes on its own thread); those
        already asked for are answered."""
        with self._lock:
            self._open = False
        while True:
            try:
                event = self.events.get_nowait()
            except Empty:
                return
            if event[0] == "write":
                _answer(*event[1:])


def made_together(calls: dict[Any, Callable[[], Any]]) -> Iterator[Finished]:
    """Make every call; yield the finished ones in groups, as they finish, so a slow call
    (a video still processing) never holds back the others' outcomes. Each future holds the
    call's result or its exception. Close the iterator when leaving it early."""
    if len(calls) <= 1 or connection.in_atomic_block or settings.PUBLISH_CALLS_IN_FLIGHT <= 1:
        yield [(key, _made(call)) for key, call in calls.items()]
        return
    batch = _Batch()
    pool = _shared_pool()
    for key, call in calls.items():
        future = pool.submit(_on_pool_thread, batch, call)
        future.add_done_callback(partial(_tell_done, batch, key))
    remaining = len(calls)
    try:
        while remaining:
            group = _serve_until_some_finish(batch.events, remaining)
            remaining -= len(group)
            yield group
    finally:
        batch.close()


def _serve_until_some_finish(events: SimpleQueue, remaining: int) -> Finished:
    """Answer the calls' writes until one finishes, and then while others finish within
    the gathering time: their outcomes are recorded together."""
    group: Finished = []
    deadline: float | None = None
    while len(group) < remaining:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            event = events.get(timeout=timeout)
        except Empty:
            break
        if event[0] == "write":
            _answer(*event[1:])
        else:
            group.append(event[1:])
            deadline = deadline or time.monotonic() + settings.PUBLISH_SETTLE_GATHER_SECONDS
    return group


def _answer(write: Callable[[], Any], reply: Future) -> None:
    try:
        reply.set_result(write())
    except Exception as exc:  # noqa: BLE001 - raised on the calling pool thread
        reply.set_exception(exc)


def _on_pool_thread(batch: _Batch, call: Callable[[], Any]) -> Any:
    _current.batch = batch
    try:
        return call()
    finally:
        _current.batch = None
        connections.close_all()  # what a call opened itself (a token refresh) is not kept


def _tell_done(batch: _Batch, key: Any, future: Future) -> None:
    batch.events.put(("done", key, future))


def _made(call: Callable[[], Any]) -> Future:
    future: Future = Future()
    _answer(call, future)
    return future
