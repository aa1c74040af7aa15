# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Dates and times that tasks give: ISO 8601 with a timezone, compared and sent in one spelling."""

from __future__ import annotations

from datetime import datetime, timezone


def aware_datetime(text):
    """An ISO 8601 date and time with a timezone, else ValueError saying what is wrong."""
    value = str(text).strip()
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"  # fromisoformat takes Z only from Python 3.11 on
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("%r is not an ISO 8601 date and time (like 2026-01-31T00:00:00+00:00)" % text)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("%r has no timezone: add one, like 2026-01-31T00:00:00+00:00 or ...Z" % text)
    return parsed


def utc_date(text):
    """One spelling for equal instants, in UTC (Airflow 2 writes +00:00, Airflow 3 Z); None stays None."""
    return None if text is None else aware_datetime(text).astimezone(timezone.utc).isoformat()


def normalize_date_options(module, names):
    """Each of the module's options ``names`` that is set, in UTC; a bad one fails the task, named."""
    for name in names:
        try:
            module.params[name] = utc_date(module.params[name])
        except ValueError as err:
            module.fail_json(msg="%s: %s" % (name, err))
