from datetime import datetime, timedelta, timezone

import pytest

from dagops_rest_api.execution_dates import BadExecutionDate, parse_execution_date, pick_run_date, window_of

UTC = timezone.utc


def at(*parts, tz=UTC):
    return datetime(*parts, tzinfo=tz)


def test_the_readme_form_names_the_whole_second_in_utc():
    window = parse_execution_date("2016-11-16T11:34:15")
    assert (window.start, window.end) == (at(2016, 11, 16, 11, 34, 15), at(2016, 11, 16, 11, 34, 16))
    assert not window.exact
    assert window.contains(at(2016, 11, 16, 11, 34, 15, 999999))
    assert not window.contains(at(2016, 11, 16, 11, 34, 16))


def test_microseconds_name_an_instant():
    window = parse_execution_date("2016-11-16T11:34:15.123456")
    assert window.start == at(2016, 11, 16, 11, 34, 15, 123456) and window.exact
    assert parse_execution_date("2016-11-16T11:34:15.5").start == at(2016, 11, 16, 11, 34, 15, 500000)


@pytest.mark.parametrize("text", ["2016-11-16T13:34:15+02:00", "2016-11-16T13:34:15+0200",
                                  "2016-11-16T11:34:15Z", "2016-11-16T11:34:15+00:00",
                                  "2016-11-16T13:34:15 02:00",  # a query string's "+" arrives as a space
                                  "2016-11-16T06:34:15-05:00", "2016-11-16 11:34:15"])
def test_offsets_and_spellings_of_one_second(text):
    window = parse_execution_date(text)
    assert window.start == at(2016, 11, 16, 11, 34, 15) and window.end - window.start == timedelta(seconds=1)
    assert window.text == text


def test_coarser_forms_name_a_minute_or_a_day():
    assert parse_execution_date("2016-11-16T11:34").end == at(2016, 11, 16, 11, 35)
    day = parse_execution_date("2016-11-16")
    assert (day.start, day.end) == (at(2016, 11, 16), at(2016, 11, 17))


def test_a_naive_date_takes_the_default_zone():
    plus_one = timezone(timedelta(hours=1))
    assert parse_execution_date("2016-11-16T12:34:15", default_tz=plus_one).start == at(2016, 11, 16, 11, 34, 15)


@pytest.mark.parametrize("text", ["", "now", "2016-13-01T00:00:00", "2016-11-16T25:00:00", "16-11-2016",
                                  "2016-11-16T11:34:15+25:00", "$(touch /tmp/x);echo", "--help",
                                  "../../etc/passwd", "2016-11-16T11:34:15;rm"])
def test_anything_else_is_refused_with_an_example(text):
    with pytest.raises(BadExecutionDate, match="could not be identified as a date. Example date format"):
        parse_execution_date(text)


def test_datetimes_and_windows_of_an_instant():
    moment = at(2020, 1, 1, 1, 2, 3, 4)
    assert parse_execution_date(moment) == window_of(moment)
    assert parse_execution_date(datetime(2020, 1, 1)).start == at(2020, 1, 1)
    assert window_of(moment).exact


def test_pick_prefers_the_exact_instant_then_the_earliest_in_the_window():
    window = parse_execution_date("2016-11-16T11:34:15")
    early, exact, late = at(2016, 11, 16, 11, 34, 15, 10), at(2016, 11, 16, 11, 34, 15), at(2016, 11, 16, 11, 34, 15, 20)
    assert pick_run_date(window, [late, early, exact, None]) == exact
    assert pick_run_date(window, [late, early]) == early
    assert pick_run_date(window, [at(2016, 11, 16, 11, 34, 16), None]) is None
