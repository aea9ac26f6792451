"""A publish task's platform calls run at the same time on a thread pool, while every
database write they ask for runs on the task's own thread."""

from __future__ import annotations

import threading
from contextlib import closing
from functools import partial

import pytest
from django.db import transaction

from publishing import calls


def results_of(made: dict) -> dict:
    results = {}
    for group in calls.made_together(made):
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


def test_a_call_still_running_when_its_batch_ends_writes_on_its_own_thread():
    caller = threading.get_ident()
    release, finished = threading.Event(), threading.Event()
    wrote_on = {}

    def slow() -> str:
        release.wait(10)
        wrote_on["slow"] = calls.on_callers_thread(threading.get_ident)
        finished.set()
        return "late"

    with closing(calls.made_together({"slow": slow, "quick": lambda: "quick"})) as groups:
        first = next(groups)  # the caller leaves after the first group (an error, say)
    release.set()

    assert [(key, future.result()) for key, future in first] == [("quick", "quick")]
    assert finished.wait(10), "the slow call's write waited on a batch that had ended"
    assert wrote_on["slow"] != caller
