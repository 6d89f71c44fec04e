"""Numbers and dates for the reader's locale (issue 13, item 5): prose and pages use the
locale's decimal separator and date format; machine formats (JSON, CSV) are not touched here."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.domain.phrase import ENGLISH_NUMBERS, NumberStyle
from parley.locale import format_date, format_number, number_style


@pytest.mark.parametrize(("value", "spec", "en", "es"), [
    (0.6123, ".3f", "0.612", "0,612"), (0.000123, ".3g", "0.000123", "0,000123"),
    (-12.34, "+.1f", "-12.3", "-12,3"), (2.5, "g", "2.5", "2,5"), (3, "d", "3", "3"),
])
def test_a_fixed_precision_number_in_each_locale(value: float, spec: str, en: str,
                                                 es: str) -> None:
    assert (format_number(value, spec, "en"), format_number(value, spec, "es")) == (en, es)


def test_each_language_has_its_number_style() -> None:
    assert number_style("en") == ENGLISH_NUMBERS
    assert number_style("es") == NumberStyle(",", "{}%")


def test_dates_as_the_locale_writes_them() -> None:
    assert format_date(date(2026, 12, 3), "en") == "Dec 3, 2026"
    assert format_date("2026-12-03", "es") == "3 dic 2026"
    assert format_date("2012-03", "es") == "2012-03"  # not a day: shown as given


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_only_the_separator_differs(value: float) -> None:
    english, spanish = format_number(value, ".4f", "en"), format_number(value, ".4f", "es")
    assert spanish == english.replace(".", ",") and "." not in spanish
