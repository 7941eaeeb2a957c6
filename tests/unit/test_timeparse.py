"""analysis.timeparse: ISO 8601, Unix seconds and Extended JSON dates; one-line errors naming the parameter."""

from datetime import datetime, timedelta, timezone

import pytest

from analysis.errors import ParameterError
from analysis.timeparse import iso, parse_instant, parse_time

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)  # 1793491200


@pytest.mark.parametrize(
    "text",
    ["2026-11-01T00:00:00Z", "2026-11-01T00:00:00z", "2026-11-01T00:00:00+00:00", "2026-11-01T01:00:00+01:00",
     "2026-11-01T00:00:00", "2026-11-01", "2026-11-01T00:00:00.000Z", " 2026-11-01T00:00:00Z "],
)
def test_iso_forms(text):
    assert parse_instant(text) == T0


def test_unix_seconds_as_number_or_digits():
    assert parse_instant(1793491200) == T0
    assert parse_instant(1793491200.5) == T0 + timedelta(seconds=0.5)
    assert parse_instant("1793491200") == T0
    assert parse_instant("1793491200.25") == T0 + timedelta(seconds=0.25)
    assert parse_instant(float("nan")) is None


@pytest.mark.parametrize(
    "value",
    [{"$date": "2026-11-01T00:00:00Z"}, {"$date": 1793491200000}, {"$date": {"$numberLong": "1793491200000"}}],
)
def test_extended_json_dates(value):
    assert parse_instant(value) == T0


def test_datetimes_naive_is_utc():
    assert parse_instant(datetime(2026, 11, 1)) == T0
    aware = datetime(2026, 11, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    assert parse_instant(aware) == T0


@pytest.mark.parametrize("junk", ["yesterday", "", None, True, [1], {"$date": {"$numberLong": "x"}}, {"$date": None}, {"x": 1}])
def test_unreadable_is_none(junk):
    assert parse_instant(junk) is None


def test_parse_time_returns_unix_seconds():
    assert parse_time("2026-11-01T00:00:00Z", "at") == 1793491200.0


def test_bad_text_is_one_parameter_error_naming_the_parameter():
    with pytest.raises(ParameterError) as exc:
        parse_time("next tuesday", "window_end")
    message = str(exc.value)
    assert message.startswith("parameter 'window_end': cannot parse time 'next tuesday'") and "\n" not in message
    assert "ISO 8601" in message


def test_iso():
    assert iso(1793491200.0) == "2026-11-01T00:00:00Z"
    assert iso(None) is None and iso(float("inf")) is None
