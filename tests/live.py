"""A committed database and a real Huey consumer for job tests (SQLite storage in the SQLite
run, the machine's Redis in the PostgreSQL run; queue name unique to this test run).

Jobs run in other threads, so they cannot see the rolled-back transaction of the usual
fixtures: these tests commit into a database of their own."""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from danvan.core import jobs


@contextmanager
def running_consumer(app, workers: int = 2):
    """A Huey consumer for `app` in threads of this process, stopped (gracefully) at the end."""
    # Tasks that rolled-back tests of other apps left on this run's queue are harmless: a task
    # only carries a job id, and a job runs only if this database has it queued.
    jobs.init_app(app)
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=False,
                                         max_delay=0.2, check_worker_health=False)
    consumer.start()
    for signum, handler in saved.items():  # the consumer's handlers are for a process of its own
        signal.signal(signum, handler)
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)


# Woken by every Huey signal (a task starting, finishing, failing, retrying), so a waiter checks
# its condition as soon as the consumer did something rather than on a fixed beat.
_consumer_moved = threading.Condition()


def _on_any_signal(signal_name, task, *args, **kwargs) -> None:
    with _consumer_moved:
        _consumer_moved.notify_all()


def wait_for(condition: Callable[[], object], timeout: float = 60.0, what: str = "condition"):
    """Return `condition()` once it is truthy: re-checked whenever the consumer signals, and at least
    every 0.2 s for what no signal announces (progress a running job writes)."""
    jobs.huey.signal()(_on_any_signal)
    deadline = time.monotonic() + timeout
    try:
        while True:
            value = condition()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}")
            with _consumer_moved:
                _consumer_moved.wait(min(0.2, remaining))
    finally:
        jobs.huey.disconnect_signal(_on_any_signal)
