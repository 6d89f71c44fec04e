"""Period labels, starts and ordinals of indicator series."""

from __future__ import annotations

from datetime import date

import pytest

from parley.domain.errors import InvalidInput
from parley.domain.monitoring import (
    Period,
    parse_moment,
    parse_period_label,
    period_label,
    period_ordinal,
    start_of_ordinal,
)


@pytest.mark.parametrize(("text", "period", "start"), [
    ("2005-01-15", Period.DAY, date(2005, 1, 15)),
    ("2005-01", Period.MONTH, date(2005, 1, 1)),
    ("2005-W01", Period.WEEK, date(2005, 1, 3)),
    ("2020-W53", Period.WEEK, date(2020, 12, 28)),
])
def test_labels(text: str, period: Period, start: date) -> None:
    assert parse_period_label(text) == (period, start)
    assert period_label(period, start) == text


@pytest.mark.parametrize("text", ["2005-02-30", "2005-00", "2021-W53", "2005/01", "", "20050101"])
def test_bad_labels(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD, YYYY-MM or ISO week YYYY-Www"):
        parse_period_label(text)


def test_ordinals_are_consecutive_across_year_ends() -> None:
    for period, first in ((Period.MONTH, date(2004, 12, 1)), (Period.WEEK, date(2020, 12, 28)),
                          (Period.DAY, date(2004, 12, 31))):
        o = period_ordinal(period, first)
        assert start_of_ordinal(period, o) == first
        nxt = start_of_ordinal(period, o + 1)
        assert nxt.year == first.year + 1


def test_parse_moment_names_the_parameter() -> None:
    with pytest.raises(InvalidInput, match="--intervention: '2005-13' is not a real date"):
        parse_moment("2005-13", "--intervention")
