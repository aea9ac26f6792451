"""A publish task's platform calls run at the same time on a thread pool, while every
database write they ask for runs on the task's own thread."""

from __future__ import annotations

import threading
import time
from contextlib import closing
from functools import partial

import pytest
from django.db import transaction

from publishing import calls


def never_late(finished: calls.Finished) -> None:
    raise AssertionError(f"handed off: {finished}")


def results_of(made: dict) -> dict:
    results = {}
    for group in calls.made_together(made, late=never_late):
        for key, future in group:
            try:
                results[key] = future.result()
            except ValueError as exc:
                results[key] = str(exc)
    return results


def test_calls_run_together_and_their_writes_run_on_the_callers_thread():
    caller = threading.get_ident()
    together = threading.Barrier(5, timeout=10)  # broken unless all five are in flight at once

    def call(i: int) -> tuple[int, int, bool]:
        together.wait()
        wrote_on = calls.on_callers_thread(threading.get_ident)
        return i, wrote_on, threading.get_ident() != caller

    assert results_of({i: partial(call, i) for i in range(5)}) == {
        i: (i, caller, True) for i in range(5)
    }


def test_one_call_failing_leaves_the_others_their_results():
    def call(i: int) -> int:
        if i == 2:
            raise ValueError("refused")
        return i * 10

    assert results_of({i: partial(call, i) for i in range(4)}) == {
        0: 0,
        1: 10,
        2: "refused",
        3: 30,
    }


def test_a_write_that_fails_raises_in_the_call_that_asked_for_it():
    def write() -> None:
        raise ValueError("constraint")

    def call(i: int) -> str:
        if i == 0:
            calls.on_callers_thread(write)
        return "ok"

    assert results_of({i: partial(call, i) for i in range(3)}) == {
        0: "constraint",
        1: "ok",
        2: "ok",
    }


@pytest.mark.django_db
def test_inside_a_transaction_the_calls_are_made_on_the_callers_thread():
    caller = threading.get_ident()
    with transaction.atomic():
        made = results_of({i: threading.get_ident for i in range(3)})
    assert made == dict.fromkeys(range(3), caller)


class Late:
    """The recorder of handed-off calls: what it got, and on which thread."""

    def __init__(self) -> None:
        self.got: list[tuple[object, object, int]] = []
        self.arrived = threading.Event()

    def __call__(self, finished: calls.Finished) -> None:
        self.got += [(key, future.result(), threading.get_ident()) for key, future in finished]
        self.arrived.set()


def test_a_call_still_running_when_its_batch_ends_writes_and_is_recorded_on_its_thread():
    caller = threading.get_ident()
    release = threading.Event()
    wrote_on = {}
    late = Late()

    def slow() -> str:
        release.wait(10)
        wrote_on["slow"] = calls.on_callers_thread(threading.get_ident)
        return "late"

    made = calls.made_together({"slow": slow, "quick": lambda: "quick"}, late=late)
    with closing(made) as groups:
        first = next(groups)  # the caller leaves after the first group (an error, say)
    release.set()

    assert [(key, future.result()) for key, future in first] == [("quick", "quick")]
    assert late.arrived.wait(10), "the slow call's write waited on a batch that had ended"
    [(key, result, recorded_on)] = late.got
    assert (key, result) == ("slow", "late")
    assert wrote_on["slow"] == recorded_on != caller


def test_calls_that_hang_are_handed_off_and_the_caller_goes_on(settings):
    settings.PUBLISH_HAND_OFF_SECONDS = 0.2
    release = threading.Event()
    late = Late()
    started = time.monotonic()

    groups = list(
        calls.made_together(
            {"hangs": lambda: release.wait(10) and "at last", "quick": lambda: "quick"}, late=late
        )
    )

    assert time.monotonic() - started < 5
    assert [[(key, future.result()) for key, future in group] for group in groups] == [
        [("quick", "quick")]
    ]
    release.set()
    assert late.arrived.wait(10)
    assert [(key, result) for key, result, _ in late.got] == [("hangs", "at last")]
