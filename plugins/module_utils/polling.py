# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""One polling loop for every wait (a run, task instances, a backfill)."""

from __future__ import annotations


def poll_until(read, finished, timeout, interval, sleep, clock):
    """(value, done): ``read()`` again every ``interval`` seconds until ``finished(value)`` or
    ``timeout`` runs out; the last value is returned either way, so the caller can report it."""
    deadline = clock() + timeout
    while True:
        value = read()
        if finished(value):
            return value, True
        if clock() >= deadline:
            return value, False
        sleep(max(0, min(interval, deadline - clock())))
