"""The indicator CSV reader: every bad file in tests/data/monitoring/bad gives its exact message."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.domain.errors import ValidationFailed
from parley.domain.monitoring import Period
from parley.interchange.indicator_csv import parse_indicator_text, read_indicator_file

DATA = Path(__file__).parents[1] / "data" / "monitoring"
EXPECTED: dict[str, str] = json.loads((DATA / "bad" / "expected.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_names_file_and_line(name: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_indicator_text((DATA / "bad" / name).read_text(), name)
    assert str(info.value) == EXPECTED[name]


def test_every_bad_file_has_its_message() -> None:
    assert sorted(p.name for p in (DATA / "bad").glob("*.csv")) == sorted(EXPECTED)


def test_all_problems_reported_not_just_the_first() -> None:
    text = "date,locality,indicator,value\n2020-01,A,x,1\n2020-02,A,x,-2\n2020-03,A,x,\n2020-01,A,x,1\n"
    with pytest.raises(ValidationFailed) as info:
        parse_indicator_text(text, "f.csv")
    assert [p.line for p in info.value.problems] == [3, 4, 5]


def test_weekly_file_with_gaps_and_population() -> None:
    table = read_indicator_file(DATA / "good" / "weekly-gaps.csv")
    assert table.period is Period.WEEK
    assert [s.key for s in table.series] == [("North", "homicides"), ("South", "homicides")]
    north = table.series[0]
    assert [p.label for p in north.points] == ["2021-W01", "2021-W02", "2021-W05"]
    assert north.points[0].start == date(2021, 1, 4)
    assert north.points[0].population == 1000
    assert table.series[1].points[0].population is None
    assert [str(g) for g in table.gaps()] == [
        "North / homicides: 2 period(s) missing (2021-W03 to 2021-W04)"]


def test_given_period_places_days_in_their_month() -> None:
    text = "date,locality,indicator,value\n2020-01-01,A,x,1\n2020-02-01,A,x,2\n"
    table = parse_indicator_text(text, "f.csv", Period.MONTH)
    assert [p.label for p in table.series[0].points] == ["2020-01", "2020-02"]
    assert table.gaps() == []
    with pytest.raises(ValidationFailed,
                       match=r"f\.csv:3: duplicate: A / x / 2020-01-20 is already on line 2"):
        parse_indicator_text(text.replace("2020-02-01", "2020-01-20"), "f.csv", Period.MONTH)


def test_given_period_refuses_a_month_for_weekly_data() -> None:
    with pytest.raises(ValidationFailed, match="'2020-01' is a month, which is not inside one week"):
        parse_indicator_text("date,locality,indicator,value\n2020-01,A,x,1\n", "f.csv", Period.WEEK)


def test_extra_columns_are_positive_covariates() -> None:
    table = parse_indicator_text("date,locality,indicator,value,stdpop\n2020-01,A,x,1,10.5\n", "f.csv")
    assert table.covariate_names == ("stdpop",)
    assert table.series[0].points[0].offset("stdpop") == 10.5
    with pytest.raises(ValidationFailed, match=r"f\.csv:2: field 'stdpop': 'nan' must be a number above 0"):
        parse_indicator_text("date,locality,indicator,value,stdpop\n2020-01,A,x,1,nan\n", "f.csv")


def test_missing_file_is_named() -> None:
    with pytest.raises(ValidationFailed, match=r"nope\.csv: no such file"):
        read_indicator_file(Path("nope.csv"))


@settings(max_examples=60, deadline=None)
@given(
    period=st.sampled_from(list(Period)),
    values=st.lists(st.one_of(st.none(), st.integers(0, 10_000)), min_size=1, max_size=40),
    first=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    rows_reversed=st.booleans(),
)
def test_round_trip_through_csv(period: Period, values: list[int | None], first: date,
                                rows_reversed: bool) -> None:
    """Whatever rows (in any order, with gaps) are written, the same series is read back."""
    from parley.domain.monitoring import period_label, period_ordinal, period_start, start_of_ordinal

    base = period_ordinal(period, period_start(period, first))
    written = [(start_of_ordinal(period, base + i), v) for i, v in enumerate(values) if v is not None]
    if not written:
        written = [(start_of_ordinal(period, base), 0)]
    lines = [f"{period_label(period, d)},Town,killings,{v}" for d, v in written]
    if rows_reversed:
        lines.reverse()
    table = parse_indicator_text("date,locality,indicator,value\n" + "\n".join(lines) + "\n", "p.csv")
    assert table.period is period
    (series,) = table.series
    assert [(p.start, p.value) for p in series.points] == [(d, float(v)) for d, v in written]
    missing = sum(g.periods for g in series.gaps())
    span = series.points[-1].ordinal - series.points[0].ordinal + 1
    assert missing == span - len(series.points)
    assert all(p.start - timedelta(days=0) == period_start(period, p.start) for p in series.points)
