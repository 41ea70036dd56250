"""Calls at the same instant: each in its own thread and database connection."""

import threading

from django.db import connections


def run_together(calls, *, timeout: float = 120) -> list:
    """Run each call in its own thread, all released at one barrier; each call's result, or the
    exception it raised. A thread that leaves a database connection open is an error too."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test reads it as an outcome
            results[i] = exc
        finally:
            connections.close_all()
            if any(c.connection is not None for c in connections.all(initialized_only=True)):
                results[i] = RuntimeError("the thread left a connection open")

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
