"""Execution dates as the callers of the experimental API and of the old REST API plugin write them.

`2016-11-16T11:34:15` (the README's form) names the run whose logical date falls in that second;
`2016-11-16T11:34:15.123456` names an instant; either may end with an offset (`Z`, `+02:00`,
`+0200`). Fewer digits name a coarser window (`2016-11-16T11:34` a minute, `2016-11-16` a day).
A date without an offset is in UTC (Airflow's default `[core] default_timezone`).
"""
import re
from collections import namedtuple
from datetime import datetime, timedelta, timezone

EXAMPLE = "2015-11-16T14:34:15+00:00"

_DATE = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"(?P<offset>Z|z|[+-]\d{2}(?::?\d{2})?)?)?$")
# A `+` in a query string arrives as a space: "...T11:34:15 02:00" means "+02:00".
_SPACED_OFFSET = re.compile(r"^(.*\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?) (\d{2}(?::?\d{2})?)$")


class DateWindow(namedtuple("DateWindow", "start end text")):
    """The logical dates `[start, end)` (aware, UTC) that a caller's `text` names."""

    __slots__ = ()

    @property
    def exact(self):
        return self.end - self.start <= timedelta(microseconds=1)

    def contains(self, moment):
        return self.start <= moment.astimezone(timezone.utc) < self.end


class BadExecutionDate(ValueError):
    """Text that is no date; the message says what was given and shows an example."""

    def __init__(self, text):
        super().__init__(f"Given execution date, {text}, could not be identified as a date. "
                         f"Example date format: {EXAMPLE}")


def _offset(text):
    if text is None:
        return None
    if text in ("Z", "z"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_execution_date(text, default_tz=timezone.utc):
    """The DateWindow that `text` names; BadExecutionDate when it is no date."""
    if isinstance(text, datetime):
        return window_of(text if text.tzinfo else text.replace(tzinfo=default_tz))
    raw = text if isinstance(text, str) else str(text)
    cleaned = _SPACED_OFFSET.sub(r"\1+\2", raw.strip())
    match = _DATE.match(cleaned)
    if not match:
        raise BadExecutionDate(raw)
    parts = match.groupdict()
    fraction = parts["fraction"]
    try:
        start = datetime(int(parts["year"]), int(parts["month"]), int(parts["day"]),
                         int(parts["hour"] or 0), int(parts["minute"] or 0), int(parts["second"] or 0),
                         int((fraction or "0").ljust(6, "0")[:6]),
                         tzinfo=_offset(parts["offset"]) or default_tz)
    except ValueError:
        raise BadExecutionDate(raw) from None
    if fraction is not None:
        width = timedelta(microseconds=1)
    elif parts["second"] is not None:
        width = timedelta(seconds=1)
    elif parts["hour"] is not None:
        width = timedelta(minutes=1)
    else:
        width = timedelta(days=1)
    start = start.astimezone(timezone.utc)
    return DateWindow(start, start + width, raw)


def window_of(moment):
    """The DateWindow of exactly one aware datetime."""
    start = moment.astimezone(timezone.utc)
    return DateWindow(start, start + timedelta(microseconds=1), start.isoformat())


def pick_run_date(window, dates):
    """Of the logical dates of one DAG's runs, the one `window` names: the exact instant when a
    run has it, else the earliest inside the window; None when none is inside."""
    inside = sorted(date for date in dates if date is not None and window.contains(date))
    for date in inside:
        if date.astimezone(timezone.utc) == window.start:
            return date
    return inside[0] if inside else None
