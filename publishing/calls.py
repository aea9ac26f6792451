"""The platform calls of a publishing batch, made at the same time: each call waits on a
network, so one worker keeps a batch's posts in flight together on a few cores.

The calls run on one thread pool per process, and the thread that made the batch keeps every
database write: a call's checkpoint is written there (`on_callers_thread`), so a worker holds
one database connection per task, not one per call in flight. A call still running when its
batch stops waiting (a platform that hangs until the timeout) is handed off: it writes and
records its outcome on its own thread, and the task's thread goes on to the next batch. A
caller inside a transaction gets its calls made in its own thread, one after another, so
their writes join it."""

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

Finished = list[tuple[Any, Future]]
Recorder = Callable[[Finished], None]

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_current = threading.local()  # on a pool thread: the batch it works for
_in_flight = 0  # calls submitted and not finished, in this process
_room = threading.Condition()


def _shared_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.PUBLISH_CALLS_IN_FLIGHT, thread_name_prefix="publish-call"
            )
        return _pool


def wait_for_room(count: int) -> None:
    """Wait until the pool can take `count` more calls (or is idle): a task asks before it
    claims, so while a platform hangs, targets wait QUEUED instead of piling up in the pool."""
    limit = settings.PUBLISH_CALLS_IN_FLIGHT
    with _room:
        _room.wait_for(lambda: _in_flight == 0 or _in_flight + count <= limit)


def on_callers_thread[T](write: Callable[[], T]) -> T:
    """Run `write` (a database write of a call) on the thread that made the batch and wait
    for it; anywhere else, or once the batch has handed the call off, here."""
    batch: _Batch | None = getattr(_current, "batch", None)
    reply = batch.ask(write) if batch is not None else None
    return write() if reply is None else reply.result()


def made_together(calls: dict[Any, Callable[[], Any]], late: Recorder) -> Iterator[Finished]:
    """Make every call; yield the finished ones in groups as they finish, so a slow call never
    holds back the others' outcomes. Each future holds the call's result or its exception.
    Once no call has finished for PUBLISH_HAND_OFF_SECONDS, or when the iterator is closed,
    the calls still running are handed to `late`, which each runs on its own thread when it
    finishes."""
    if len(calls) <= 1 or connection.in_atomic_block or settings.PUBLISH_CALLS_IN_FLIGHT <= 1:
        yield [(key, _made(call)) for key, call in calls.items()]
        return
    batch = _Batch(late)
    pool = _shared_pool()
    global _in_flight
    with _room:
        _in_flight += len(calls)
    for key, call in calls.items():
        future = pool.submit(_on_pool_thread, batch, call)
        future.add_done_callback(partial(batch.done, key))
    remaining = len(calls)
    try:
        while remaining:
            group = _serve_until_some_finish(batch.events, remaining)
            if not group:
                return  # the rest hang: handed off below
            remaining -= len(group)
            yield group
    finally:
        batch.hand_off()


class _Batch:
    """What the calls of one batch send to its thread: their writes and their ends, until it
    hands them off."""

    def __init__(self, late: Recorder) -> None:
        self.events: SimpleQueue = SimpleQueue()
        self._late = late
        self._open = True
        self._lock = threading.Lock()

    def ask(self, write: Callable[[], Any]) -> Future | None:
        with self._lock:
            if not self._open:
                return None
            reply: Future = Future()
            self.events.put(("write", write, reply))
            return reply

    def done(self, key: Any, future: Future) -> None:
        global _in_flight
        with _room:
            _in_flight -= 1
            _room.notify_all()
        with self._lock:
            if self._open:
                self.events.put(("done", key, future))
                return
        _record_late(self._late, [(key, future)])

    def hand_off(self) -> None:
        """No more writes or ends come here; those already sent are answered or recorded."""
        with self._lock:
            self._open = False
        finished: Finished = []
        while True:
            try:
                event = self.events.get_nowait()
            except Empty:
                break
            if event[0] == "write":
                _answer(*event[1:])
            else:
                finished.append(event[1:])
        if finished:
            self._late(finished)


def _record_late(late: Recorder, finished: Finished) -> None:
    try:
        late(finished)
    finally:
        connections.close_all()  # a pool thread keeps no connection


def _serve_until_some_finish(events: SimpleQueue, remaining: int) -> Finished:
    """Answer the calls' writes until one finishes, and then while others finish within the
    gathering time: their outcomes are recorded together. Empty when none finished within
    the hand-off time."""
    group: Finished = []
    patience = time.monotonic() + settings.PUBLISH_HAND_OFF_SECONDS
    gather: float | None = None
    while len(group) < remaining:
        deadline = gather if gather is not None else patience
        try:
            event = events.get(timeout=max(0.0, deadline - time.monotonic()))
        except Empty:
            break
        if event[0] == "write":
            _answer(*event[1:])
        else:
            group.append(event[1:])
            gather = gather or time.monotonic() + settings.PUBLISH_SETTLE_GATHER_SECONDS
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


def _made(call: Callable[[], Any]) -> Future:
    future: Future = Future()
    _answer(call, future)
    return future
